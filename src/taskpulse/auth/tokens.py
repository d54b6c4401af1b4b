"""HS256 JWTs: ``sub`` is the user id (a UUID string), with ``iat`` and ``exp``."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"


class TokenError(Exception):
    """A token that cannot be used; ``code`` is token_missing, token_invalid or token_expired."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Claims:
    user_id: str
    issued_at: int
    expires_at: int


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: str, *, now: float | None = None, ttl: int | None = None) -> str:
        iat = int(time.time() if now is None else now)
        exp = iat + (self.ttl_seconds if ttl is None else ttl)
        return jwt.encode({"sub": str(user_id), "iat": iat, "exp": exp},
                          self._secret, algorithm=ALGORITHM)

    def verify(self, token: str | None) -> Claims:
        if not token:
            raise TokenError("token_missing", "Authentication required.")
        try:
            data = jwt.decode(token, self._secret, algorithms=[ALGORITHM],
                              options={"require": ["sub", "iat", "exp"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("token_expired", "Your session has expired; log in again.") from None
        except jwt.PyJWTError:
            raise TokenError("token_invalid", "The token is not valid.") from None
        sub = data.get("sub")
        if not isinstance(sub, str) or not _is_uuid(sub):
            raise TokenError("token_invalid", "The token is not valid.")
        return Claims(user_id=sub, issued_at=int(data["iat"]), expires_at=int(data["exp"]))

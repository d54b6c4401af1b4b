"""HS256 JWTs: ``sub`` is the user id (a UUID string), with ``iat``, ``exp`` and ``scope``.

A token's ``scope`` says where it may be used:

- ``session`` (log-in, sign-up, refresh; the page cookie): everywhere.
- ``socket`` (the short-lived token a page hands its Socket.IO client): the Socket.IO
  handshake only. A leaked page token can open a live connection until it expires, but
  cannot call the API, sign a page in, or be refreshed into a session.

A token without ``scope`` (issued before scopes existed) is a session token.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
SESSION = "session"
SOCKET = "socket"
SCOPES = (SESSION, SOCKET)


class TokenError(Exception):
    """A token that cannot be used; ``code`` is token_missing, token_invalid, token_expired
    or token_wrong_scope."""

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
    scope: str = SESSION


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: str, *, now: float | None = None, ttl: int | None = None,
              scope: str = SESSION) -> str:
        if scope not in SCOPES:
            raise ValueError(f"unknown token scope {scope!r}")
        iat = int(time.time() if now is None else now)
        exp = iat + (self.ttl_seconds if ttl is None else ttl)
        return jwt.encode({"sub": str(user_id), "iat": iat, "exp": exp, "scope": scope},
                          self._secret, algorithm=ALGORITHM)

    def verify(self, token: str | None, *, scopes: tuple[str, ...] = (SESSION,)) -> Claims:
        """The claims of a usable token whose scope is one of ``scopes`` (session only,
        unless told otherwise); raises :class:`TokenError`."""
        if not token:
            raise TokenError("token_missing", "Authentication required.")
        if not token.isascii():     # a JWT is ASCII; undecodable bytes arrive as surrogates
            raise TokenError("token_invalid", "The token is not valid.")
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
        scope = data.get("scope", SESSION)
        if scope not in SCOPES:
            raise TokenError("token_invalid", "The token is not valid.")
        if scope not in scopes:
            raise TokenError("token_wrong_scope",
                             "This token is only valid for the live connection (Socket.IO); "
                             "use your session token (log in) for this.")
        return Claims(user_id=sub, issued_at=int(data["iat"]), expires_at=int(data["exp"]),
                      scope=scope)

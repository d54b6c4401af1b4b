"""The claims of the tokens that passed the handshake's check most recently.

A user's tabs often connect with the same token at about the same time (a page's socket
token shared by its reconnects, an app's session token on every device connection, all
of them coming back after a restart), and verifying a JWT (PyJWT: key preparation, three
base64 and JSON decodes, the HMAC) is one of the larger parts of admitting a connection.
A token that passed is remembered with its claims, for the same scopes, until it expires:
the check only depends on the token's bytes, the key and the clock, and past its expiry
the token is checked again (and refused as expired) as if it had never been seen. Failures
are never remembered. The last :data:`KEPT` tokens are kept (a few hundred kilobytes at
most).
"""
from __future__ import annotations

import time
from collections import OrderedDict

from taskpulse.auth.tokens import Claims, TokenService

KEPT = 256


class VerifiedTokens:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._service: TokenService | None = None
        self._claims: OrderedDict[tuple[str, tuple[str, ...]], Claims] = OrderedDict()

    def verify(self, service: TokenService, token: str | None,
               scopes: tuple[str, ...]) -> Claims:
        """``service.verify(token, scopes=scopes)``, answered from memory for a token that
        passed it before and has not expired; raises what it raises."""
        if service is not self._service:    # another key: nothing remembered holds
            self._claims.clear()
            self._service = service
        if not token:
            return service.verify(token, scopes=scopes)
        key = (token, scopes)
        claims = self._claims.get(key)
        if claims is not None:
            if time.time() < claims.expires_at:
                self._claims.move_to_end(key)
                return claims
            del self._claims[key]
        claims = service.verify(token, scopes=scopes)
        self._claims[key] = claims
        if len(self._claims) > self.kept:
            self._claims.popitem(last=False)
        return claims

"""Who is asking: the verified user of a request (Bearer header or session cookie)."""
from __future__ import annotations

import uuid

from aiohttp import web

from taskpulse.auth.accounts import account_exists
from taskpulse.auth.tokens import TokenError
from taskpulse.keys import TOKENS, USER_ID
from taskpulse.web.credentials import same_origin, token_from_request
from taskpulse.web.errors import api_error

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def refuse_foreign_origin(request: web.Request) -> None:
    """403 ``csrf_failed`` when a browser says the request comes from another site.

    For requests that need no session (sign-up, log-in, log-out): API clients send no
    Origin and pass; a page on another site cannot log a visitor in or out.
    """
    if request.headers.get("Origin") or request.headers.get("Referer"):
        if not same_origin(request):
            api_error(403, "csrf_failed", "Cross-site request refused.")


async def authenticate(request: web.Request) -> str:
    """The verified user id, whose account still exists; 401 with token_missing /
    token_invalid (also: the account was deleted) / token_expired."""
    if USER_ID in request:
        return request[USER_ID]
    user_id = token_user(request)
    if not await account_exists(user_id):
        api_error(401, "token_invalid", "This account no longer exists.")
    request[USER_ID] = user_id
    return user_id


def token_user(request: web.Request) -> str:
    """The user id of the request's token, checked without I/O (the account may be gone:
    :func:`authenticate` checks that too)."""
    token, from_cookie = token_from_request(request)
    if token == "":
        api_error(401, "token_invalid", "The Authorization header must be 'Bearer <token>'.")
    try:
        claims = request.app[TOKENS].verify(token)
    except TokenError as exc:
        api_error(401, exc.code, exc.message)
    if from_cookie and request.method not in SAFE_METHODS and not same_origin(request):
        api_error(403, "csrf_failed", "Cross-site request refused.")
    return claims.user_id


def _same_user(path_user: str | None, user_id: str) -> bool:
    try:
        return uuid.UUID(str(path_user)) == uuid.UUID(user_id)
    except ValueError:
        return False


async def require_path_user(request: web.Request) -> str:
    """The verified user, who must be the ``{user_id}`` of the path (403 otherwise)."""
    user_id = await authenticate(request)
    if not _same_user(request.match_info.get("user_id"), user_id):
        api_error(403, "forbidden", "You can only access your own data.")
    return user_id

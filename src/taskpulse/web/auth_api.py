"""JSON account endpoints: sign-up, log-in (throttled), log-out, refresh, me."""
from __future__ import annotations

from aiohttp import web

from taskpulse.auth.accounts import (AccountError, LoginIn, SignupIn, check_login, create_user,
                                     user_to_dict)
from taskpulse.db.models import User
from taskpulse.keys import CONFIG, LOGIN_THROTTLE, TOKENS
from taskpulse.web.auth import COOKIE_NAME, authenticate, refuse_foreign_origin
from taskpulse.web.errors import ApiError, api_error, parse_json
from taskpulse.web.proxies import client_address


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    config = request.app[CONFIG]
    response.set_cookie(COOKIE_NAME, token, max_age=config.token_ttl_seconds, httponly=True,
                        samesite="Lax", secure=config.production, path="/")


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE_NAME, path="/")


def _session_response(request: web.Request, user: User, status: int) -> web.Response:
    token = request.app[TOKENS].issue(str(user.id))
    response = web.json_response({"token": token, "user": user_to_dict(user)}, status=status)
    set_session_cookie(request, response, token)
    return response


async def signup(request: web.Request) -> web.Response:
    refuse_foreign_origin(request)
    data = await parse_json(request, SignupIn)
    try:
        user = await create_user(data)
    except AccountError as exc:
        api_error(exc.status, exc.code, exc.message)
    return _session_response(request, user, 201)


async def login_throttled(request: web.Request, email: str) -> int:
    """Seconds to wait before another attempt for this email or address (0: go ahead)."""
    throttle = request.app[LOGIN_THROTTLE]
    return max(await throttle.retry_after("email:" + email),
               await throttle.retry_after("addr:" + client_address(request)))


async def attempt_login(request: web.Request, data: LoginIn) -> User:
    """Check a login, counting failures; raises 429 when throttled, 401 when wrong."""
    wait = await login_throttled(request, data.email)
    if wait:
        raise ApiError(429, "too_many_attempts",
                       f"Too many failed log-ins. Try again in {wait} seconds.",
                       headers={"Retry-After": str(wait)}, retry_after=wait)
    user = await check_login(data)
    throttle = request.app[LOGIN_THROTTLE]
    if user is None:
        await throttle.record_failure("email:" + data.email)
        await throttle.record_failure("addr:" + client_address(request))
        api_error(401, "invalid_credentials", "Wrong email or password.")
    await throttle.reset("email:" + data.email)
    return user


async def login(request: web.Request) -> web.Response:
    refuse_foreign_origin(request)
    data = await parse_json(request, LoginIn)
    user = await attempt_login(request, data)
    return _session_response(request, user, 200)


async def logout(request: web.Request) -> web.Response:
    """Clear the session cookie. Tokens are stateless signed JWTs: a copy kept elsewhere
    (a Bearer client) stays valid until it expires (``token_ttl_seconds``)."""
    refuse_foreign_origin(request)
    response = web.json_response({"ok": True})
    clear_session_cookie(response)
    return response


async def _current_user(request: web.Request) -> User:
    user_id = authenticate(request)
    user = await User.get_or_none(id=user_id)
    if user is None:
        api_error(401, "token_invalid", "This account no longer exists.")
    return user


async def refresh(request: web.Request) -> web.Response:
    """A fresh token (and cookie) for the current user, with a new expiry."""
    return _session_response(request, await _current_user(request), 200)


async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": user_to_dict(await _current_user(request))})

"""JSON account endpoints: sign-up, log-in (throttled), log-out, refresh, me."""
from __future__ import annotations

from aiohttp import web

from taskpulse.auth.accounts import (AccountError, LoginIn, SignupIn, check_login, create_user,
                                     find_user, user_to_dict)
from taskpulse.auth.throttle import Throttle
from taskpulse.db.models import User
from taskpulse.keys import CONFIG, LOGIN_THROTTLE, TOKENS
from taskpulse.web.auth import refuse_foreign_origin, token_user
from taskpulse.web.credentials import COOKIE_NAME
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


async def _reserve_attempt(throttle: Throttle, keys: list[str]) -> dict[str, str]:
    """Count this attempt against every key before the password is checked (each in one
    atomic step with its limit check), so parallel attempts cannot slip past the limit;
    raises 429, uncounting what it reserved, when a key is throttled."""
    tickets: dict[str, str] = {}
    for key in keys:
        wait, ticket = await throttle.reserve(key)
        if wait:
            for reserved, held in tickets.items():
                await throttle.forgive(reserved, held)
            for other in keys:
                if other != key:
                    wait = max(wait, await throttle.retry_after(other))
            raise ApiError(429, "too_many_attempts",
                           f"Too many failed log-ins. Try again in {wait} seconds.",
                           headers={"Retry-After": str(wait)}, retry_after=wait)
        tickets[key] = ticket
    return tickets


async def attempt_login(request: web.Request, data: LoginIn) -> User:
    """Check a login, counting failures; raises 429 when throttled, 401 when wrong.

    The attempt is counted as a failure first and forgiven when it succeeds."""
    throttle = request.app[LOGIN_THROTTLE]
    email_key, addr_key = "email:" + data.email, "addr:" + client_address(request)
    tickets = await _reserve_attempt(throttle, [email_key, addr_key])
    try:
        user = await check_login(data)
    except Exception:                   # not a wrong guess: uncount it
        for key, ticket in tickets.items():
            await throttle.forgive(key, ticket)
        raise
    if user is None:                    # the reserved attempts stay counted as failures
        api_error(401, "invalid_credentials", "Wrong email or password.")
    await throttle.reset(email_key)
    await throttle.forgive(addr_key, tickets[addr_key])
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
    user = await find_user(token_user(request))     # the account check, in one query
    if user is None:
        api_error(401, "token_invalid", "This account no longer exists.")
    return user


async def refresh(request: web.Request) -> web.Response:
    """A fresh token (and cookie) for the current user, with a new expiry."""
    return _session_response(request, await _current_user(request), 200)


async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": user_to_dict(await _current_user(request))})

"""Sign-up, log-in and log-out pages (plain HTML forms, POST-redirect-GET)."""
from __future__ import annotations

from aiohttp import web

from taskpulse.auth.accounts import AccountError, LoginIn, SignupIn, create_user
from taskpulse.keys import TOKENS
from taskpulse.web.auth_api import attempt_login, clear_session_cookie, set_session_cookie
from taskpulse.web.errors import ApiError
from taskpulse.web.pages_common import (api_error_message, check_form, page_session,
                                        read_form, render, safe_next, see_other,
                                        validate_form)


async def _form(request: web.Request, fields: tuple[str, ...]) -> dict[str, str]:
    data = await read_form(request)
    return {name: data.get(name, "") for name in fields}


def _signed_in(request: web.Request, user_id: str, target: str) -> web.HTTPSeeOther:
    response = see_other(target)
    set_session_cookie(request, response, request.app[TOKENS].issue(user_id))
    return response


async def index(request: web.Request) -> web.StreamResponse:
    session = await page_session(request)
    raise web.HTTPFound("/tasks" if session else "/login")


async def signup_form(request: web.Request) -> web.StreamResponse:
    if await page_session(request):
        raise web.HTTPFound("/tasks")
    return await render(request, "signup.html", {
        "form": {"name": "", "email": ""}, "errors": {},
        "next": safe_next(request.query.get("next"))})


async def signup_submit(request: web.Request) -> web.StreamResponse:
    form = await _form(request, ("name", "email", "password", "next"))
    check_form(request, form, None)
    target = safe_next(form.pop("next"))
    data, errors = validate_form(SignupIn, form)
    if data is not None:
        try:
            user = await create_user(data)
        except AccountError as exc:
            errors = {"email": exc.message}
        else:
            raise _signed_in(request, str(user.id), target)
    return await render(request, "signup.html", {
        "form": form, "errors": errors, "next": target}, status=422)


async def login_form(request: web.Request) -> web.StreamResponse:
    if await page_session(request):
        raise web.HTTPFound("/tasks")
    return await render(request, "login.html", {
        "form": {"email": ""}, "errors": {}, "next": safe_next(request.query.get("next"))})


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await _form(request, ("email", "password", "next"))
    check_form(request, form, None)
    target = safe_next(form.pop("next"))
    data, errors = validate_form(LoginIn, form)
    status, headers = 422, {}
    if data is not None:
        try:
            user = await attempt_login(request, data)  # the API's throttle, shared
        except ApiError as exc:
            status = exc.status
            errors = {"form": api_error_message(exc)}
            if exc.headers.get("Retry-After"):
                headers["Retry-After"] = exc.headers["Retry-After"]
        else:
            raise _signed_in(request, str(user.id), target)
    response = await render(request, "login.html", {
        "form": {"email": form["email"]}, "errors": errors, "next": target}, status=status)
    response.headers.update(headers)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """GET asks for confirmation (a link must not sign anyone out); POST signs out."""
    session = await page_session(request)
    if request.method == "GET":
        if session is None:
            raise web.HTTPFound("/login")
        return await render(request, "logout.html", {}, session)
    form = await read_form(request)
    check_form(request, form, session)
    response = see_other("/login")
    clear_session_cookie(response)
    raise response

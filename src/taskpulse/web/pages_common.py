"""What every server-rendered page shares: the page session, CSRF checks, rendering.

Pages authenticate with the HttpOnly session cookie only. A state-changing form is
accepted when (1) its ``Origin`` / ``Referer``, if sent, names this site, and (2) for a
signed-in user, its hidden ``csrf_token`` matches an HMAC of the session token, which a
foreign site can neither read nor compute. The SameSite=Lax cookie is a third layer.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, quote

import aiohttp_jinja2
from aiohttp import web
from pydantic import BaseModel, ValidationError

from taskpulse.auth.accounts import find_user
from taskpulse.auth.tokens import SOCKET, Claims, TokenError
from taskpulse.db.models import User
from taskpulse.keys import CONFIG, EVENT_LOG, TOKENS
from taskpulse.web.credentials import COOKIE_NAME, same_origin
from taskpulse.web.auth_api import clear_session_cookie
from taskpulse.web.errors import ApiError

_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f]")

# Before any event was published, the stream position is this (the log's floor).
STREAM_START = "0-0"

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class Session:
    user: User
    token: str
    claims: Claims

    @property
    def user_id(self) -> str:
        return str(self.user.id)


async def page_session(request: web.Request) -> Session | None:
    """The signed-in user of a page request (cookie only), or None."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    try:
        claims = request.app[TOKENS].verify(token)
    except TokenError:
        return None
    user = await find_user(claims.user_id)
    return Session(user, token, claims) if user is not None else None


def safe_next(value: str | None, default: str = "/tasks") -> str:
    """A local path to go to after signing in (never another site).

    Backslashes and control characters are refused anywhere: browsers read ``\\`` as
    ``/`` and drop tabs and newlines, so ``/<TAB>/evil.example`` would be ``//evil.example``.
    """
    if (value and value.startswith("/") and not value.startswith("//")
            and "\\" not in value and not _UNSAFE_IN_PATH.search(value)):
        return value
    return default


def login_redirect(request: web.Request) -> web.HTTPFound:
    target = request.path_qs if request.method == "GET" else request.path
    response = web.HTTPFound("/login?next=" + quote(target, safe="/"))
    if COOKIE_NAME in request.cookies:
        clear_session_cookie(response)  # expired or tampered: drop it
    return response


async def require_session(request: web.Request) -> Session:
    session = await page_session(request)
    if session is None:
        raise login_redirect(request)
    return session


def csrf_token(request: web.Request, session_token: str) -> str:
    key = request.app[CONFIG].secret_key.encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:40]


def foreign_origin(request: web.Request) -> bool:
    """True when the request names an origin (Origin or Referer) that is not this site."""
    if not (request.headers.get("Origin") or request.headers.get("Referer")):
        return False
    return not same_origin(request)


def check_form(request: web.Request, form: Mapping[str, Any],
               session: Session | None) -> None:
    """Refuse a cross-site form post (403 page)."""
    if foreign_origin(request):
        raise forbidden(request, "This form was sent from another site and was refused.")
    if session is not None:
        sent = str(form.get("csrf_token", "")).encode()   # bytes: any text compares
        if not hmac.compare_digest(sent, csrf_token(request, session.token).encode()):
            raise forbidden(request, "This form has expired. Reload the page and try again.")


FORM_ENCODED = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 50


async def read_form(request: web.Request) -> dict[str, str]:
    """A posted form's fields (the first value of a repeated name), or a 400 page.

    A form is URL-encoded UTF-8, as browsers send it from these (UTF-8) pages; multipart
    is read too. Bytes that are not UTF-8 (``%ff%fe``) are refused, never stored as
    replacement characters, and so is a body of another type.
    """
    try:
        if request.content_type == FORM_ENCODED or not request.body_exists:
            text = (await request.read()).decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8",
                              errors="strict", max_num_fields=MAX_FORM_FIELDS)
        elif request.content_type == "multipart/form-data":
            pairs = [(k, v) for k, v in (await request.post()).items() if isinstance(v, str)]
        else:
            raise ValueError("not a form")
    except (UnicodeError, ValueError, LookupError):
        raise page_error(request, 400, "Form not understood",
                         "This form could not be read. Reload the page and try "
                         "again.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def forbidden(request: web.Request, message: str) -> web.HTTPException:
    return page_error(request, 403, "Request refused", message)


_ERROR_CLASSES: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest, 403: web.HTTPForbidden, 404: web.HTTPNotFound,
    429: web.HTTPTooManyRequests}


def page_error(request: web.Request, status: int, title: str, message: str) -> web.HTTPException:
    body = aiohttp_jinja2.render_string("error.html", request,
                                        {"title": title, "message": message, "user": None})
    cls = _ERROR_CLASSES.get(status, web.HTTPBadRequest)
    return cls(text=body, content_type="text/html", headers=SECURITY_HEADERS)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic errors -> {field: readable message} (the first error of each field)."""
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        field = str(err["loc"][0]) if err["loc"] else "form"
        out.setdefault(field, _readable(err))
    return out


def _readable(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "string_too_short":
        return ("This field is required." if ctx.get("min_length") == 1
                else f"Use at least {ctx.get('min_length')} characters.")
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters."
    if kind.startswith("date"):
        return "Enter a date as YYYY-MM-DD."
    if kind == "literal_error":
        return f"Choose one of: {ctx.get('expected', '').replace(chr(39), '')}."
    message = str(err["msg"]).removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def validate_form(model: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """(validated model, {}) or (None, {field: message})."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def api_error_message(exc: ApiError) -> str:
    try:
        return str(json.loads(exc.text or "{}")["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return "Something went wrong."


def socket_token_ttl(request: web.Request, session_expires_at: int) -> int:
    """A page's socket token lives ``socket_token_ttl_seconds``, never past the session."""
    limit = request.app[CONFIG].socket_token_ttl_seconds
    return max(1, min(limit, session_expires_at - int(time.time())))


async def socket_context(request: web.Request, session: Session) -> dict[str, Any]:
    """What the page's JavaScript needs to open the live connection."""
    config = request.app[CONFIG]
    ttl = socket_token_ttl(request, session.claims.expires_at)
    last_id = await request.app[EVENT_LOG].last_id(session.user_id)
    return {
        "token": request.app[TOKENS].issue(session.user_id, ttl=ttl, scope=SOCKET),
        "expires_in": ttl,
        "transport": config.transport,
        "last_event_id": last_id or STREAM_START,
        "ping_interval_ms": 5000,
    }


async def render(request: web.Request, template: str, context: dict[str, Any],
                 session: Session | None = None, status: int = 200,
                 socket: dict[str, Any] | None = None) -> web.Response:
    """Render a page with the layout's context (user, CSRF token, live-connection data).

    A live page passes ``socket`` (from :func:`socket_context`), read *before* the page's
    data so that every event after the rendered state is replayed on connect.
    """
    ctx: dict[str, Any] = {"user": None, "csrf": "", "socket": socket, "nav": template,
                           **context}
    if session is not None:
        ctx["user"] = session.user
        ctx["csrf"] = csrf_token(request, session.token)
    response = aiohttp_jinja2.render_template(template, request, ctx, status=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def see_other(location: str) -> web.HTTPSeeOther:
    """POST-redirect-GET."""
    return web.HTTPSeeOther(location)

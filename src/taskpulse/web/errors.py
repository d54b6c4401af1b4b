"""JSON errors ``{"error": {"code", "message", ...}}`` and the middleware that ensures them.

Bodies are parsed here too, so every JSON endpoint answers bad input the same way:
415 for a body that is not JSON, 413 for one over ``max_body_bytes``, 400 for malformed JSON
or a body that is not an object, 422 (naming the field) when it fails validation.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable
from typing import Any, NoReturn

import orjson
from aiohttp import hdrs, web
from pydantic import BaseModel, ValidationError

from taskpulse.keys import CONFIG, REQUEST_ID
from taskpulse.outages import RETRY_AFTER_SECONDS, dependency_down, unavailable_message

log = logging.getLogger(__name__)

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                 415: "unsupported_media_type", 422: "validation_error",
                 429: "rate_limited", 500: "internal", 503: "unavailable"}
_MESSAGES = {404: "No such endpoint.", 405: "This endpoint does not accept that method.",
             413: "The request body is too large."}
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Headers of a framework error that the JSON version keeps (405 lists the allowed methods).
_KEPT_HEADERS = (hdrs.ALLOW, hdrs.RETRY_AFTER)


class ApiError(web.HTTPException):
    """An HTTP error whose body is the house JSON error shape."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        self.status_code = status
        body = {"error": {"code": code, "message": message, **extra}}
        super().__init__(text=json.dumps(body), content_type="application/json",
                         headers=headers)


def api_error(status: int, code: str, message: str, **extra: Any) -> NoReturn:
    raise ApiError(status, code, message, **extra)


def validation_error(exc: ValidationError) -> ApiError:
    fields = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        fields.append({"field": loc, "message": err["msg"].removeprefix("Value error, ")})
    first = fields[0] if fields else {"field": "body", "message": "invalid"}
    return ApiError(422, "validation_error", f"{first['field']}: {first['message']}",
                    fields=fields)


def _is_json_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json"))


def _nul_field(value: Any) -> str | None:
    """The first field (dotted path) holding a string with a NUL character, if any.

    Iterative: a body may nest deeper than Python's recursion limit."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path or "body"
            continue
        pairs: Any = item.items() if isinstance(item, dict) else (
            enumerate(item) if isinstance(item, list) else ())
        children = [(child, f"{path}.{key}" if path else str(key)) for key, child in pairs]
        stack.extend(reversed(children))     # first field first
    return None


async def read_json_object(request: web.Request) -> bytes:
    """The raw body, checked to be one JSON object (an empty body counts as ``{}``).

    A body needs ``Content-Type: application/json`` (or ``application/*+json``) or no
    Content-Type at all; anything else, such as the form encoding ``curl -d`` sends, is 415.
    """
    if (request.body_exists and hdrs.CONTENT_TYPE in request.headers
            and not _is_json_type(request.content_type)):
        api_error(415, "unsupported_media_type",
                  "Send the body as JSON with the header 'Content-Type: application/json' "
                  "(with curl: --json, or -H 'Content-Type: application/json').")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        api_error(413, "payload_too_large", "The request body is too large.",
                  max_bytes=request.app[CONFIG].max_body_bytes)
    if not raw.strip():
        return b"{}"
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        api_error(400, "invalid_json", f"The request body is not valid JSON ({exc}).")
    if not isinstance(data, dict):
        api_error(400, "invalid_json", "The request body must be a JSON object.")
    field = _nul_field(data)
    if field:
        api_error(422, "validation_error", f"{field}: must not contain NUL characters",
                  fields=[{"field": field, "message": "must not contain NUL characters"}])
    return raw


async def parse_json(request: web.Request, model: type[BaseModel], *,
                     strict: bool = True) -> Any:
    """Read and validate a JSON body; 400/413/415/422 with the field named.

    ``strict`` (the default) takes JSON types at their word: ``"true"`` is not a boolean and
    ``"5"`` is not a number, while dates and UUIDs are read from their usual strings.
    """
    raw = await read_json_object(request)
    try:
        return model.model_validate_json(raw, strict=strict)
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_query(request: web.Request, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise validation_error(exc) from None


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", "")


def request_id_of(request: web.Request) -> str:
    """The client's ``X-Request-Id`` when it is a short token, else a new random id."""
    sent = request.headers.get("X-Request-Id", "")
    return sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


ENGINEIO_PATH = "/socket.io/"


def _unavailable(request: web.Request, request_id: str, which: str,
                 exc: Exception) -> web.HTTPException:
    """503 with ``Retry-After``: JSON ``unavailable`` for the API, a short page otherwise."""
    log.warning("%s unavailable (request id %s) on %s %s: %s", which, request_id,
                request.method, request.path, exc.__class__.__name__)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "X-Request-Id": request_id}
    if not _wants_json(request):
        return web.HTTPServiceUnavailable(text=unavailable_message(which), headers=headers)
    return ApiError(503, "unavailable", unavailable_message(which), headers=headers,
                    dependency=which, retry_after=RETRY_AFTER_SECONDS)


@web.middleware
def error_middleware(request: web.Request, handler: Any) -> Awaitable[web.StreamResponse]:
    """API errors as JSON, pages' as text, each with the request's id.

    Engine.IO answers its own errors, so its requests are passed on untouched: the
    handler's awaitable is returned, not awaited here, and no frame of this middleware is
    kept for as long as the request lives (a WebSocket's, for the whole connection)."""
    if request.path.startswith(ENGINEIO_PATH):
        return handler(request)   # type: ignore[no-any-return]
    return _guarded(request, handler)


async def _guarded(request: web.Request, handler: Any) -> web.StreamResponse:
    request_id = request_id_of(request)
    request[REQUEST_ID] = request_id
    try:
        response = await handler(request)
    except ApiError as exc:
        exc.headers["X-Request-Id"] = request_id
        raise
    except web.HTTPException as exc:
        if exc.status < 400 or not _wants_json(request):
            raise
        code = _STATUS_CODES.get(exc.status, "error")
        headers = {str(k): exc.headers[k] for k in _KEPT_HEADERS if k in exc.headers}
        headers["X-Request-Id"] = request_id
        raise ApiError(exc.status, code, _MESSAGES.get(exc.status, exc.reason),
                       headers=headers) from None
    except Exception as exc:
        which = dependency_down(exc)
        if which is not None:
            raise _unavailable(request, request_id, which, exc) from None
        log.exception("unhandled error (request id %s) on %s %s", request_id,
                      request.method, request.path)
        if not _wants_json(request):
            raise web.HTTPInternalServerError(text="Something went wrong. Request id: "
                                                   + request_id) from None
        raise ApiError(500, "internal", "Something went wrong on our side.",
                       headers={"X-Request-Id": request_id},
                       request_id=request_id) from None
    response.headers["X-Request-Id"] = request_id
    return response

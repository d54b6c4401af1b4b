"""JSON errors ``{"error": {"code", "message", ...}}`` and the middleware that ensures them."""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, NoReturn

from aiohttp import web
from pydantic import BaseModel, ValidationError

from taskpulse.keys import REQUEST_ID

log = logging.getLogger(__name__)

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                 415: "unsupported_media_type", 422: "validation_error",
                 429: "rate_limited", 500: "internal", 503: "unavailable"}


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
        fields.append({"field": loc, "message": err["msg"]})
    first = fields[0] if fields else {"field": "body", "message": "invalid"}
    return ApiError(422, "validation_error", f"{first['field']}: {first['message']}",
                    fields=fields)


async def parse_json(request: web.Request, model: type[BaseModel]) -> Any:
    """Read and validate a JSON body; 400/413/415/422 with the field named."""
    if request.body_exists and request.content_type not in ("application/json", ""):
        api_error(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        api_error(413, "payload_too_large", "The request body is too large.")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        api_error(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        api_error(400, "invalid_json", "The request body must be a JSON object.")
    try:
        return model.model_validate(data)
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


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
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
        message = exc.reason if exc.status != 413 else "The request body is too large."
        raise ApiError(exc.status, code, message,
                       headers={"X-Request-Id": request_id}) from None
    except Exception:
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

"""The chat page, the short-lived socket token, and the protocol module the page's JS imports.

Why a token in the page at all: the session cookie is HttpOnly (scripts cannot read it),
but the Socket.IO ``auth`` payload needs a JWT. Each live page gets its own token with a
short lifetime (``socket_token_ttl_seconds``, never past the session's expiry), rendered into a
``<meta>`` tag of a ``no-store`` page; a long-lived tab asks ``GET /api/auth/socket-token``
(cookie-authenticated, same-origin readable only) for a fresh one before it reconnects.
The 7-day session token itself never reaches JavaScript, and the page token is
socket-scoped: it opens a Socket.IO connection and nothing else (no API call, no
refresh into a session).
"""
from __future__ import annotations

import json
import time

from aiohttp import web

from taskpulse.auth.tokens import SOCKET
from taskpulse.keys import TOKENS
from taskpulse.protocol.events import NAMESPACE, PROTOCOL_VERSION, SERVER_EVENTS
from taskpulse.protocol.requests import CLIENT_EVENTS
from taskpulse.web.auth import authenticate
from taskpulse.web.credentials import token_from_request
from taskpulse.web.pages_common import (render, require_session, socket_context,
                                        socket_token_ttl)


async def chat_page(request: web.Request) -> web.StreamResponse:
    session = await require_session(request)
    socket = await socket_context(request, session)
    return await render(request, "chat.html", {}, session, socket=socket)


async def socket_token(request: web.Request) -> web.Response:
    """A fresh short-lived token for the Socket.IO auth payload of this user's page."""
    user_id = await authenticate(request)
    claims = request.app[TOKENS].verify(token_from_request(request)[0])
    ttl = socket_token_ttl(request, claims.expires_at)
    token = request.app[TOKENS].issue(user_id, ttl=ttl, scope=SOCKET)
    return web.json_response({"token": token, "expires_in": ttl,
                              "expires_at": int(time.time()) + ttl, "user_id": user_id},
                             headers={"Cache-Control": "no-store"})


def protocol_module() -> str:
    """Event names and the namespace as an ES module: defined once, in events.py."""
    server = {e.name: e.name for e in SERVER_EVENTS}
    client = {e.name: e.name for e in CLIENT_EVENTS}
    return (
        "// Generated from taskpulse.protocol.events: the Socket.IO protocol's names.\n"
        f"export const PROTOCOL_VERSION = {PROTOCOL_VERSION};\n"
        f"export const NAMESPACE = {json.dumps(NAMESPACE)};\n"
        f"export const EV = Object.freeze({json.dumps(server, indent=1)});\n"
        f"export const CLIENT = Object.freeze({json.dumps(client, indent=1)});\n"
    )


async def protocol_js(request: web.Request) -> web.Response:
    return web.Response(text=protocol_module(), content_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})

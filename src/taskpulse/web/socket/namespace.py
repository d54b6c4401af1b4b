"""The ``/chat`` namespace: authenticated connections, one room per user, client events.

Connections are authenticated in :meth:`ChatNamespace.on_connect` (see ``handshake``; the
account must still exist, and the user be under ``sio_max_connections_per_user``) and
refused with ``{code: "unauthorized" | "token_expired" | "too_many_connections" |
"unavailable", message}``. The server alone puts a
connection in its room, ``user:<id>`` (see ``stream``). Client events are validated with the
models in ``events``; anything unknown, malformed or over the flood limit gets an ack
``{error: {code, message}}`` (sent only if the client asked for an ack) and is logged.
Per-connection state lives in the Socket.IO session, never on this (shared) object.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from aiohttp import web
from pydantic import BaseModel, ValidationError

from taskpulse.agent.api import ChatError
from taskpulse.auth.tokens import SESSION, SOCKET, Claims, TokenError
from taskpulse.internals.connection_drop import drop_connection
from taskpulse.internals.idle_memory import compact_environ
from taskpulse.keys import AGENT, CONFIG, HOOKS, PUBLISHER, TOKENS
from taskpulse.protocol.timestamps import now_iso
from taskpulse.protocol.events import NAMESPACE
from taskpulse.protocol.requests import (CLIENT_EVENTS_BY_NAME, ChatSend, ChatSendAck, ClientEvent,
                                         ErrorAck, ErrorBody, PingAck, RefusalData, RoundTrip,
                                         RunCancel, RunCancelAck)
from taskpulse.web.credentials import OriginPolicy, find_credentials
from taskpulse.outages import RETRY_AFTER_SECONDS, dependency_down, unavailable_message
from taskpulse.web.socket.rate_limit import EventBudget
from taskpulse.web.socket.stream_opening import StreamOpener, requested_last_event_id
from taskpulse.web.socket.upgrades import UpgradeNotices
from taskpulse.web.socket.user_connections import Refused, UserConnections
from taskpulse.web.socket.verified_tokens import VerifiedTokens

log = logging.getLogger(__name__)

Ack = dict[str, Any]
Handler = Callable[[str, dict[str, Any], Any], Awaitable[Ack]]
RESERVED = ("connect", "disconnect")


def error_ack(code: str, message: str, retry_after: int | None = None) -> Ack:
    body = ErrorBody(code=code, message=message, retry_after=retry_after)
    return ErrorAck(error=body).model_dump(exclude_none=True)


def ok_ack(model: BaseModel) -> Ack:
    return model.model_dump()


def refuse(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """``connect_error`` with ``message`` and ``data: {code, message}``."""
    data = RefusalData(code=code, message=message).model_dump()  # type: ignore[arg-type]
    return socketio.exceptions.ConnectionRefusedError(message, data)


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class ChatNamespace(socketio.AsyncNamespace):
    def __init__(self, app: web.Application, sio: socketio.AsyncServer) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        config = app[CONFIG]
        self.origins = OriginPolicy(config.cors_allowed_origins)
        self.rate = config.sio_client_events_per_second
        self.connections = UserConnections(config.sio_max_connections_per_user)
        self.verified = VerifiedTokens()
        quick = "quick_drop" in app[HOOKS]

        async def drop(sid: str) -> None:
            await drop_connection(sio, sid, "its stream could not be opened", quick)

        self.streams = StreamOpener(sio, app[PUBLISHER], drop)
        self.upgrades = UpgradeNotices(sio)
        self.compact_environ = "lean_connections" in app[HOOKS]
        # Each connection's opening task (stream.py), only while it runs: a finished task
        # is not kept for the connection's lifetime (idle memory).
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._handlers: dict[str, Handler] = {
            "ping": self._ping, RoundTrip.name: self._ping, "chat_send": self._chat_send,
            "run_cancel": self._run_cancel}

    # ---- connection -----------------------------------------------------------------

    def authenticate(self, environ: dict[str, Any], auth: Any) -> Claims:
        creds = find_credentials(environ, auth)
        if creds.source == "cookie" and not self.origins.allows_cookie(environ):
            raise refuse("unauthorized", "The session cookie is only accepted from this "
                                         "site's own pages; send the token in auth.")
        try:
            # The one place a page's short-lived socket token is accepted.
            return self.verified.verify(self.app[TOKENS], creds.token, (SESSION, SOCKET))
        except TokenError as exc:
            code = "token_expired" if exc.code == "token_expired" else "unauthorized"
            raise refuse(code, exc.message) from None

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        claims = self.authenticate(environ, auth)
        try:    # the account still exists, and the user is under the connection cap
            await self.connections.admit(sid, claims.user_id)
        except Refused as exc:
            raise refuse(exc.code, exc.message) from None
        catch_up, last_event_id = requested_last_event_id(auth)
        on_polling = self.upgrades.transport(sid) == "polling"
        task = asyncio.create_task(self.streams.run(
            sid, claims.user_id, claims.expires_at, catch_up, last_event_id))
        self._tasks[sid] = task
        task.add_done_callback(lambda done: self._opened(sid, done, on_polling))
        await self.save_session(sid, {"user_id": claims.user_id,
                                      "bucket": EventBudget(self.rate)})
        if self.compact_environ:
            compact_environ(environ)
        log.info("user %s connected on %s", claims.user_id, sid)

    def _opened(self, sid: str, task: asyncio.Task[None], on_polling: bool) -> None:
        """The opening task ended: forget it; a connection that opened on long-polling is
        told when it is on WebSocket (after its welcome)."""
        if self._tasks.get(sid) is task:
            del self._tasks[sid]
        if on_polling and not task.cancelled():
            self.upgrades.watch(sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        task = self._tasks.get(sid)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self.streams.forget(sid)
        self.upgrades.forget(sid)
        self.connections.release(sid)
        log.info("%s disconnected (%s)", sid, reason)

    async def close(self) -> None:
        """Stop every connection's background task (server shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.streams.close()
        await self.upgrades.close()
        await self.connections.accounts.close()

    # ---- client events ----------------------------------------------------------------

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        if event in RESERVED:
            sid = args[0] if args else ""
            if not self.streams.connected(sid):   # the server's own connect/disconnect
                return await super().trigger_event(event, *args)
        try:
            return await self._client_event(event, args[0], args[1:])
        except Exception as exc:
            which = dependency_down(exc)
            if which is not None:
                log.warning("client event %.40r: %s unavailable", event, which)
                return error_ack("unavailable", unavailable_message(which),
                                 RETRY_AFTER_SECONDS)
            log.exception("handling client event %.40r failed", event)
            return error_ack("internal", "The server could not handle this event.")

    async def _client_event(self, event: Any, sid: str, args: tuple[Any, ...]) -> Ack:
        session = await self.get_session(sid)
        bucket: EventBudget | None = session.get("bucket")
        if bucket is None or "user_id" not in session:
            return error_ack("unauthorized", "Not connected.")
        wait = bucket.take()
        if wait:
            if not bucket.flooding:
                log.warning("%s is flooding; refusing events", sid)
            bucket.flooding = True
            return error_ack("rate_limited", "Too many events; slow down.",
                             EventBudget.retry_after(wait))
        bucket.flooding = False
        model = CLIENT_EVENTS_BY_NAME.get(event) if isinstance(event, str) else None
        if model is None:
            log.info("%s sent an unknown event %.40r", sid, event)
            return error_ack("unknown_event", f"Unknown event {str(event)[:40]!r}.")
        try:
            request = self._parse(model, args)
        except ValidationError as exc:
            log.info("%s sent a malformed %s", sid, event)
            return error_ack("invalid_payload", f"Bad {event} payload: {_summarise(exc)}")
        except ValueError as exc:
            log.info("%s sent a malformed %s", sid, event)
            return error_ack("invalid_payload", f"Bad {event} payload: {exc}")
        return await self._handlers[event](sid, session, request)

    @staticmethod
    def _parse(model: type[ClientEvent], args: tuple[Any, ...]) -> ClientEvent:
        if len(args) > 1:
            raise ValueError("send one object")
        payload = args[0] if args else None
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise ValueError("the payload must be an object")
        return model.model_validate(payload)

    async def _ping(self, sid: str, session: dict[str, Any], request: Any) -> Ack:
        return ok_ack(PingAck(server_time=now_iso()))

    async def _chat_send(self, sid: str, session: dict[str, Any], request: ChatSend) -> Ack:
        agent = self.app.get(AGENT)
        if agent is None:
            return error_ack("agent_unavailable", "The assistant is not available.")
        try:
            started = await agent.start(session["user_id"], request.message,
                                        request.conversation_id, request.client_msg_id)
        except ChatError as exc:
            return error_ack(exc.code, exc.message, exc.retry_after)
        return ok_ack(ChatSendAck(run_id=started.run_id,
                                  conversation_id=started.conversation_id,
                                  client_msg_id=request.client_msg_id))

    async def _run_cancel(self, sid: str, session: dict[str, Any], request: RunCancel) -> Ack:
        agent = self.app.get(AGENT)
        if agent is None:
            return error_ack("agent_unavailable", "The assistant is not available.")
        try:
            ok = await agent.cancel(session["user_id"], request.run_id)
        except ChatError as exc:
            return error_ack(exc.code, exc.message, exc.retry_after)
        return ok_ack(RunCancelAck(ok=ok, run_id=request.run_id))

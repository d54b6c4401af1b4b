"""The agent service (``app[AGENT]``): starts, waits for and cancels runs.

A run is started by a request but owned by the service: it keeps going when the
HTTP client or the tab that started it goes away. One run at a time per conversation.
No conversation state is kept between runs; everything is read from the database.

A message sent with a ``client_msg_id`` is sent once: a resend with the same id by the
same user within :data:`RESEND_WINDOW` (a mobile app retrying after a reconnect) gets the
original ``run_id`` and ``conversation_id`` back instead of a second message and run.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from aiohttp import web

from taskpulse.agent.api import ChatError, RunPeers, RunResult, RunStarted
from taskpulse.agent.inputs import clean_client_msg_id, clean_message, conversation_title
from taskpulse.agent.limits import ChatLimits
from taskpulse.agent.chat_views import message_dict, message_fields, tool_call_summary
from taskpulse.agent.restart_cleanup import mark_interrupted_runs, new_process_id
from taskpulse.agent.run_endings import FRIENDLY_ERRORS, message_created
from taskpulse.agent.runner import AgentRunner, RunState
from taskpulse.config import Config
from taskpulse.db.models import Message, Run, ToolCall
from taskpulse.db.run_writes import RunStart, now, start_run
from taskpulse.db.sql.common import CHAT_CHECKS
from taskpulse.db.sql.statement import as_datetime
from taskpulse.llm.base import LLMProvider
from taskpulse.delivery.outbox import Outbox, told
from taskpulse.delivery.publishing import EventSink
from taskpulse.delivery.user_locks import UserLocks
from taskpulse.tasks.service import TaskService, parse_uuid

log = logging.getLogger(__name__)

RESEND_WINDOW = timedelta(hours=24)
KEEP_FINISHED_SECONDS = 60


@dataclass
class _Handle:
    state: RunState
    task: asyncio.Task[RunResult]
    # Set when the run has ended, however its task ended: also a task cancelled before
    # its coroutine started (whose own clean-up then never ran).
    result: asyncio.Future[RunResult]
    ender: asyncio.Task[None] | None = None   # ends a run its task left unfinished


class AgentService:
    def __init__(self, config: Config, llm: LLMProvider, tasks: TaskService,
                 sink: EventSink, outbox: Outbox, process_id: str | None = None) -> None:
        self.config = config
        self.process_id = process_id or new_process_id()
        self.outbox = outbox
        self.runner = AgentRunner(config, llm, tasks, sink, outbox, self.process_id)
        self._runs: dict[str, _Handle] = {}
        self._active: dict[str, str] = {}           # conversation id -> run id
        self._lock = UserLocks()      # one start at a time per user
        self._closing = False
        self.peers: RunPeers | None = None   # the other processes (Redis; see coordination)

    def use_peers(self, peers: RunPeers) -> None:
        self.peers = peers

    # ---- AgentAPI ---------------------------------------------------------------------

    async def start(self, user_id: str, message: str, conversation_id: str | None = None,
                    client_msg_id: str | None = None) -> RunStarted:
        if self._closing:
            raise ChatError(503, "unavailable", "The server is restarting; try again shortly.")
        text = clean_message(message)
        msg_id = clean_client_msg_id(client_msg_id)
        peers = self.peers.start_lock(user_id) if self.peers else nullcontext()
        async with self._lock(user_id), peers:
            if msg_id is not None and (earlier := await self._resent(user_id, msg_id)):
                return earlier
            cid = await self._checked(user_id, conversation_id)
            state = await self._started(user_id, cid, text, msg_id)
            cid = state.conversation_id
            task = asyncio.create_task(self.runner.run(state), name=f"agent-run-{state.run_id}")
            handle = _Handle(state, task, asyncio.get_running_loop().create_future())
            task.add_done_callback(lambda done: self._task_ended(handle, done))
            self._active[cid] = state.run_id
            self._runs[state.run_id] = handle
        return RunStarted(state.run_id, cid)

    async def _started(self, user_id: str, conversation_id: str | None, text: str,
                       client_msg_id: str | None) -> RunState:
        """Save the message and its run (in a new conversation when ``conversation_id`` is
        None), its ``message_created`` in the outbox with them."""
        start = RunStart(user_id, conversation_id or str(uuid.uuid4()),
                         conversation_id is None, conversation_title(text),
                         str(uuid.uuid4()), self.process_id, str(uuid.uuid4()), text,
                         client_msg_id, now())
        event = message_created(message_fields(start.message_id, start.conversation_id,
                                               "user", text, start.run_id, start.at))
        row_id = await start_run(start, told(event))
        history = [{"role": "user", "content": text}] if start.new_conversation else None
        return RunState(user_id, start.run_id, start.conversation_id,
                        announced=self.outbox.pending([row_id], user_id, [event]),
                        history=history)

    async def wait(self, run_id: str) -> RunResult:
        handle = self._runs.get(run_id)
        if handle is not None:
            return await asyncio.shield(handle.result)
        return await self._result_from_db(run_id)

    async def cancel(self, user_id: str, run_id: str) -> bool:
        handle = self._runs.get(str(run_id))
        if handle is None and self.peers is not None:
            return await self.peers.cancel(str(user_id), str(run_id))
        if handle is None or handle.state.user_id != str(user_id) or handle.result.done():
            return False
        if handle.state.cancel_reason is not None:
            return True
        if handle.state.finishing:
            return False
        handle.state.cancel_reason = "user"
        handle.task.cancel()
        return True

    # ---- helpers for the HTTP API -----------------------------------------------------

    async def active_runs(self, user_id: str) -> dict[str, str]:
        """conversation id -> running run id, for this user's conversations."""
        rows = await Run.filter(owner_id=user_id, status="running").values_list(
            "conversation_id", "id")
        return {str(c): str(r) for c, r in rows}

    async def stop_conversation(self, user_id: str, conversation_id: str) -> None:
        """Cancel the conversation's run (if any here) and wait for it to end."""
        run_id = self._active.get(conversation_id)
        handle = self._runs.get(run_id) if run_id else None
        if handle is not None and handle.state.user_id == str(user_id):
            # Also a run past the point of cancelling (saving its reply): deleting the
            # conversation under it would lose its terminal event.
            await self.cancel(user_id, handle.state.run_id)
            if not handle.result.done():
                await asyncio.wait([handle.result], timeout=10)
        elif handle is None and self.peers is not None:
            await self.peers.stop_conversation(user_id, conversation_id)

    # ---- internals --------------------------------------------------------------------

    async def _checked(self, user_id: str, conversation_id: str | None) -> str | None:
        """The id of the user's idle conversation ``conversation_id`` (None: start a new
        one), once the chat limits allow another message: 404, 409 or 429 otherwise."""
        cid: str | None = None
        if conversation_id is not None and conversation_id != "":
            parsed = parse_uuid(conversation_id)
            if parsed is None:
                raise ChatError(400, "invalid_conversation_id",
                                "conversation_id must be a UUID.")
            cid = str(parsed)
        now = datetime.now(timezone.utc)
        limits = ChatLimits(self.config.chat_per_minute, self.config.chat_per_day, now)
        dead_before = now - timedelta(seconds=self.config.agent_run_timeout_seconds + 60)
        [row] = await CHAT_CHECKS.fetch(cid, user_id, dead_before, *limits.params())
        own, running, day_nth, minute_nth = row
        if cid is not None:
            if not own:
                raise ChatError(404, "conversation_not_found", "No such conversation.")
            if cid in self._active or running:
                raise ChatError(409, "run_in_progress",
                                "The assistant is still answering in this conversation. "
                                "Wait for it to finish or stop it first.")
        limits.check(as_datetime(day_nth), as_datetime(minute_nth))
        return cid

    async def _resent(self, user_id: str, client_msg_id: str) -> RunStarted | None:
        """The run of this user's message with ``client_msg_id``, if sent recently."""
        since = datetime.now(timezone.utc) - RESEND_WINDOW
        earlier = await Message.filter(
            owner_id=user_id, client_msg_id=client_msg_id, role="user",
            created_at__gte=since).order_by("-created_at").first()
        if earlier is None or earlier.run_id is None:
            return None
        log.info("user %s resent message %.40r; answering with run %s", user_id,
                 client_msg_id, earlier.run_id)
        return RunStarted(str(earlier.run_id),
                          str(earlier.conversation_id))  # type: ignore[attr-defined]

    def _task_ended(self, handle: _Handle, task: asyncio.Task[RunResult]) -> None:
        """Settle the run once its task is done. A task cancelled before its coroutine
        ever ran (a DELETE or shutdown in the same loop step), or one that did not get to
        end the run, is ended here: a status and one terminal event."""
        if not task.cancelled() and task.exception() is None:
            self._settle(handle, task.result())
            return
        if not task.cancelled():
            log.error("agent run %s failed", handle.state.run_id, exc_info=task.exception())
        handle.ender = asyncio.create_task(self._end_abandoned(handle),
                                           name=f"agent-run-end-{handle.state.run_id}")

    async def _end_abandoned(self, handle: _Handle) -> None:
        state = handle.state
        try:
            result = await self.runner.end_abandoned(state)
        except Exception:
            log.exception("could not end agent run %s", state.run_id)
            result = RunResult(state.run_id, state.conversation_id, "error",
                               FRIENDLY_ERRORS["internal"], None, list(state.tool_calls),
                               "internal")
        self._settle(handle, result)

    def _settle(self, handle: _Handle, result: RunResult) -> None:
        state = handle.state
        if self._active.get(state.conversation_id) == state.run_id:
            del self._active[state.conversation_id]
        asyncio.get_running_loop().call_later(
            KEEP_FINISHED_SECONDS, self._runs.pop, state.run_id, None)
        if not handle.result.done():
            handle.result.set_result(result)

    async def _result_from_db(self, run_id: str) -> RunResult:
        rid = parse_uuid(run_id)
        run = await Run.get_or_none(id=rid) if rid else None
        if run is None:
            raise ChatError(404, "run_not_found", "No such run.")
        deadline = asyncio.get_running_loop().time() + self.config.agent_run_timeout_seconds
        while run.status == "running" and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.25)       # a run of another process
            await run.refresh_from_db()
        reply = await Message.filter(run_id=run.id, role="assistant").first()
        steps = await ToolCall.filter(run_id=run.id).order_by("created_at")
        response = reply.content if reply else FRIENDLY_ERRORS.get(run.error, "")
        return RunResult(str(run.id), str(run.conversation_id),  # type: ignore[attr-defined]
                         run.status, response, message_dict(reply) if reply else None,
                         [tool_call_summary(s) for s in steps], run.error or None)

    async def startup(self) -> None:
        """One process: runs a crash left ``running`` are marked interrupted (its tabs
        resync, the event log having restarted with it). Several processes: the
        coordinator ends them, announced on every tab (``agent/orphaned_runs.py``)."""
        if self.peers is None:
            await mark_interrupted_runs(self.config.agent_run_timeout_seconds)

    def refuse_new_runs(self) -> None:
        self._closing = True

    async def drain(self, timeout: float) -> bool:
        """Refuse new runs and wait up to ``timeout`` for running ones; True if none is left."""
        self._closing = True
        results = [h.result for h in self._runs.values() if not h.result.done()]
        if results and timeout > 0:
            await asyncio.wait(results, timeout=timeout)
        return all(result.done() for result in results)

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Stop every run of this process; each ends as interrupted with agent_error."""
        self._closing = True
        results: list[asyncio.Future[RunResult]] = []
        for handle in list(self._runs.values()):
            if handle.result.done():
                continue
            if handle.state.cancel_reason is None and not handle.state.finishing:
                handle.state.cancel_reason = "shutdown"
                handle.task.cancel()
            results.append(handle.result)
        if results:
            await asyncio.wait(results, timeout=timeout)


def agent_ctx(agent: AgentService) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context: recover crashed runs at start-up; interrupt this process's runs
    at shutdown."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await agent.startup()
        yield
        await agent.shutdown()
    return ctx

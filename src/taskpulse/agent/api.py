"""What the rest of the app may ask of the agent (HTTP handlers and the Socket.IO namespace)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class ChatError(Exception):
    """A chat request refused before or while starting a run.

    ``status`` is the HTTP status; the Socket.IO namespace sends ``{"error": {code, message}}``
    in the ack instead (plus ``retry_after`` when set).
    """

    def __init__(self, status: int, code: str, message: str,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = (
            status, code, message, retry_after)


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    conversation_id: str


@dataclass(frozen=True)
class RunResult:
    run_id: str
    conversation_id: str
    status: str                       # done | error | cancelled | interrupted
    response: str
    message: dict[str, object] | None  # the saved assistant message, if any
    tool_calls: list[dict[str, object]]
    error: str | None = None           # the agent_error code when status is error/interrupted


class RunPeers(Protocol):
    """What the agent asks of the other processes (Redis; see ``coordination``)."""

    def start_lock(self, user_id: str) -> Any:
        """An async context manager held while a run of ``user_id`` is being started."""

    async def cancel(self, user_id: str, run_id: str) -> bool:
        """Cancel a run of another process; False when no live process runs it."""

    async def stop_conversation(self, user_id: str, conversation_id: str) -> None:
        """Cancel the conversation's run on another process and wait for it to end."""


class AgentAPI(Protocol):
    """What the app's adapters and its process lifecycle may ask of the agent."""

    process_id: str     # who runs a run (``Run.process_id``)

    async def start(self, user_id: str, message: str, conversation_id: str | None = None,
                    client_msg_id: str | None = None) -> RunStarted:
        """Validate, rate-limit, save the user message, start the run in the background."""

    async def wait(self, run_id: str) -> RunResult:
        """Wait for a run started by this process to finish."""

    async def cancel(self, user_id: str, run_id: str) -> bool:
        """Ask a run of this user to stop; False when there is no such running run."""

    async def active_runs(self, user_id: str) -> dict[str, str]:
        """conversation id -> id of its running run, for this user."""

    async def stop_conversation(self, user_id: str, conversation_id: str) -> None:
        """Cancel the conversation's running run, if any, and wait for it to end."""

    def use_peers(self, peers: RunPeers) -> None:
        """Several processes: reach runs of the others through ``peers``."""

    def refuse_new_runs(self) -> None:
        """From now on ``start`` refuses with 503 ``unavailable`` (the server is stopping)."""

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for running runs; True if none is left."""

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Stop every run of this process; each ends as interrupted."""

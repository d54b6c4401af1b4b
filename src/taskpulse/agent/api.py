"""What the rest of the app may ask of the agent (HTTP handlers and the Socket.IO namespace)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class AgentAPI(Protocol):
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

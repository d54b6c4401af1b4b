"""The Socket.IO event protocol, server -> client: every event name and payload, defined
once (client -> server requests and the handshake: ``protocol.requests``).

Server -> client events are pydantic models. Events of the user's stream carry an
envelope (``id``, ``ts``); run events add ``run_id``, ``conversation_id`` and ``seq``.
Connection-level notices (``connection_established``, ``transport_upgraded``, ``resync``,
``token_expired``) are not part of the stream and carry no ``id``. ``docs/asyncapi.yaml``
is generated from these models (``python -m taskpulse.tools.asyncapi``).
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
NAMESPACE = "/chat"


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


class Event(BaseModel):
    """Base of every server -> client payload."""
    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str]
    summary: ClassVar[str]
    stream: ClassVar[bool] = True
    run: ClassVar[bool] = False


def _envelope_required(schema: dict[str, Any]) -> None:
    """On the wire ``id`` and ``ts`` are always there (the defaults are the server's)."""
    required = schema.setdefault("required", [])
    schema["required"] = ["id", "ts"] + [name for name in required if name not in ("id", "ts")]
    for name in ("id", "ts"):
        schema.get("properties", {}).get(name, {}).pop("default", None)


class StreamEvent(Event):
    """An event of the user's stream. ``id`` and ``ts`` are filled in when it is published
    (``protocol.envelope``); a model built by the server leaves them empty."""
    model_config = ConfigDict(extra="forbid", json_schema_extra=_envelope_required)
    id: str = Field(default="", description="Ordered id within the user's stream (opaque; "
                    "send it back as last_event_id).", examples=["1764083562123-0"])
    ts: str = Field(default="", description="Server time, ISO 8601 UTC.",
                    examples=["2026-11-25T15:12:42.123Z"])


class RunEvent(StreamEvent):
    run: ClassVar[bool] = True
    run_id: str = Field(description="The agent run this event belongs to.")
    conversation_id: str
    seq: int = Field(ge=1, description="1, 2, 3... within the run.")


# ---- connection-level notices -------------------------------------------------------

class ConnectionEstablished(Event):
    name = "connection_established"
    summary = "First event after a successful connect: who you are and where the stream is."
    stream = False
    message: str = "Connected to real-time updates"
    user_id: str
    sid: str
    transport: Literal["websocket", "polling"] = Field(
        description="The transport when this notice was sent: polling for a client that "
                    "starts on long-polling (the default of most SDKs) and has not upgraded "
                    "yet; transport_upgraded follows once it is on WebSocket.")
    server_time: str
    protocol_version: int = PROTOCOL_VERSION
    last_event_id: str | None = Field(description="Newest id in your stream (null if empty).")


class TransportUpgraded(Event):
    name = "transport_upgraded"
    summary = ("A connection that opened on HTTP long-polling is now on WebSocket (sent once, "
               "after connection_established).")
    stream = False
    transport: Literal["websocket"] = "websocket"


class Resync(Event):
    name = "resync"
    summary = "The last_event_id you sent is unknown or too old: reload state over HTTP."
    stream = False
    reason: Literal["unknown_event_id", "too_old", "unavailable"]
    message: str


class TokenExpired(Event):
    name = "token_expired"
    summary = "Your token expired; the server disconnects you right after this notice."
    stream = False
    code: Literal["token_expired"] = "token_expired"
    message: str


# ---- agent run events -------------------------------------------------------------

class AgentThinking(RunEvent):
    name = "agent_thinking"
    summary = "The agent started working on a message."
    message: str = "Processing your request..."


class ToolStarting(RunEvent):
    name = "tool_starting"
    summary = "A tool call is starting."
    tool: str
    call_id: str
    message: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolProgress(RunEvent):
    name = "tool_progress"
    summary = "Real progress of a running tool (found N, 3 of 10 done)."
    tool: str
    call_id: str
    message: str
    count: int | None = None
    total: int | None = None


class ToolComplete(RunEvent):
    name = "tool_complete"
    summary = "A tool call succeeded (terminal for the call)."
    tool: str
    call_id: str
    message: str
    result: dict[str, Any] = Field(default_factory=dict)


class ToolError(RunEvent):
    name = "tool_error"
    summary = "A tool call failed (terminal for the call); the agent carries on."
    tool: str
    call_id: str
    message: str
    error: str


class AgentToken(RunEvent):
    name = "agent_token"
    summary = "A batch of reply text as it is generated."
    text: str


class AgentDone(RunEvent):
    name = "agent_done"
    summary = "The run finished; content is the whole reply (terminal for the run)."
    message: str = "Done!"
    message_id: str
    content: str


class AgentError(RunEvent):
    name = "agent_error"
    summary = "The run failed or was interrupted (terminal for the run)."
    code: str = Field(examples=["llm_unavailable", "interrupted", "internal"])
    message: str


class AgentCancelled(RunEvent):
    name = "agent_cancelled"
    summary = "The run was cancelled by the user (terminal for the run)."
    message: str = "Cancelled"
    message_id: str | None = None
    content: str = ""


# ---- data events ------------------------------------------------------------------

class ChatMessage(BaseModel):
    id: str
    conversation_id: str
    role: Literal["user", "assistant"]
    content: str
    run_id: str | None = None
    created_at: str


class MessageCreated(StreamEvent):
    name = "message_created"
    summary = "A chat message was saved (user or assistant), so every tab shows it."
    conversation_id: str
    run_id: str | None = None
    message: ChatMessage


class TaskData(BaseModel):
    id: str
    title: str
    description: str
    due_date: str | None
    due_time: str | None = None      # "HH:MM" (24-hour) on due_date, or null
    priority: Literal["low", "medium", "high"]
    completed: bool
    created_at: str
    updated_at: str


class TaskCreated(StreamEvent):
    name = "task_created"
    summary = "A task was created (from the API, a page or the agent)."
    task: TaskData


class TaskUpdated(StreamEvent):
    name = "task_updated"
    summary = "A task changed."
    task: TaskData


class TaskDeleted(StreamEvent):
    name = "task_deleted"
    summary = "A task was deleted."
    task_id: str
    task: TaskData


SERVER_EVENTS: tuple[type[Event], ...] = (
    ConnectionEstablished, TransportUpgraded, Resync, TokenExpired,
    AgentThinking, ToolStarting, ToolProgress, ToolComplete, ToolError, AgentToken,
    AgentDone, AgentError, AgentCancelled,
    MessageCreated, TaskCreated, TaskUpdated, TaskDeleted,
)
EVENTS_BY_NAME: dict[str, type[Event]] = {e.name: e for e in SERVER_EVENTS}
RUN_TERMINAL = (AgentDone.name, AgentError.name, AgentCancelled.name)
TOOL_TERMINAL = (ToolComplete.name, ToolError.name)

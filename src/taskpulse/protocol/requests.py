"""The Socket.IO event protocol, client -> server: requests, their acks, and the connect
handshake (``auth`` payload, refusal). Server -> client events: ``protocol.events``."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


# ---- client -> server -------------------------------------------------------------

class ClientEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
    name: ClassVar[str]
    summary: ClassVar[str]
    ack: ClassVar[type[BaseModel]]


class PingAck(BaseModel):
    server_time: str


class Ping(ClientEvent):
    name = "ping"
    summary = "Round-trip check; the ack carries the server time."
    ack = PingAck


class RoundTrip(ClientEvent):
    """``ping`` under a name no Socket.IO SDK reserves: Dart's socket_io_client 2.x treats
    ``ping`` as its own event name and never sends it."""
    name = "round_trip"
    summary = ("Round-trip check, the same as ping under a name no SDK reserves; the ack "
               "carries the server time.")
    ack = PingAck


class ChatSendAck(BaseModel):
    run_id: str
    conversation_id: str
    client_msg_id: str | None = None


class ChatSend(ClientEvent):
    name = "chat_send"
    summary = "Send a chat message; progress follows as run events."
    ack = ChatSendAck
    # Its length is the agent's check, after trimming, as over HTTP: message_empty and
    # message_too_long.
    message: str = Field(description="1 to 10,000 characters once trimmed; a blank one is "
                         "refused with message_empty, a longer one with message_too_long.")
    conversation_id: str | None = None
    client_msg_id: str | None = Field(
        default=None, max_length=100,
        description="Your id for this message (e.g. a UUID). Sending it again within 24 "
                    "hours (a retry after a reconnect) is acknowledged with the original "
                    "run_id and conversation_id; no second message or run is started.")


class RunCancelAck(BaseModel):
    ok: bool
    run_id: str


class RunCancel(ClientEvent):
    name = "run_cancel"
    summary = "Cancel a running agent run (any tab of the user may)."
    ack = RunCancelAck
    run_id: str


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_payload", "unknown_event", "rate_limited",
                                "agent_unavailable", "internal"])
    message: str
    retry_after: int | None = Field(default=None, description="Seconds to wait (rate limits).")


class ErrorAck(BaseModel):
    """What any client event's ack carries when the request is refused."""
    error: ErrorBody


CLIENT_EVENTS: tuple[type[ClientEvent], ...] = (Ping, RoundTrip, ChatSend, RunCancel)
CLIENT_EVENTS_BY_NAME: dict[str, type[ClientEvent]] = {e.name: e for e in CLIENT_EVENTS}


# ---- the connection handshake -----------------------------------------------------

class ConnectAuth(BaseModel):
    """The Socket.IO ``auth`` payload a client sends with its connect request."""
    model_config = ConfigDict(extra="ignore")
    token: str | None = Field(default=None, description="The JWT from /api/auth/login.")
    last_event_id: str | None = Field(
        default=None, description="The id of the last stream event this client received: "
                                  "the server replays everything after it.")


class RefusalData(BaseModel):
    code: Literal["unauthorized", "token_expired", "too_many_connections", "unavailable"]
    message: str


class ConnectRefused(BaseModel):
    """The ``connect_error`` a refused client receives (JS: ``err.message``, ``err.data``)."""
    message: str
    data: RefusalData

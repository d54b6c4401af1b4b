"""One realistic example of every event, ack and handshake payload (for docs/asyncapi.yaml).

They are model instances, so an example that does not match its schema fails at import.
"""
from __future__ import annotations

from pydantic import BaseModel

from taskpulse.protocol import events as ev
from taskpulse.protocol import requests as rq

_TS = "2026-11-25T15:12:42.123Z"
_RUN = {"id": "1764083562123-4", "ts": _TS, "run_id": "run_9f2c41d07a",
        "conversation_id": "6d1f0c2e-8a51-4c5b-b7a4-3e2d9f1a0b7c"}
_TASK = ev.TaskData(id="3f0b6a52-94d1-4c1e-8f5e-2b7d9c4a1e60", title="Buy milk",
                    description="", due_date="2026-11-26", priority="medium", completed=False,
                    created_at=_TS, updated_at=_TS)
_MESSAGE = ev.ChatMessage(id="b2c4e6f8-1a3b-4c5d-9e7f-0a1b2c3d4e5f",
                          conversation_id=_RUN["conversation_id"], role="assistant",
                          content="Added 'Buy milk' for tomorrow.", run_id=_RUN["run_id"],
                          created_at=_TS)

SERVER: dict[str, BaseModel] = {e.name: e for e in (
    ev.ConnectionEstablished(user_id="8c6d2f4e-0b1a-4e3c-9d5f-7a8b9c0d1e2f",
                             sid="Xk3f9Q2mZb7LrT0aAAAB", transport="websocket",
                             server_time=_TS, last_event_id="1764083562123-3"),
    ev.TransportUpgraded(),
    ev.Resync(reason="too_old",
              message="You missed more events than the server keeps; reload your data."),
    ev.TokenExpired(message="Your session has expired; refresh the token and reconnect."),
    ev.AgentThinking(**_RUN, seq=1),
    ev.ToolStarting(**_RUN, seq=2, tool="create_task", call_id="call_1",
                    message="Creating a new task...",
                    arguments={"title": "Buy milk", "due_date": "2026-11-26"}),
    ev.ToolProgress(**_RUN, seq=3, tool="complete_task", call_id="call_2",
                    message="Completed 1 of 2 tasks", count=1, total=2),
    ev.ToolComplete(**_RUN, seq=4, tool="create_task", call_id="call_1",
                    message="Created: Buy milk", result={"task": _TASK.model_dump()}),
    ev.ToolError(**_RUN, seq=4, tool="delete_task", call_id="call_3",
                 message="Could not delete the task", error="Task not found"),
    ev.AgentToken(**_RUN, seq=5, text="Added 'Buy milk' "),
    ev.AgentDone(**_RUN, seq=7, message_id=_MESSAGE.id, content=_MESSAGE.content),
    ev.AgentError(**_RUN, seq=3, code="llm_unavailable",
                  message="The assistant is not reachable right now. Please try again."),
    ev.AgentCancelled(**_RUN, seq=4, content="Added 'Buy"),
    ev.MessageCreated(id="1764083562130-0", ts=_TS, conversation_id=_MESSAGE.conversation_id,
                      run_id=_MESSAGE.run_id, message=_MESSAGE),
    ev.TaskCreated(id="1764083562124-0", ts=_TS, task=_TASK),
    ev.TaskUpdated(id="1764083562125-0", ts=_TS,
                   task=_TASK.model_copy(update={"completed": True})),
    ev.TaskDeleted(id="1764083562126-0", ts=_TS, task_id=_TASK.id, task=_TASK),
)}

CLIENT: dict[str, tuple[rq.ClientEvent, BaseModel]] = {
    rq.Ping.name: (rq.Ping(), rq.PingAck(server_time=_TS)),
    rq.RoundTrip.name: (rq.RoundTrip(), rq.PingAck(server_time=_TS)),
    rq.ChatSend.name: (
        rq.ChatSend(message="add buy milk for tomorrow", client_msg_id="m-17"),
        rq.ChatSendAck(run_id=_RUN["run_id"], conversation_id=_RUN["conversation_id"],
                       client_msg_id="m-17")),
    rq.RunCancel.name: (rq.RunCancel(run_id=_RUN["run_id"]),
                        rq.RunCancelAck(ok=True, run_id=_RUN["run_id"])),
}

ERROR_ACK = rq.ErrorAck(error=rq.ErrorBody(code="rate_limited",
                                           message="Too many events; slow down.",
                                           retry_after=1))
CONNECT_AUTH = rq.ConnectAuth(token="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4YzZk...",
                              last_event_id="1764083562123-3")
CONNECT_REFUSED = rq.ConnectRefused(
    message="Your session has expired; log in again.",
    data=rq.RefusalData(code="token_expired", message="Your session has expired; log in again."))

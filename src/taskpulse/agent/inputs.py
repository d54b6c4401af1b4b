"""A chat message as it is stored: checked, trimmed, and the title it gives a new conversation."""
from __future__ import annotations

from taskpulse.agent.api import ChatError
from taskpulse.tasks.schemas import text_problem

MAX_MESSAGE_CHARS = 10_000
MAX_CLIENT_MSG_ID_CHARS = 100


def clean_message(message: object) -> str:
    """The message as stored: ends trimmed, newlines kept. NUL and other control
    characters are refused (422 ``validation_error``), like in every other text field."""
    if not isinstance(message, str):
        raise ChatError(400, "invalid_message", "The message must be text.")
    problem = text_problem(message)
    if problem is not None:
        raise ChatError(422, "validation_error", f"message: {problem}")
    text = message.replace("\r\n", "\n").strip()
    if not text:
        raise ChatError(400, "message_empty", "The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ChatError(400, "message_too_long",
                        f"Messages can be at most {MAX_MESSAGE_CHARS:,} characters "
                        f"(this one has {len(text):,}).")
    return text


def clean_client_msg_id(value: object) -> str | None:
    """The sender's message id as stored (``None`` when not given or empty)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ChatError(400, "invalid_client_msg_id", "client_msg_id must be text.")
    if len(value) > MAX_CLIENT_MSG_ID_CHARS:
        raise ChatError(400, "invalid_client_msg_id", "client_msg_id can be at most "
                        f"{MAX_CLIENT_MSG_ID_CHARS} characters.")
    problem = text_problem(value)
    if problem is not None:
        raise ChatError(422, "validation_error", f"client_msg_id: {problem}")
    return value


def conversation_title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59].rstrip() + "…"

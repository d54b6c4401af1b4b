"""Server-rendered pages: the handlers the URL table names, from their modules.

``pages_auth`` (sign-up, log-in, log-out), ``pages_tasks`` (the board, usable without
JavaScript), ``pages_chat`` (the chat page, socket token, protocol module);
``pages_common`` holds the page session, CSRF checks and rendering.
"""
from __future__ import annotations

from taskpulse.web.pages_auth import (index, login_form, login_submit, logout, signup_form,
                                      signup_submit)
from taskpulse.web.pages_chat import chat_page, protocol_js, socket_token
from taskpulse.web.pages_tasks import (task_add, task_delete, task_edit, task_toggle,
                                       tasks_page)

__all__ = ["index", "signup_form", "signup_submit", "login_form", "login_submit", "logout",
           "tasks_page", "task_add", "task_toggle", "task_edit", "task_delete", "chat_page",
           "socket_token", "protocol_js"]

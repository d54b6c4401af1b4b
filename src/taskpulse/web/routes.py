"""The single URL table."""
from __future__ import annotations

from aiohttp import web

from taskpulse.web import (auth_api, chat_api, conversations_api, health, pages, runs_api,
                           tasks_api)

STATIC_DIR_NAME = "static"


def setup_routes(app: web.Application) -> None:
    r = app.router
    # Health
    r.add_get("/healthz", health.healthz, name="healthz")
    # Accounts
    r.add_post("/api/auth/signup", auth_api.signup, name="api_signup")
    r.add_post("/api/auth/login", auth_api.login, name="api_login")
    r.add_post("/api/auth/logout", auth_api.logout, name="api_logout")
    r.add_post("/api/auth/refresh", auth_api.refresh, name="api_refresh")
    r.add_get("/api/auth/me", auth_api.me, name="api_me")
    # Tasks
    r.add_get("/api/{user_id}/tasks", tasks_api.list_tasks, name="api_tasks")
    r.add_post("/api/{user_id}/tasks", tasks_api.create_task)
    r.add_get("/api/{user_id}/tasks/{task_id}", tasks_api.get_task, name="api_task")
    r.add_put("/api/{user_id}/tasks/{task_id}", tasks_api.replace_task)
    r.add_patch("/api/{user_id}/tasks/{task_id}", tasks_api.update_task)
    r.add_delete("/api/{user_id}/tasks/{task_id}", tasks_api.delete_task)
    r.add_patch("/api/{user_id}/tasks/{task_id}/complete", tasks_api.complete_task)
    # Chat (the agent)
    r.add_post("/api/{user_id}/chat", chat_api.chat, name="api_chat")
    r.add_get("/api/{user_id}/conversations", conversations_api.list_conversations,
              name="api_conversations")
    r.add_get("/api/{user_id}/conversations/{conversation_id}/messages",
              conversations_api.list_messages, name="api_conversation_messages")
    r.add_patch("/api/{user_id}/conversations/{conversation_id}",
                conversations_api.rename_conversation, name="api_conversation")
    r.add_delete("/api/{user_id}/conversations/{conversation_id}",
                 conversations_api.delete_conversation)
    r.add_get("/api/{user_id}/runs/{run_id}", runs_api.get_run, name="api_run")
    # Pages
    r.add_get("/", pages.index, name="index")
    r.add_get("/signup", pages.signup_form, name="signup")
    r.add_post("/signup", pages.signup_submit)
    r.add_get("/login", pages.login_form, name="login")
    r.add_post("/login", pages.login_submit)
    r.add_get("/logout", pages.logout, name="logout")
    r.add_post("/logout", pages.logout)
    r.add_get("/tasks", pages.tasks_page, name="tasks")
    r.add_post("/tasks", pages.task_add)
    r.add_post("/tasks/{task_id}/toggle", pages.task_toggle, name="task_toggle")
    r.add_post("/tasks/{task_id}/edit", pages.task_edit, name="task_edit")
    r.add_post("/tasks/{task_id}/delete", pages.task_delete, name="task_delete")
    r.add_get("/chat", pages.chat_page, name="chat")
    r.add_get("/api/auth/socket-token", pages.socket_token, name="api_socket_token")
    r.add_get("/js/protocol.js", pages.protocol_js, name="protocol_js")


def setup_static(app: web.Application, static_dir: str) -> None:
    app.router.add_static("/static/", static_dir, name="static", append_version=False)

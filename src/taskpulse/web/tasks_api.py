"""The tasks REST API: ``/api/{user_id}/tasks`` (the path user must be the token's).

Every change goes through the task service. Another user's task is reported exactly like a
task that does not exist (404 ``task_not_found``).
"""
from __future__ import annotations

from typing import NoReturn

from aiohttp import web
from tortoise.exceptions import IntegrityError

from taskpulse.keys import TASKS
from taskpulse.tasks.schemas import TaskComplete, TaskCreate, TaskQuery, TaskUpdate
from taskpulse.tasks.service import TaskNotFound
from taskpulse.tasks.views import task_dict
from taskpulse.web.auth import require_path_user
from taskpulse.web.errors import api_error, parse_json, parse_query


def _not_found() -> NoReturn:
    api_error(404, "task_not_found", "No such task.")


async def list_tasks(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    query = parse_query(request, TaskQuery)
    service = request.app[TASKS]
    tasks = await service.list(user_id, query)
    counts = await service.counts(user_id)
    return web.json_response({"tasks": [task_dict(t) for t in tasks], **counts})


async def create_task(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    data = await parse_json(request, TaskCreate)
    try:
        task = await request.app[TASKS].create(user_id, data)
    except IntegrityError:   # a valid token for an account that was deleted since
        api_error(401, "token_invalid", "This account no longer exists.")
    return web.json_response({"task": task_dict(task)}, status=201)


async def get_task(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    try:
        task = await request.app[TASKS].get(user_id, request.match_info["task_id"])
    except TaskNotFound:
        _not_found()
    return web.json_response({"task": task_dict(task)})


async def _update(request: web.Request,
                  model: type[TaskCreate] | type[TaskUpdate]) -> web.Response:
    user_id = await require_path_user(request)
    data = await parse_json(request, model)
    try:
        task = await request.app[TASKS].update(user_id, request.match_info["task_id"], data)
    except TaskNotFound:
        _not_found()
    return web.json_response({"task": task_dict(task)})


async def replace_task(request: web.Request) -> web.Response:
    return await _update(request, TaskCreate)


async def update_task(request: web.Request) -> web.Response:
    return await _update(request, TaskUpdate)


async def complete_task(request: web.Request) -> web.Response:
    """``{"completed": true|false}``; an empty body marks the task complete."""
    user_id = await require_path_user(request)
    data = await parse_json(request, TaskComplete)
    try:
        task = await request.app[TASKS].set_completed(
            user_id, request.match_info["task_id"], data.completed)
    except TaskNotFound:
        _not_found()
    return web.json_response({"task": task_dict(task)})


async def delete_task(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    try:
        snapshot = await request.app[TASKS].delete(user_id, request.match_info["task_id"])
    except TaskNotFound:
        _not_found()
    return web.json_response({"task": snapshot.model_dump()})

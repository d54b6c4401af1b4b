"""What a tool step says while it runs: the seed's per-tool wording, keyed by tool name.

``tool_starting`` and ``tool_complete`` messages come from here (snake_case tool names,
never title-cased), with the seed's "Running {tool}..." / "Completed {tool}" fallbacks.
"""
from __future__ import annotations

from typing import Any

STARTING = {
    "list_tasks": "Searching your tasks...",
    "add_task": "Creating a new task...",
    "update_task": "Updating your task...",
    "complete_task": "Updating task status...",
    "delete_task": "Deleting your task...",
    "complete_all_tasks": "Marking tasks as complete...",
    "delete_all_tasks": "Deleting tasks...",
}


def plural(n: int, word: str = "task") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def starting_message(tool: str, arguments: dict[str, Any]) -> str:
    if tool == "complete_all_tasks" and arguments.get("completed") is False:
        return "Marking tasks as pending..."
    if tool == "delete_all_tasks" and not arguments.get("confirmed"):
        return "Counting the tasks to delete..."
    return STARTING.get(tool, f"Running {tool}...")


def complete_message(tool: str, result: dict[str, Any]) -> str:
    if tool == "list_tasks":
        return f"Found {plural(int(result.get('total', 0)))}"
    if tool == "add_task":
        return f"Created: {result.get('task', {}).get('title', '')}"
    if tool == "update_task":
        return "Task updated"
    if tool == "complete_task":
        return "Task status updated"
    if tool == "delete_task":
        return "Task deleted"
    if tool == "complete_all_tasks":
        state = "complete" if result.get("completed", True) else "pending"
        return f"Marked {plural(int(result.get('updated_count', 0)))} as {state}"
    if tool == "delete_all_tasks":
        if result.get("requires_confirmation"):
            return f"Waiting for confirmation to delete {plural(int(result['task_count']))}"
        return f"Deleted {plural(int(result.get('deleted_count', 0)))}"
    return f"Completed {tool}"


def progress_message(done: int, total: int) -> str:
    return f"{done} of {total} done"

"""The offline agent's words: replies built from tool results, help and clarifications."""
from __future__ import annotations

from datetime import date
from typing import Any

from taskpulse.agent.offline.examples import closest_example
from taskpulse.tasks.dates import describe_due

HELP = (
    "I keep your to-do list. You can say things like:\n"
    "• \"add buy milk tomorrow at 5pm\" (add a date, a time or \"high priority\" if you "
    "like), or \"add apples, pears and plums\"\n"
    "• \"what's still open?\", \"what's due this week?\" or \"show completed tasks\"\n"
    "• \"mark buy milk done\", \"mark the first two done\" or \"reopen buy milk\"\n"
    "• \"rename buy milk to buy oat milk\", \"move it to friday\", \"make it high priority\"\n"
    "• \"delete buy milk\", \"delete everything I've completed\" or \"delete all tasks\" "
    "(I'll ask first)\n"
    "• several at once: \"add milk and mark the laundry done\"")
GREETING = ("Hi! I can add, list, complete, change and delete your tasks. "
            "What would you like to do?")
THANKS = "You're welcome! Anything else on your list?"
NO_LIST = ("Which tasks do you mean? Ask me to show your tasks first (\"what's open?\"), "
           "then you can say \"the first one\".")
NO_IT = "Which task do you mean? Tell me its title."
NOTHING_PENDING = "There's nothing waiting for a yes from you right now."
CANT_UNDO = ("I can't undo that change by itself. Tell me what to set back — for example: "
             "\"set {title} to medium priority\" or \"move {title} to friday\".")
CANT_UNDO_DELETE = ("I can't bring back a deleted task from here — the Undo button on the "
                    "task board can, for a few seconds. Or add it again: \"add {title}\".")
NOTHING_TO_UNDO = "There's nothing I changed in this chat to undo yet."
KEPT = "Okay, I won't delete anything."
ADD_WHAT = "What should the task say? For example: \"add buy milk tomorrow\"."
UPDATE_WHAT = ("What should I change — the title, the due date or the priority? For example: "
               "\"move it to friday at 9am\".")
NONE_SELECTED = "None of your tasks match that, so I left everything as it was."


def unclear(text: str) -> str:
    """What I can do, with the example closest to what was typed."""
    what, example = closest_example(text)
    return (f"I didn't catch that, but I can {what} — for example: \"{example}\". "
            "Say \"help\" to see everything I can do.")


def did_you_mean(titles: list[str]) -> str:
    names = " or ".join(f"\"{t}\"" for t in titles)
    return f"Did you mean {names}?"


_SUGGEST_START, _SUGGEST_END = "Do you want me to add \"", "\" as a task? Say \"yes\""


def suggest_add(text: str) -> str:
    return (f"{_SUGGEST_START}{text}{_SUGGEST_END} (or \"add {text}\") and I'll do it. "
            "Say \"help\" to see what else I can do.")


def suggested_add(reply: str) -> str:
    """The text a :func:`suggest_add` reply offered to add ("" if it is another reply)."""
    if reply.startswith(_SUGGEST_START) and _SUGGEST_END in reply:
        return reply[len(_SUGGEST_START):reply.rindex(_SUGGEST_END)]
    return ""


def out_of_range(count: int) -> str:
    if count == 0:
        return "Your last list was empty, so there's nothing to pick from."
    return f"Your last list only had {count} task{'s' if count != 1 else ''}."


def at_most(limit: int) -> str:
    """Said before a list that was asked for with more tasks than one list can hold."""
    return f"I can show at most {limit} tasks at a time."


def _label(status: str) -> str:
    return {"pending": "open task", "completed": "completed task"}.get(status, "task")


def _within(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return " due today or overdue"
    if days == 1:
        return " due by tomorrow"
    return f" due in the next {days} days"


def format_list(result: dict[str, Any], args: dict[str, Any], today: date) -> str:
    tasks = result.get("tasks") or []
    status = str(result.get("status") or args.get("status") or "all")
    label, within = _label(status), _within(args.get("due_within_days"))
    if not tasks:
        if status == "all" and not within:
            return "Your list is empty. Add something with \"add buy milk tomorrow\"."
        return f"You have no {label}s{within}."
    n = len(tasks)
    lines = [f"Here {'is' if n == 1 else 'are'} your {n} {label}{'' if n == 1 else 's'}"
             f"{within}:"]
    for i, t in enumerate(tasks, start=1):
        details = []
        if t.get("due_date"):
            due = date.fromisoformat(t["due_date"])
            overdue = due < today and not t.get("completed")    # as the board: "Overdue · …"
            details.append(("overdue, was due " if overdue else "due ")
                           + describe_due(due, today, t.get("due_time")))
        if t.get("priority") and t["priority"] != "medium":
            details.append(f"{t['priority']} priority")
        mark = "✓ " if t.get("completed") and status != "completed" else ""
        tail = f" — {', '.join(details)}" if details else ""
        lines.append(f"{i}. {mark}{t.get('title', '')}{tail}")
    return "\n".join(lines)


def compose(results: list[tuple[str, dict[str, Any], dict[str, Any]]], today: date) -> str:
    """One reply for this run's tool results, in order."""
    out: list[str] = []
    for tool, args, result in results:
        if tool == "list_tasks" and result.get("success"):
            out.append(format_list(result, args, today))
        elif tool == "delete_all_tasks" and result.get("requires_confirmation"):
            count = result.get("task_count", 0)
            out.append(f"This will delete {count} task{'s' if count != 1 else ''}. "
                       "Are you sure? Reply \"yes\" to delete or \"no\" to keep them.")
        else:
            out.append(str(result.get("message") or "Done."))
    return "\n".join(out) if out else "Done."

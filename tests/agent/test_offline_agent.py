"""The offline agent, phrase by phrase: the tool calls it makes and what they change.

Every case starts from the same four tasks (open: buy milk due tomorrow, call mom due in
3 days, pay rent high priority undated; done: water plants), may say some things first
in the same conversation ("before"), then says the phrase under test.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from taskpulse.db.models import Task
from tests.agent.conftest import chat

TODAY = datetime.now(timezone.utc).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def weekday(target: int, strictly_after: bool = False) -> str:
    ahead = (target - TODAY.weekday()) % 7
    return day(ahead or (7 if strictly_after else 0))


OPEN = ["what's still open?"]
IN_3_DAYS = (TODAY + timedelta(days=3)).strftime("%a")    # "Fri": the board's words
C: list[tuple[list[str], str, list[tuple[str, dict[str, Any]]], dict[str, Any]]] = [
    # ---- add ------------------------------------------------------------------------
    ([], "add buy eggs", [("add_task", {"title": "buy eggs"})], {"buy eggs": {}}),
    ([], "add buy bread tomorrow", [("add_task", {"title": "buy bread", "due_date": "tomorrow"})],
     {"buy bread": {"due_date": day(1)}}),
    ([], 'add "call the bank" for next friday', [("add_task", {"title": "call the bank"})],
     {"call the bank": {"due_date": weekday(4, True)}}),
    ([], "create a task to renew passport in 3 days", [("add_task", {"title": "renew passport"})],
     {"renew passport": {"due_date": day(3)}}),
    ([], "remind me to book dentist on monday", [("add_task", {"title": "book dentist"})],
     {"book dentist": {"due_date": weekday(0)}}),
    ([], "new task: clean the garage due 2031-05-01", [("add_task", {"title": "clean the garage"})],
     {"clean the garage": {"due_date": "2031-05-01"}}),
    ([], "I need to buy a gift", [("add_task", {"title": "buy a gift"})], {"buy a gift": {}}),
    ([], "add fix the sink with high priority", [("add_task", {"priority": "high"})],
     {"fix the sink": {"priority": "high"}}),
    ([], "add an urgent task to file taxes", [("add_task", {"title": "file taxes"})],
     {"file taxes": {"priority": "high"}}),
    ([], "put bake a cake on my list", [("add_task", {"title": "bake a cake"})],
     {"bake a cake": {}}),
    ([], "todo: read the monday report", [("add_task", {"title": "read the monday report"})],
     {"read the monday report": {"due_date": None}}),
    ([], "please add walk the dog tomorrow, low priority", [("add_task", {"priority": "low"})],
     {"walk the dog": {"due_date": day(1), "priority": "low"}}),
    ([], "could you add feed the cat?", [("add_task", {"title": "feed the cat"})],
     {"feed the cat": {}}),
    ([], "schedule a haircut next week", [("add_task", {"title": "haircut"})],
     {"haircut": {"due_date": day(7)}}),
    ([], "add", [], {"reply": "What should the task say"}),
    ([], "add renew insurance - notes: ask about the discount",
     [("add_task", {"title": "renew insurance", "description": "ask about the discount"})],
     {"renew insurance": {"description": "ask about the discount"}}),
    # ---- list -----------------------------------------------------------------------
    ([], "what's on my list?", [("list_tasks", {"status": "all"})],
     {"reply": ["buy milk", "water plants", "pay rent"]}),
    ([], "show my tasks", [("list_tasks", {})], {"reply": ["4 tasks"]}),
    ([], "what's still open?", [("list_tasks", {"status": "pending"})],
     {"reply": ["1. buy milk", "3. pay rent"], "not_reply": "water plants"}),
    ([], "what's open?", [("list_tasks", {"status": "pending"})],
     {"reply": ["buy milk — due tomorrow", f"call mom — due {IN_3_DAYS}\n"],
      "not_reply": day(3)}),                               # no ISO dates in a friendly reply
    ([], "show completed tasks", [("list_tasks", {"status": "completed"})],
     {"reply": "water plants", "not_reply": "buy milk"}),
    ([], "what have I done?", [("list_tasks", {"status": "completed"})], {"reply": "plants"}),
    ([], "what's due today?", [("list_tasks", {"due_within_days": 0})],
     {"reply": "no open tasks due today"}),
    ([], "what do I have to do tomorrow?", [("list_tasks", {"due_within_days": 1})],
     {"reply": "buy milk", "not_reply": "call mom"}),
    ([], "anything due this week?", [("list_tasks", {"due_within_days": 7})],
     {"reply": ["buy milk", "call mom"], "not_reply": "pay rent"}),
    ([], "show me the first 2 tasks", [("list_tasks", {"limit": 2})],
     {"reply": "2 tasks", "not_reply": "3."}),
    ([], "list everything", [("list_tasks", {"status": "all"})], {"reply": "4 tasks"}),
    ([], "how many tasks do I have?", [("list_tasks", {})], {"reply": "4 tasks"}),
    ([], "what did I finish?", [("list_tasks", {"status": "completed"})],
     {"reply": "water plants", "not_reply": "buy milk"}),
    # ---- complete -------------------------------------------------------------------
    ([], "mark buy milk as done", [("complete_task", {"task": "buy milk"})],
     {"buy milk": {"completed": True}}),
    ([], "complete pay rent", [("complete_task", {"task": "pay rent"})],
     {"pay rent": {"completed": True}}),
    ([], "I finished call mom", [("complete_task", {})], {"call mom": {"completed": True}}),
    ([], "done with buy milk", [("complete_task", {})], {"buy milk": {"completed": True}}),
    ([], "check off pay rent", [("complete_task", {})], {"pay rent": {"completed": True}}),
    ([], "buy milk is done", [("complete_task", {})], {"buy milk": {"completed": True}}),
    ([], "mark milk done", [("complete_task", {"task": "milk"})],
     {"buy milk": {"completed": True}}),
    (OPEN, "mark the first one done", [("complete_task", {"task": "#buy milk"})],
     {"buy milk": {"completed": True}, "call mom": {"completed": False}}),
    (OPEN, "mark the first two done", [("complete_task", {"task": "#buy milk"}),
                                       ("complete_task", {"task": "#call mom"})],
     {"buy milk": {"completed": True}, "call mom": {"completed": True},
      "pay rent": {"completed": False}}),
    (OPEN, "complete the last one", [("complete_task", {"task": "#pay rent"})],
     {"pay rent": {"completed": True}}),
    (OPEN, "mark 1 and 3 as done", [("complete_task", {}), ("complete_task", {})],
     {"buy milk": {"completed": True}, "call mom": {"completed": False},
      "pay rent": {"completed": True}}),
    (OPEN, "mark them all done", [("complete_task", {})] * 3,
     {"buy milk": {"completed": True}, "call mom": {"completed": True},
      "pay rent": {"completed": True}}),
    ([], "mark the first one done",                  # no list yet: the board's order
     [("list_tasks", {"status": "all"}), ("complete_task", {"task": "#buy milk"})],
     {"buy milk": {"completed": True}, "call mom": {"completed": False}}),
    (OPEN, "mark the fifth one done", [], {"reply": "only had 3 tasks"}),
    (OPEN, "mark the first " + "9" * 5000 + " done", [],        # past int()'s digit limit
     {"reply": "only had 3 tasks", "buy milk": {"completed": False}}),
    ([], "show me the first " + "9" * 5000 + " tasks", [("list_tasks", {"limit": 100})],
     {"reply": "at most 100 tasks"}),
    # ---- reopen ---------------------------------------------------------------------
    ([], "reopen water plants", [("complete_task", {"completed": False})],
     {"water plants": {"completed": False}}),
    ([], "mark water plants as not done", [("complete_task", {"completed": False})],
     {"water plants": {"completed": False}}),
    ([], "water plants isn't done yet", [("complete_task", {"completed": False})],
     {"water plants": {"completed": False}}),
    ([], "uncheck water plants", [("complete_task", {"completed": False})],
     {"water plants": {"completed": False}}),
    (["show completed tasks"], "mark the first one as pending",
     [("complete_task", {"task": "#water plants", "completed": False})],
     {"water plants": {"completed": False}}),
    # ---- rename, due date, priority -------------------------------------------------
    ([], "rename buy milk to buy oat milk", [("update_task", {"title": "buy oat milk"})],
     {"buy oat milk": {"due_date": day(1)}, "buy milk": None}),
    ([], "change the title of call mom to call dad", [("update_task", {"task": "call mom"})],
     {"call dad": {}, "call mom": None}),
    (OPEN, "rename the second one to call grandma",
     [("update_task", {"task": "#call mom", "title": "call grandma"})],
     {"call grandma": {"due_date": day(3)}}),
    ([], "move buy milk to friday", [("update_task", {"due_date": "friday"})],
     {"buy milk": {"due_date": weekday(4)}}),
    ([], "change the due date of pay rent to tomorrow", [("update_task", {"task": "pay rent"})],
     {"pay rent": {"due_date": day(1)}}),
    ([], "call mom is due next week", [("update_task", {"due_date": "next week"})],
     {"call mom": {"due_date": day(7)}}),
    ([], "postpone buy milk to in 3 days", [("update_task", {})],
     {"buy milk": {"due_date": day(3)}}),
    ([], "remove the due date from buy milk", [("update_task", {"due_date": "none"})],
     {"buy milk": {"due_date": None}}),
    ([], "make pay rent low priority", [("update_task", {"priority": "low"})],
     {"pay rent": {"priority": "low"}}),
    ([], "set the priority of buy milk to high", [("update_task", {"priority": "high"})],
     {"buy milk": {"priority": "high"}}),
    ([], "buy milk is urgent", [("update_task", {"priority": "high"})],
     {"buy milk": {"priority": "high"}}),
    (["add feed the fish"], "make it high priority",
     [("update_task", {"task": "#feed the fish", "priority": "high"})],
     {"feed the fish": {"priority": "high"}}),
    ([], "lower the priority of pay rent", [("update_task", {"priority": "low"})],
     {"pay rent": {"priority": "low"}}),
    ([], "change call mom to high priority", [("update_task", {"priority": "high"})],
     {"call mom": {"priority": "high"}, "high priority": None}),
    ([], "set buy milk to low priority",
     [("update_task", {"task": "buy milk", "priority": "low"})], {"buy milk": {"priority": "low"}}),
    # ---- delete ---------------------------------------------------------------------
    ([], "delete buy milk", [("delete_task", {"task": "buy milk"})], {"buy milk": None}),
    ([], "remove call mom from my list", [("delete_task", {"task": "call mom"})],
     {"call mom": None}),
    ([], "get rid of pay rent", [("delete_task", {})], {"pay rent": None}),
    (OPEN, "delete the second one", [("delete_task", {"task": "#call mom"})],
     {"call mom": None, "buy milk": {}}),
    ([], "delete the dentist appointment", [("delete_task", {}), ("list_tasks", {})],
     {"reply": "couldn't find", "ok": [False, True]}),      # looked for a close title: none
    (["add buy oat milk"], "delete milk", [("delete_task", {"task": "milk"})],
     {"reply": "Which one", "buy milk": {}, "buy oat milk": {}, "ok": [False]}),
    # ---- everything at once ---------------------------------------------------------
    ([], "mark everything done", [("complete_all_tasks", {"completed": True})],
     {"buy milk": {"completed": True}, "pay rent": {"completed": True}}),
    ([], "complete all tasks", [("complete_all_tasks", {})], {"call mom": {"completed": True}}),
    ([], "reopen all tasks", [("complete_all_tasks", {"completed": False})],
     {"water plants": {"completed": False}}),
    ([], "delete all tasks", [("delete_all_tasks", {"confirmed": False})],
     {"reply": "Are you sure", "buy milk": {}, "water plants": {}}),
    (["delete all tasks"], "yes", [("delete_all_tasks", {"confirmed": True})],
     {"buy milk": None, "water plants": None, "reply": "Deleted 4 tasks"}),
    (["delete all completed tasks"], "yes, delete them",
     [("delete_all_tasks", {"confirmed": True, "status": "completed"})],
     {"water plants": None, "buy milk": {}}),
    (["clear my list"], "no", [], {"reply": "won't delete", "buy milk": {}}),
    ([], "clear completed", [("delete_all_tasks", {"confirmed": False, "status": "completed"})],
     {"reply": "Are you sure", "water plants": {}}),
    (["remove the done ones"], "yes",
     [("delete_all_tasks", {"confirmed": True, "status": "completed"})],
     {"water plants": None, "buy milk": {}}),
    ([], "yes", [], {"reply": "nothing waiting", "buy milk": {}}),
    # ---- help and everything else ---------------------------------------------------
    ([], "help", [], {"reply": "add buy milk tomorrow"}),
    ([], "what can you do?", [], {"reply": "mark the first two done"}),
    ([], "hi", [], {"reply": "What would you like to do"}),
    ([], "thanks!", [], {"reply": "welcome"}),
    ([], "what's the weather like?", [], {"reply": "for example", "not_reply": "not sure"}),
    ([], "buy milk", [], {"reply": 'add "buy milk" as a task'}),
    (["buy bread"], "yes", [("add_task", {"title": "buy bread"})], {"buy bread": {}}),
    ([], "buy bread tomorrow at 5pm",                  # a to-do with a date: added
     [("add_task", {"title": "buy bread", "due_date": "tomorrow at 5pm"})],
     {"buy bread": {"due_date": day(1), "due_time": "17:00"}}),
    (["buy bread"], "no", [], {"reply": "okay", "buy bread": None}),
]


async def seed(client, acct) -> None:
    base = [({"title": "buy milk", "due_date": day(1)}, False),
            ({"title": "call mom", "due_date": day(3)}, False),
            ({"title": "pay rent", "priority": "high"}, False),
            ({"title": "water plants"}, True)]
    for data, done in base:
        resp = await client.post(f"/api/{acct.user_id}/tasks", json={**data, "completed": done},
                                 headers=acct.headers)
        assert resp.status == 201


@pytest.mark.parametrize("before, phrase, calls, outcome", C,
                         ids=[f"{i:02d}-{c[1][:40]}" for i, c in enumerate(C)])
async def test_offline_agent_phrasing(client, signup, before, phrase, calls, outcome):
    acct = await signup()
    await seed(client, acct)
    ids_before = {t.title: str(t.id) for t in await Task.filter(owner_id=acct.user_id)}
    cid = None
    for said in before:
        cid = (await chat(client, acct, said, cid))["conversation_id"]
    ids_before.update({t.title: str(t.id) for t in await Task.filter(owner_id=acct.user_id)})
    body = await chat(client, acct, phrase, cid)

    resp = await client.get(f"/api/{acct.user_id}/runs/{body['run_id']}", headers=acct.headers)
    steps = (await resp.json())["run"]["steps"]
    assert [s["tool"] for s in steps] == [tool for tool, _ in calls], body["response"]
    for step, (_, expected) in zip(steps, calls):
        for key, value in expected.items():
            if isinstance(value, str) and value.startswith("#"):
                value = ids_before[value[1:]]
            assert step["arguments"].get(key, "all" if key == "status" else None) == value, \
                (key, step["arguments"])
    if "ok" in outcome:
        assert [s["ok"] for s in steps] == outcome["ok"]
    else:
        assert all(s["ok"] for s in steps), steps
    reply = body["response"]
    wanted = outcome.get("reply", [])
    for text in [wanted] if isinstance(wanted, str) else wanted:
        assert text.lower() in reply.lower(), reply
    if "not_reply" in outcome:
        assert outcome["not_reply"].lower() not in reply.lower(), reply
    tasks = {t.title: t for t in await Task.filter(owner_id=acct.user_id)}
    for title, fields in outcome.items():
        if title in ("reply", "not_reply", "ok"):
            continue
        if fields is None:
            assert title not in tasks, f"{title} should be gone"
            continue
        assert title in tasks, f"{title} missing; have {sorted(tasks)}"
        for key, value in fields.items():
            actual = getattr(tasks[title], key)
            actual = actual.isoformat() if hasattr(actual, "isoformat") else actual
            assert actual == value, (title, key, actual)

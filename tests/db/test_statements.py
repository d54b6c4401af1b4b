"""The hot-path SQL statements give the ORM's answers on SQLite and on PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from taskpulse.auth.accounts import existing_accounts
from taskpulse.db.models import Conversation, Message, OutboxEvent, Run, ToolCall
from taskpulse.db.run_writes import (CutStep, RunEnd, RunStart, Told, add_tool_call, claim_orphan,
                                     end_run, start_run)
from taskpulse.db.sql import common, postgres
from taskpulse.db.sql.common import CHAT_CHECKS, END_RUN, RECENT_MESSAGES, TOUCH_CONVERSATION
from taskpulse.db.sql.statement import Statement, as_datetime

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

NOW = datetime.now(timezone.utc).replace(microsecond=500_000)


async def _conversation(client, signup):  # the app's database is open while client runs
    acct = await signup()
    conv = await Conversation.create(owner_id=acct.user_id, title="t")
    return acct, str(conv.id)


async def _sent(user_id: str, cid: str, at: datetime, role: str = "user") -> None:
    message = await Message.create(conversation_id=cid, owner_id=user_id, role=role,
                                   content="x")
    await Message.filter(id=message.id).update(created_at=at)


async def _checks(cid, user_id, *, dead_before=NOW - timedelta(minutes=5),
                  day=(NOW - timedelta(hours=2), 0), minute=(NOW - timedelta(minutes=1), 0)):
    [row] = await CHAT_CHECKS.fetch(cid, user_id, dead_before, *day, *minute)
    own, running, day_nth, minute_nth = row
    return bool(own), bool(running), as_datetime(day_nth), as_datetime(minute_nth)


async def test_chat_checks_read_the_nth_newest_sent_today_and_this_minute(client, signup):
    acct, cid = await _conversation(client, signup)
    for seconds in (3600, 50, 20, 10):
        await _sent(acct.user_id, cid, NOW - timedelta(seconds=seconds))
    await _sent(acct.user_id, cid, NOW - timedelta(seconds=5), role="assistant")
    day, minute = NOW - timedelta(hours=2), NOW - timedelta(minutes=1)

    assert await _checks(cid, acct.user_id, day=(day, 3), minute=(minute, 2)) == (
        True, False, NOW - timedelta(seconds=3600), NOW - timedelta(seconds=50))
    # assistant messages do not count: there is no 5th today nor 4th this minute
    assert (await _checks(cid, acct.user_id, day=(day, 4), minute=(minute, 3)))[2:] == (
        None, None)
    other = await signup()
    assert await _checks(None, other.user_id) == (False, False, None, None)   # new one
    assert await _checks(cid, other.user_id) == (False, False, None, None)    # not theirs


async def test_chat_checks_see_a_running_run_but_not_ended_or_stale_ones(client, signup):
    acct, cid = await _conversation(client, signup)
    cutoff = NOW - timedelta(minutes=5)
    run = await Run.create(owner_id=acct.user_id, conversation_id=cid, process_id="p")
    assert (await _checks(cid, acct.user_id, dead_before=cutoff))[1] is True
    await Run.filter(id=run.id).update(started_at=cutoff - timedelta(seconds=1))
    assert (await _checks(cid, acct.user_id, dead_before=cutoff))[1] is False
    await Run.filter(id=run.id).update(started_at=NOW, status="done")
    assert (await _checks(cid, acct.user_id, dead_before=cutoff))[1] is False


async def test_end_run_changes_a_running_run_once(client, signup):
    acct, cid = await _conversation(client, signup)
    run = await Run.create(owner_id=acct.user_id, conversation_id=cid, process_id="p")
    assert await END_RUN.execute(str(run.id), "done", "", NOW) == 1
    assert await END_RUN.execute(str(run.id), "error", "internal", NOW) == 0
    await run.refresh_from_db()
    assert (run.status, run.error, run.finished_at) == ("done", "", NOW)


async def test_touch_conversation_sets_updated_at(client, signup):
    acct, cid = await _conversation(client, signup)
    later = NOW + timedelta(minutes=3)
    assert await TOUCH_CONVERSATION.execute(cid, later) == 1
    assert (await Conversation.get(id=cid)).updated_at == later


def _start(acct, cid: str | None, text: str = "hi ☃", msg_id: str | None = "c-1") -> RunStart:
    return RunStart(acct.user_id, cid or str(uuid.uuid4()), cid is None, "Buy milk", str(
        uuid.uuid4()), "host:1:x", str(uuid.uuid4()), text, msg_id, datetime.now(timezone.utc))


def _end(start: RunStart, status: str, reply: str | None = None) -> RunEnd:
    return RunEnd(start.owner_id, start.conversation_id, start.run_id, "host:2:y", status,
                  "" if status == "done" else "internal", start.at + timedelta(seconds=1),
                  str(uuid.uuid4()) if reply is not None else None, reply)


async def _outbox(user_id: str) -> list[tuple[int, str, str, dict]]:
    rows = await OutboxEvent.filter(user_id=user_id).order_by("id").values_list(
        "id", "process_id", "name", "payload")
    return [tuple(r) for r in rows]


async def test_a_run_starts_and_ends_in_rows_the_orm_reads_back(client, signup):
    acct, cid = await _conversation(client, signup)
    before = (await Conversation.get(id=cid)).updated_at
    start = _start(acct, cid)
    row_id = await start_run(start, Told("message_created", {"text": "hi ☃"}))
    assert (await Conversation.get(id=cid)).updated_at > before
    assert await _outbox(acct.user_id) == [
        (row_id, "host:1:x", "message_created", {"text": "hi ☃"})]
    await add_tool_call(start.run_id, "call_1", "list_tasks", {"status": "open"}, True,
                        "2 tasks", "", {"success": True, "tasks": []}, 1.5)
    run = await Run.get(id=start.run_id)
    assert (run.status, run.process_id, run.error, run.finished_at) == (
        "running", "host:1:x", "", None)
    message = await Message.get(id=start.message_id)
    assert (message.role, message.content, str(message.run_id), message.client_msg_id,
            message.created_at) == ("user", "hi ☃", start.run_id, "c-1", start.at)
    [step] = await ToolCall.filter(run_id=start.run_id)
    assert (step.tool, step.arguments, step.ok, step.result, step.duration_ms) == (
        "list_tasks", {"status": "open"}, True, {"success": True, "tasks": []}, 1.5)

    await OutboxEvent.filter(user_id=acct.user_id).delete()
    end = _end(start, "done", "hello")
    changed, ids = await end_run(end, Told("message_created", {"m": 1}),
                                 Told("agent_done", {"d": 1}))
    assert changed and (await Run.get(id=start.run_id)).status == "done"
    assert await _outbox(acct.user_id) == [
        (ids[0], "host:2:y", "message_created", {"m": 1}),
        (ids[1], "host:2:y", "agent_done", {"d": 1})]
    rows = await RECENT_MESSAGES.fetch(cid, 10)
    assert [(r[0], r[1], str(r[2])) for r in rows] == [
        ("assistant", "hello", start.run_id), ("user", "hi ☃", start.run_id)]
    assert (await Message.get(id=end.reply_id)).created_at == end.at


async def test_a_run_ended_elsewhere_keeps_a_late_reply_without_a_second_ending(
        client, signup):
    acct, cid = await _conversation(client, signup)
    start = _start(acct, cid)
    await start_run(start, Told("message_created", {}))
    assert (await end_run(_end(start, "done"), None, Told("agent_done", {})))[0]
    await OutboxEvent.filter(user_id=acct.user_id).delete()

    changed, ids = await end_run(_end(start, "error", "late"), Told("message_created", {}),
                                 Told("agent_error", {}))
    assert not changed and len(ids) == 1
    assert [r[2] for r in await _outbox(acct.user_id)] == ["message_created"]
    changed, ids = await end_run(_end(start, "error"), None, Told("agent_error", {}))
    assert (changed, ids) == (False, [])
    assert (await Run.get(id=start.run_id)).status == "done"
    assert await Message.filter(run_id=start.run_id, content="late").exists()


async def test_a_new_conversation_starts_with_its_run(client, signup):
    acct = await signup()
    start = _start(acct, None, "buy milk", None)
    await start_run(start, Told("message_created", {}))
    conversation = await Conversation.get(id=start.conversation_id)
    assert (conversation.title, str(conversation.owner_id)) == ("Buy milk", acct.user_id)
    assert str((await Run.get(id=start.run_id)).conversation_id) == start.conversation_id
    assert [r[2] for r in await _outbox(acct.user_id)] == ["message_created"]


async def test_a_failed_start_leaves_nothing_behind(client, signup):
    acct = await signup()
    start = _start(acct, str(uuid.uuid4()))     # the message's conversation does not exist
    with pytest.raises(Exception):
        await start_run(start, Told("message_created", {}))
    assert await Run.filter(owner_id=acct.user_id).count() == 0
    assert await Message.filter(owner_id=acct.user_id).count() == 0
    assert await _outbox(acct.user_id) == []


async def test_an_orphan_is_claimed_once_with_its_cut_steps_and_events(client, signup):
    acct, cid = await _conversation(client, signup)
    start = _start(acct, cid)
    await start_run(start, Told("message_created", {}))
    await OutboxEvent.filter(user_id=acct.user_id).delete()
    cut = [CutStep("call_1", "complete_tasks", {"ids": ["a"]}, "Interrupted (last: 3/9).")]
    told = [Told("tool_error", {"call_id": "call_1"}), Told("agent_error", {})]

    ids = await claim_orphan(start.run_id, acct.user_id, "host:3:z", cut, told)
    assert ids is not None and [r[2] for r in await _outbox(acct.user_id)] == [
        "tool_error", "agent_error"]
    run = await Run.get(id=start.run_id)
    assert (run.status, run.error) == ("interrupted", "interrupted")
    [step] = await ToolCall.filter(run_id=start.run_id)
    assert (step.call_id, step.ok, step.error, step.message) == (
        "call_1", False, "interrupted", "Interrupted (last: 3/9).")
    assert await claim_orphan(start.run_id, acct.user_id, "host:4:w", cut, told) is None
    assert len(await _outbox(acct.user_id)) == 2
    assert await ToolCall.filter(run_id=start.run_id).count() == 1


async def test_the_inserts_of_the_sqlite_write_path_also_run_on_postgresql(client, signup):
    """SQLite starts and ends runs with these; PostgreSQL has one-statement forms, and the
    same inserts must still run there."""
    acct, cid = await _conversation(client, signup)
    run_id, message_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert await common.INSERT_RUN.execute(run_id, acct.user_id, cid, "p1", NOW) == 1
    assert await common.INSERT_MESSAGE.execute(message_id, cid, acct.user_id, "user", "hi",
                                               run_id, "m-1", NOW) == 1
    run = await Run.get(id=run_id)
    message = await Message.get(id=message_id)
    assert (run.status, run.process_id, run.started_at) == ("running", "p1", NOW)
    assert (message.content, str(message.run_id), message.client_msg_id) == ("hi", run_id, "m-1")


async def test_existing_accounts_names_the_ids_that_have_an_account(client, signup):
    """One query for many users; ids are padded to a power of two, an id that is no UUID
    (or no user's) has no account, and each id comes back as it was asked."""
    first, second = await signup(), await signup()
    gone, upper = str(uuid.uuid4()), first.user_id.upper()
    asked = [first.user_id, second.user_id, gone, "not-a-uuid", upper]
    assert await existing_accounts(asked) == {first.user_id, second.user_id, upper}
    assert await existing_accounts(["not-a-uuid"]) == set()


def _statements(module: object) -> dict[str, Statement]:
    return {name: value for name, value in vars(module).items() if isinstance(value, Statement)}


async def test_every_hand_written_statement_ran_on_each_of_its_dialects(database_url):
    """Runs last in this module (pytest keeps file order): by now the tests above have run
    every statement of ``db.sql.common`` on this dialect, and on PostgreSQL every one of
    ``db.sql.postgres`` too. A statement added without a test fails here."""
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgres"
    wanted = _statements(common) | (_statements(postgres) if dialect == "postgres" else {})
    assert sorted(name for name, s in wanted.items() if dialect not in s.ran_on) == []

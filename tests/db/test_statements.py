"""The hot-path SQL statements give the ORM's answers on SQLite and on PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from taskpulse.db.models import Conversation, Message, Run, ToolCall
from taskpulse.db.run_writes import add_tool_call, end_run, start_run
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


async def test_a_run_starts_and_ends_in_rows_the_orm_reads_back(client, signup):
    acct, cid = await _conversation(client, signup)
    before = (await Conversation.get(id=cid)).updated_at
    same, run_id, message_id, at = await start_run(acct.user_id, cid, "unused", "hi ☃",
                                                   "host:1:x", "c-1")
    assert same == cid and (await Conversation.get(id=cid)).updated_at > before
    await add_tool_call(run_id, "call_1", "list_tasks", {"status": "open"}, True, "2 tasks", "",
                        {"success": True, "tasks": []}, 1.5)
    run = await Run.get(id=run_id)
    assert (run.status, run.process_id, run.error, run.finished_at) == (
        "running", "host:1:x", "", None)
    message = await Message.get(id=message_id)
    assert (message.role, message.content, str(message.run_id), message.client_msg_id,
            message.created_at) == ("user", "hi ☃", run_id, "c-1", at)
    [step] = await ToolCall.filter(run_id=run_id)
    assert (step.tool, step.arguments, step.ok, step.result, step.duration_ms) == (
        "list_tasks", {"status": "open"}, True, {"success": True, "tasks": []}, 1.5)

    changed, (reply_id, _) = await end_run(run_id, cid, acct.user_id, "done", "", "hello")
    assert changed and (await Run.get(id=run_id)).status == "done"
    rows = await RECENT_MESSAGES.fetch(cid, 10)
    assert [(r[0], r[1], str(r[2])) for r in rows] == [
        ("assistant", "hello", run_id), ("user", "hi ☃", run_id)]
    # ended elsewhere already: the reply is kept, the status is not changed again
    changed, saved = await end_run(run_id, cid, acct.user_id, "error", "internal", "late")
    assert not changed and saved is not None
    assert (await Run.get(id=run_id)).status == "done"


async def test_a_new_conversation_starts_with_its_run(client, signup):
    acct = await signup()
    cid, run_id, _, _ = await start_run(acct.user_id, None, "Buy milk", "buy milk",
                                        "host:1:x", None)
    conversation = await Conversation.get(id=cid)
    assert (conversation.title, str(conversation.owner_id)) == ("Buy milk", acct.user_id)
    assert str((await Run.get(id=run_id)).conversation_id) == cid


async def test_a_failed_start_leaves_nothing_behind(client, signup):
    acct = await signup()
    with pytest.raises(Exception):   # the message's conversation does not exist
        await start_run(acct.user_id, str(uuid.uuid4()), "t", "hi", "host:1:x", None)
    assert await Run.filter(owner_id=acct.user_id).count() == 0
    assert await Message.filter(owner_id=acct.user_id).count() == 0


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


def _statements(module: object) -> dict[str, Statement]:
    return {name: value for name, value in vars(module).items() if isinstance(value, Statement)}


async def test_every_hand_written_statement_ran_on_each_of_its_dialects(database_url):
    """Runs last in this module (pytest keeps file order): by now the tests above have run
    every statement of ``db.sql.common`` on this dialect, and on PostgreSQL every one of
    ``db.sql.postgres`` too. A statement added without a test fails here."""
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgres"
    wanted = _statements(common) | (_statements(postgres) if dialect == "postgres" else {})
    assert sorted(name for name, s in wanted.items() if dialect not in s.ran_on) == []

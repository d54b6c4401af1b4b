"""The hot-path SQL statements give the ORM's answers on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from taskpulse.db.models import Conversation, Message, Run
from taskpulse.db.statements import (END_RUN, NTH_NEWEST_SENT, OWN_CONVERSATION,
                                     RUNNING_IN_CONVERSATION, TOUCH_CONVERSATION, as_datetime)

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


async def test_nth_newest_sent_reads_the_day_and_the_minute_in_one_row(client, signup):
    acct, cid = await _conversation(client, signup)
    for seconds in (3600, 50, 20, 10):
        await _sent(acct.user_id, cid, NOW - timedelta(seconds=seconds))
    await _sent(acct.user_id, cid, NOW - timedelta(seconds=5), role="assistant")
    day_start, minute_ago = NOW - timedelta(hours=2), NOW - timedelta(minutes=1)

    [row] = await NTH_NEWEST_SENT.fetch(acct.user_id, day_start, 3, minute_ago, 2)
    assert as_datetime(row[0]) == NOW - timedelta(seconds=3600)   # 4th newest today
    assert as_datetime(row[1]) == NOW - timedelta(seconds=50)     # 3rd newest this minute
    [row] = await NTH_NEWEST_SENT.fetch(acct.user_id, day_start, 4, minute_ago, 3)
    assert row[0] is None and row[1] is None                      # assistant rows not counted
    other = await signup()
    [row] = await NTH_NEWEST_SENT.fetch(other.user_id, day_start, 0, minute_ago, 0)
    assert tuple(row) == (None, None)


async def test_running_in_conversation_ignores_ended_and_stale_runs(client, signup):
    acct, cid = await _conversation(client, signup)
    cutoff = NOW - timedelta(minutes=5)
    run = await Run.create(owner_id=acct.user_id, conversation_id=cid, process_id="p")
    assert await RUNNING_IN_CONVERSATION.fetch(cid, cutoff)
    await Run.filter(id=run.id).update(started_at=cutoff - timedelta(seconds=1))
    assert not await RUNNING_IN_CONVERSATION.fetch(cid, cutoff)
    await Run.filter(id=run.id).update(started_at=NOW, status="done")
    assert not await RUNNING_IN_CONVERSATION.fetch(cid, cutoff)


async def test_end_run_changes_a_running_run_once(client, signup):
    acct, cid = await _conversation(client, signup)
    run = await Run.create(owner_id=acct.user_id, conversation_id=cid, process_id="p")
    assert await END_RUN.execute(str(run.id), "done", "", NOW) == 1
    assert await END_RUN.execute(str(run.id), "error", "internal", NOW) == 0
    await run.refresh_from_db()
    assert (run.status, run.error, run.finished_at) == ("done", "", NOW)


async def test_own_conversation_and_touch(client, signup):
    acct, cid = await _conversation(client, signup)
    other = await signup()
    assert await OWN_CONVERSATION.fetch(cid, acct.user_id)
    assert not await OWN_CONVERSATION.fetch(cid, other.user_id)
    later = NOW + timedelta(minutes=3)
    assert await TOUCH_CONVERSATION.execute(cid, later) == 1
    assert (await Conversation.get(id=cid)).updated_at == later

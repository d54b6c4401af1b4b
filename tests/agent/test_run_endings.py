"""A run's ending (agent/run_endings.py) commits with its events: the reply's
``message_created`` and the one terminal event reach the tabs even when the process dies
right after the commit, and a run another process already ended gets no second ending."""
from __future__ import annotations

import uuid

import pytest

from taskpulse.agent.run_endings import RunEndings
from taskpulse.db.models import Conversation, Message, OutboxEvent, Run
from taskpulse.db.run_writes import RunStart, Told, now, start_run
from taskpulse.delivery.outbox import GRACE_SECONDS
from taskpulse.delivery.publishing import RunEmitter
from taskpulse.keys import OUTBOX
from tests.delivery.crashes import killed_after_commit
from tests.delivery.test_outbox import rows_left

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


async def _running(user_id: str, process_id: str) -> RunStart:
    """A running run in a new conversation, its start already announced."""
    conversation = await Conversation.create(owner_id=user_id, title="t")
    start = RunStart(user_id, str(conversation.id), False, "t", str(uuid.uuid4()),
                     process_id, str(uuid.uuid4()), "hi", None, now())
    await start_run(start, Told("message_created", {}))
    await OutboxEvent.filter(user_id=user_id).delete()
    return start


async def test_a_finished_run_announces_its_reply_then_done_and_leaves_no_row(
        client, signup, open_tab, app):
    acct = await signup()
    tab = await open_tab(acct)
    start = await _running(acct.user_id, app[OUTBOX].process_id)
    endings = RunEndings(app[OUTBOX].sink, app[OUTBOX], app[OUTBOX].process_id)
    emitter = RunEmitter(app[OUTBOX].sink, acct.user_id, start.run_id, start.conversation_id,
                         seq=3)
    result = await endings.done(emitter, "All set.", [])
    assert result.status == "done" and result.message is not None
    await tab.wait_stream(2)
    [(first, created), (second, done)] = tab.stream()
    assert (first, second) == ("message_created", "agent_done")
    assert created["message"] == result.message
    assert (done["seq"], done["message_id"], done["content"]) == (4, result.message["id"],
                                                                  "All set.")
    saved = await Message.get(id=result.message["id"])
    assert saved.content == "All set."
    await rows_left(0)


async def test_a_run_ended_elsewhere_sends_its_reply_but_no_second_ending(
        client, signup, open_tab, app):
    acct = await signup()
    tab = await open_tab(acct)
    start = await _running(acct.user_id, app[OUTBOX].process_id)
    await Run.filter(id=start.run_id).update(status="interrupted")     # another process
    endings = RunEndings(app[OUTBOX].sink, app[OUTBOX], app[OUTBOX].process_id)
    emitter = RunEmitter(app[OUTBOX].sink, acct.user_id, start.run_id, start.conversation_id)
    result = await endings.done(emitter, "late", [])
    assert (result.status, result.error) == ("interrupted", "interrupted")
    await tab.wait_stream(1)
    assert [name for name, _ in tab.stream()] == ["message_created"]
    await rows_left(0)


DYING_ENDER = """
    from taskpulse.agent.run_endings import RunEndings
    from taskpulse.delivery.publishing import RunEmitter

    async def main():
        await start()
        sink, pid = DiesOnPublish(), new_process_id()
        endings = RunEndings(sink, Outbox(sink, pid, gone_of), pid)
        user_id, run_id, conversation_id = sys.argv[1:4]
        await endings.done(RunEmitter(sink, user_id, run_id, conversation_id, seq=5),
                           "Saved before the crash.", [])
"""


async def test_a_process_killed_after_ending_a_run_still_ends_it_on_every_tab(
        client, signup, open_tab, app, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("another process shares the database on PostgreSQL only")
    acct = await signup()
    tab = await open_tab(acct)
    start = await _running(acct.user_id, "elsewhere:1:x")
    killed_after_commit(app, DYING_ENDER, acct.user_id, start.run_id, start.conversation_id)
    assert (await Run.get(id=start.run_id)).status == "done"          # saved...
    await tab.wait_stream(2, timeout=GRACE_SECONDS + 10)               # ...and announced
    [(first, created), (second, done)] = tab.stream()
    assert (first, second) == ("message_created", "agent_done")
    assert created["message"]["content"] == "Saved before the crash."
    assert (done["seq"], done["message_id"]) == (6, created["message"]["id"])
    await rows_left(0)

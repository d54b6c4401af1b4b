"""Client -> server events: ping, chat_send, run_cancel; bad input never breaks anything."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.db.models import Message
from taskpulse.protocol.events import RUN_TERMINAL


def run_events(tab, run_id: str) -> list[tuple[str, dict]]:
    return [(n, d) for n, d in tab.stream() if d.get("run_id") == run_id and "seq" in d]


def run_finished(tab, run_id: str) -> bool:
    return any(n in RUN_TERMINAL for n, _ in run_events(tab, run_id))


async def test_ping_acks_with_server_time(signup, open_tab):
    tab = await open_tab(await signup())
    ack = await tab.call("ping")
    assert set(ack) == {"server_time"} and ack["server_time"].endswith("Z")


async def test_chat_send_starts_a_run_whose_events_reach_every_tab(signup, open_tab):
    acct = await signup()
    sender, other = await open_tab(acct), await open_tab(acct)
    ack = await sender.call("chat_send", {"message": "add buy milk for tomorrow",
                                          "client_msg_id": "c-9"})
    assert set(ack) == {"run_id", "conversation_id", "client_msg_id"}, ack
    assert ack["client_msg_id"] == "c-9"
    for tab in (sender, other):
        await tab.wait_for(lambda tab=tab: run_finished(tab, ack["run_id"]))
    events = run_events(sender, ack["run_id"])
    assert events == run_events(other, ack["run_id"])
    assert [d["seq"] for _, d in events] == list(range(1, len(events) + 1))
    assert events[0][0] == "agent_thinking" and events[-1][0] == "agent_done"
    assert {d["conversation_id"] for _, d in events} == {ack["conversation_id"]}


async def test_chat_errors_from_the_agent_come_back_in_the_ack(signup, open_tab):
    tab = await open_tab(await signup())
    ack = await tab.call("chat_send", {"message": "hi", "conversation_id": "not-a-uuid"})
    assert ack["error"]["code"] == "invalid_conversation_id"
    ack = await tab.call("chat_send", {"message": " \n "})
    assert ack["error"]["code"] == "message_empty"


async def test_chat_send_length_is_checked_after_trimming_like_over_http(signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    ack = await tab.call("chat_send", {"message": "x" * 10_001})
    assert ack["error"]["code"] == "message_too_long"
    ack = await tab.call("chat_send", {"message": "  " + "x" * 10_000 + "\n"})
    assert "run_id" in ack, ack
    assert await Message.filter(owner_id=acct.user_id, role="user").count() == 1
    for blank in ("", "  \n "):
        ack = await tab.call("chat_send", {"message": blank})
        assert ack["error"]["code"] == "message_empty", ack


@pytest.mark.parametrize("message", ["add buy\x00milk", "add \x1b[31mred"])
async def test_chat_send_with_control_characters_gets_an_ack_error(signup, open_tab, message):
    acct = await signup()
    tab = await open_tab(acct)
    ack = await tab.call("chat_send", {"message": message})
    assert ack["error"]["code"] == "validation_error"
    assert ack["error"]["message"].startswith("message: must not contain")
    assert await Message.filter(owner_id=acct.user_id).count() == 0


async def test_run_cancel_of_an_unknown_run_is_not_ok(signup, open_tab):
    tab = await open_tab(await signup())
    ack = await tab.call("run_cancel", {"run_id": "no-such-run"})
    assert ack == {"ok": False, "run_id": "no-such-run"}


@pytest.mark.parametrize("event, args, fragment", [
    ("chat_send", ({"message": 5},), "message"),
    ("chat_send", ({"message": "hi", "user_id": "someone-else"},), "user_id"),
    ("chat_send", ("add milk",), "object"),
    ("chat_send", ({"message": "a"}, {"message": "b"}), "one object"),
    ("chat_send", (), "message"),
    ("chat_send", ({"message": "hi", "client_msg_id": "x" * 101},), "client_msg_id"),
    ("run_cancel", ({},), "run_id"),
    ("ping", ({"t": 1},), "t"),
])
async def test_malformed_payloads_get_an_invalid_payload_ack(signup, open_tab, event, args,
                                                             fragment):
    tab = await open_tab(await signup())
    ack = await tab.call(event, *args)
    assert ack["error"]["code"] == "invalid_payload"
    assert fragment in ack["error"]["message"]


async def test_unknown_events_without_ack_are_ignored_and_the_connection_lives_on(
        signup, open_tab):
    tab = await open_tab(await signup())
    await tab.client.emit("no_such_event", {"x": 1}, namespace="/chat")
    await tab.client.emit("chat_send", "garbage", namespace="/chat")
    assert (await tab.call(12345))["error"]["code"] == "unknown_event"
    assert "server_time" in await tab.call("ping")
    assert tab.client.connected


async def test_flooding_client_is_rate_limited_without_affecting_others(signup, open_tab):
    acct = await signup()
    flooder, calm = await open_tab(acct), await open_tab(acct)
    acks = await asyncio.gather(*(flooder.call("ping") for _ in range(60)))
    limited = [a for a in acks if "error" in a]
    assert limited and all(a["error"]["code"] == "rate_limited" for a in limited)
    assert all(a["error"]["retry_after"] >= 1 for a in limited)
    assert len(acks) - len(limited) >= 20
    assert "server_time" in await calm.call("ping")
    await asyncio.sleep(1)
    assert "server_time" in await flooder.call("ping")


async def test_oversized_message_closes_only_that_connection(config, signup, open_tab):
    acct = await signup()
    big, other = await open_tab(acct), await open_tab(acct)
    await big.client.emit("chat_send", {"message": "x" * (config.sio_max_message_bytes + 1)},
                          namespace="/chat")
    await big.wait_for(lambda: big.disconnected.is_set(), timeout=10)
    assert "server_time" in await other.call("ping")


async def test_an_unexpected_failure_is_an_internal_error_ack_not_a_crash(
        app, signup, open_tab, monkeypatch):
    """A defect inside the agent (simulated) must not leak or break the connection."""
    from taskpulse.keys import AGENT

    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app[AGENT], "start", broken)
    tab = await open_tab(await signup())
    ack = await tab.call("chat_send", {"message": "hi"})
    assert ack["error"]["code"] == "internal"
    assert "secret" not in ack["error"]["message"]
    assert "server_time" in await tab.call("ping")

"""Packets the server cannot even decode: one warning per connection (never a traceback per
packet), and the connection closed after a few; other connections are not affected."""
from __future__ import annotations

import asyncio
import logging

import pytest

from taskpulse.web.socket.packet_guard import MALFORMED_PACKET_LIMIT
from tests.web.raw_http import raw_request

# Socket.IO packets (inside an Engine.IO message) that python-socketio cannot handle.
MALFORMED = [
    '2/chat,{"not json',           # an event whose data is not JSON
    "2/chat,",                      # an event without data
    "2/chat,{}",                    # an event whose data is not a list
    "2/chat,[]",                    # an event without a name
    "2/chat,5",
    "9",                            # no such packet type
    "4/chat,{}",                    # CONNECT_ERROR is the server's to send
    "51-[]",                        # a binary event outside any namespace the client is on
]


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def guard_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "taskpulse.web.socket.packet_guard"
            and r.levelno == logging.WARNING]


# A long-polling client sends what it has queued in one request, and python-engineio takes
# at most 16 packets from one request: the polling flood is smaller.
@pytest.mark.parametrize("transports, count", [(["websocket"], 200), (["polling"], 12)])
async def test_a_flood_of_malformed_packets_is_one_warning_and_a_closed_connection(
        signup, open_tab, caplog, transports, count):
    acct = await signup()
    tab, other = await open_tab(acct, transports=transports), await open_tab(acct)
    caplog.clear()
    for n in range(count):
        await tab.client.eio.send(MALFORMED[n % len(MALFORMED)])
    await tab.wait_for(lambda: tab.disconnected.is_set(), timeout=10)
    assert problems(caplog) == []
    assert len(guard_warnings(caplog)) == 1
    assert sum(len(r.getMessage()) for r in caplog.records) < 5_000
    assert "server_time" in await other.call("ping")


async def test_a_few_malformed_packets_are_survived_and_bad_payloads_do_not_count(
        signup, open_tab, caplog):
    tab = await open_tab(await signup())
    caplog.clear()
    for packet in MALFORMED[:MALFORMED_PACKET_LIMIT - 1]:
        await tab.client.eio.send(packet)
    for _ in range(MALFORMED_PACKET_LIMIT):      # well-formed, with a bad payload
        ack = await tab.call("chat_send", {"message": 5})
        assert ack["error"]["code"] == "invalid_payload"
    assert "server_time" in await tab.call("ping")
    assert tab.client.connected and not tab.disconnected.is_set()
    assert problems(caplog) == [] and len(guard_warnings(caplog)) == 1


async def test_a_long_polling_request_engineio_cannot_decode_is_a_one_line_warning(
        base_url, caplog):
    """python-engineio takes at most 16 packets from one request; more was a traceback."""
    opened = await raw_request(base_url, "GET", "/socket.io/?EIO=4&transport=polling")
    sid = opened.body.decode().split('"sid":"')[1].split('"')[0]
    caplog.clear()
    resp = await raw_request(base_url, "POST", f"/socket.io/?EIO=4&transport=polling&sid={sid}",
                             [(b"Content-Type", b"text/plain")], b"\x1e".join([b"6"] * 20))
    assert resp.status < 500
    assert problems(caplog) == []
    assert [r.name for r in caplog.records if r.levelno == logging.WARNING] == [
        "taskpulse.web.socket.engine_log"]


async def test_a_binary_event_is_answered_at_once_and_swallows_no_later_event(
        client, signup, open_tab):
    """``451-``: python-socketio would wait for an attachment and take the next packet
    for it; Taskpulse has no binary events and answers it like a plain one."""
    acct = await signup()
    tab = await open_tab(acct)
    await tab.client.eio.send('51-/chat,["ping"]')
    assert "server_time" in await tab.call("ping", timeout=3)
    async with client.session.ws_connect(
            client.make_url("/socket.io/?EIO=4&transport=websocket")) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str(f'40/chat,{{"token": "{acct.token}"}}')
        assert (await ws.receive_str()).startswith("40/chat,")
        await ws.send_str('451-/chat,7["chat_send",{"_placeholder":true,"num":0}]')
        await ws.send_str('42/chat,8["ping"]')
        answers: list[str] = []
        while len([a for a in answers if a.startswith("43/chat,")]) < 2:
            answers.append(await asyncio.wait_for(ws.receive_str(), 5))
    acks = [a for a in answers if a.startswith("43/chat,")]
    assert acks[0].startswith('43/chat,7[{"error":{"code":"invalid_payload"'), acks
    assert acks[1].startswith('43/chat,8[{"server_time"'), acks

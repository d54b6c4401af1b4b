"""What native SDKs send that browsers do not: the Swift client's ``ws://`` Origin, and a
round-trip event under a name Dart's socket_io_client 2.x does not reserve."""
from __future__ import annotations

import pytest
import socketio


def websocket_origin(base_url: str) -> str:
    """The Origin socket.io-client-swift 16 (Starscream) sends: its socket URL's."""
    return base_url.replace("http://", "ws://", 1)


@pytest.mark.parametrize("transports", [["websocket"], ["polling", "websocket"]])
async def test_the_swift_clients_websocket_origin_for_this_server_connects(
        signup, open_tab, base_url, transports):
    acct = await signup()
    tab = await open_tab(acct, transports=transports,
                         headers={"Origin": websocket_origin(base_url)})
    assert tab.welcome()["user_id"] == acct.user_id
    assert "server_time" in await tab.call("ping")


@pytest.mark.parametrize("origin", ["ws://evil.example", "ws://127.0.0.1:1", "wss://{host}"])
async def test_a_websocket_origin_naming_another_server_is_refused(
        signup, new_tab, base_url, origin):
    acct = await signup()
    tab = new_tab()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await tab.connect({"token": acct.token},
                          headers={"Origin": origin.format(host=base_url.split("//")[1])})
    assert tab.events == []


async def test_round_trip_answers_like_ping_under_a_name_no_sdk_reserves(signup, open_tab):
    tab = await open_tab(await signup())
    ack = await tab.call("round_trip")
    assert set(ack) == {"server_time"} and ack["server_time"].endswith("Z")
    ack = await tab.call("round_trip", {"unexpected": 1})
    assert ack["error"]["code"] == "invalid_payload"

"""Connecting to /chat: where the token may come from, what is refused, token expiry."""
from __future__ import annotations

import time

import jwt
import pytest
import socketio

from taskpulse.auth.tokens import SOCKET
from taskpulse.keys import SIO, TOKENS
from taskpulse.protocol.events import PROTOCOL_VERSION
from taskpulse.internals.idle_memory import ENVIRON_KEPT
from tests.web.socket.conftest import add_task


async def test_connection_established_comes_first_and_describes_the_connection(
        client, signup, open_tab):
    acct = await signup()
    await add_task(client, acct, "before")
    tab = await open_tab(acct)
    name, welcome = tab.events[0]
    assert name == "connection_established"
    assert welcome["user_id"] == acct.user_id
    assert welcome["sid"] == tab.client.get_sid("/chat")
    assert welcome["transport"] == "websocket"
    assert welcome["protocol_version"] == PROTOCOL_VERSION
    assert welcome["last_event_id"] is not None and welcome["server_time"].endswith("Z")
    assert tab.stream() == []   # no last_event_id sent: nothing is replayed


async def test_token_is_accepted_from_header_query_and_same_origin_cookie(
        signup, open_tab, base_url):
    acct = await signup()
    by_header = await open_tab(headers={"Authorization": f"Bearer {acct.token}"})
    by_query = await open_tab(query=f"token={acct.token}")
    by_cookie = await open_tab(headers={
        "Cookie": f"theme=dark; taskpulse_token={acct.token}", "Origin": base_url})
    for tab in (by_header, by_query, by_cookie):
        assert tab.welcome()["user_id"] == acct.user_id


async def test_auth_payload_wins_over_other_sources(signup, open_tab):
    alice, bob = await signup(), await signup()
    tab = await open_tab(auth={"token": alice.token},
                         headers={"Authorization": f"Bearer {bob.token}"})
    assert tab.welcome()["user_id"] == alice.user_id


async def test_a_socket_scoped_page_token_opens_the_connection_and_chats(
        app, signup, open_tab):
    acct = await signup()
    page_token = app[TOKENS].issue(acct.user_id, ttl=600, scope=SOCKET)
    tab = await open_tab(auth={"token": page_token})
    assert tab.welcome()["user_id"] == acct.user_id
    ack = await tab.call("chat_send", {"message": "help"})
    assert "run_id" in ack, ack


async def test_an_expired_socket_token_is_refused_with_token_expired(app, signup, new_tab):
    acct = await signup()
    old = app[TOKENS].issue(acct.user_id, now=time.time() - 3600, ttl=60, scope=SOCKET)
    refusal = await refused(new_tab(), auth={"token": old})
    assert refusal["data"]["code"] == "token_expired"


async def refused(tab, **kwargs) -> dict:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await tab.connect(**kwargs)
    assert tab.refusal is not None, "the namespace did not send connect_error"
    assert tab.events == []
    return tab.refusal


async def test_missing_token_is_refused_as_unauthorized(new_tab):
    refusal = await refused(new_tab(), auth={})
    assert refusal["data"] == {"code": "unauthorized", "message": "Authentication required."}
    assert refusal["message"] == "Authentication required."


async def test_bad_signature_is_refused_as_unauthorized(signup, new_tab):
    acct = await signup()
    forged = jwt.encode({"sub": acct.user_id, "iat": int(time.time()),
                         "exp": int(time.time()) + 600}, "x" * 40, algorithm="HS256")
    refusal = await refused(new_tab(), auth={"token": forged})
    assert refusal["data"]["code"] == "unauthorized"


async def test_malformed_bearer_header_is_refused(new_tab):
    refusal = await refused(new_tab(), auth=None, headers={"Authorization": "Token abc"})
    assert refusal["data"]["code"] == "unauthorized"


async def test_expired_token_is_refused_with_token_expired(app, signup, new_tab):
    acct = await signup()
    old = app[TOKENS].issue(acct.user_id, now=time.time() - 3600, ttl=60)
    refusal = await refused(new_tab(), auth={"token": old})
    assert refusal["data"]["code"] == "token_expired"


async def test_polling_client_is_refused_the_same_way(new_tab):
    refusal = await refused(new_tab(["polling"]), auth={"token": "not-a-jwt"})
    assert refusal["data"]["code"] == "unauthorized"


async def test_cookie_from_a_foreign_origin_is_refused(signup, new_tab):
    acct = await signup()
    tab = new_tab()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await tab.connect(headers={"Cookie": f"taskpulse_token={acct.token}",
                                   "Origin": "http://evil.example"})
    assert tab.events == []


async def test_token_expiry_sends_token_expired_then_disconnects(app, signup, open_tab):
    acct = await signup()
    short = app[TOKENS].issue(acct.user_id, ttl=2)
    tab = await open_tab(auth={"token": short})
    await tab.wait_for(lambda: tab.disconnected.is_set(), timeout=6)
    assert tab.names() == ["connection_established", "token_expired"]
    assert tab.events[-1][1]["code"] == "token_expired"


async def test_a_client_cannot_fake_the_reserved_connect_and_disconnect_events(
        client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    for event in ("connect", "disconnect"):
        ack = await tab.call(event, {"token": acct.token})
        assert ack["error"]["code"] == "unknown_event"
    await add_task(client, acct, "still live")
    await tab.wait_stream(1)
    assert tab.names() == ["connection_established", "task_created"]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_the_default_namespace_is_refused_while_chat_still_works(
        signup, open_tab, base_url, transport):
    """Only /chat (which checks the token) accepts connections; "/" has no handlers and
    must not hold unauthenticated connections open."""
    client = socketio.AsyncClient(reconnection=False)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(base_url, transports=[transport], namespaces=["/"],
                                 wait_timeout=5)
        assert not client.connected
    finally:
        await client.disconnect()
    tab = await open_tab(await signup(), transports=[transport])
    assert tab.welcome()["transport"] == transport


@pytest.mark.hooks     # lean_connections trims the kept environ
async def test_a_connected_tab_keeps_only_the_handshake_part_of_its_request(
        app, signup, open_tab):
    account = await signup()
    await open_tab(account, headers={"User-Agent": "x" * 300, "Accept-Language": "en"})
    [environ] = app[SIO].environ.values()
    assert "HTTP_USER_AGENT" not in environ and "HTTP_ACCEPT_LANGUAGE" not in environ
    assert set(environ) <= ENVIRON_KEPT and "QUERY_STRING" in environ

"""What the live pages hand to their JavaScript: token, stream position, protocol, assets."""
from __future__ import annotations

import re
import time

import pytest

from taskpulse.app import create_app
from taskpulse.auth.tokens import SOCKET
from taskpulse.config import ROOT
from taskpulse.keys import EVENT_LOG, TOKENS
from taskpulse.protocol.events import NAMESPACE, SERVER_EVENTS
from taskpulse.protocol.requests import CLIENT_EVENTS
from tests.conftest import make_config
from tests.web.pages_helpers import meta, post_form, sign_up_page

JS_DIR = ROOT / "static" / "js"


@pytest.mark.parametrize("path", ["/tasks", "/chat"])
async def test_live_pages_carry_a_short_lived_token_for_the_socket(client, app, config, path):
    ttl = config.socket_token_ttl_seconds
    user_id = await sign_up_page(client)
    html = await (await client.get(path)).text()
    assert meta(html, "tp-user-id") == user_id
    claims = app[TOKENS].verify(meta(html, "tp-socket-token"), scopes=(SOCKET,))
    assert (claims.user_id, claims.scope) == (user_id, "socket")
    assert claims.expires_at - time.time() <= ttl + 1
    assert int(meta(html, "tp-socket-token-expires-in")) <= ttl
    assert meta(html, "tp-transport") == "auto"


async def test_the_socket_token_never_outlives_the_session(client, app):
    user_id = await sign_up_page(client)
    short = app[TOKENS].issue(user_id, ttl=120)
    resp = await client.get("/api/auth/socket-token", headers={"Authorization": "Bearer " + short})
    body = await resp.json()
    assert resp.headers["Cache-Control"] == "no-store"
    assert body["user_id"] == user_id and body["expires_in"] <= 120
    claims = app[TOKENS].verify(body["token"], scopes=(SOCKET,))
    assert claims.scope == "socket" and claims.expires_at <= time.time() + 121


async def test_socket_token_endpoint_needs_a_session(client):
    resp = await client.get("/api/auth/socket-token")
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "token_missing"


async def test_a_page_names_the_stream_position_its_data_was_read_at(client, app):
    user_id = await sign_up_page(client)
    assert meta(await (await client.get("/tasks")).text(), "tp-last-event-id") == "0-0"
    await post_form(client, "/tasks", {"title": "one"})
    newest = await app[EVENT_LOG].last_id(user_id)
    html = await (await client.get("/tasks")).text()
    assert meta(html, "tp-last-event-id") == newest
    assert '"title": "one"' in html       # the board's data, embedded as JSON


async def test_transport_setting_reaches_the_page(aiohttp_client, tmp_path):
    config = make_config(database_url="sqlite://:memory:", var_dir=str(tmp_path),
                         transport="polling")
    client = await aiohttp_client(create_app(config))
    await sign_up_page(client)
    assert meta(await (await client.get("/chat")).text(), "tp-transport") == "polling"


async def test_protocol_module_lists_every_event_name_from_events_py(client):
    resp = await client.get("/js/protocol.js")
    assert resp.content_type == "text/javascript"
    text = await resp.text()
    for event in (*SERVER_EVENTS, *CLIENT_EVENTS):
        assert f'"{event.name}": "{event.name}"' in text
    assert f'NAMESPACE = "{NAMESPACE}"' in text


def test_scripts_only_use_event_names_the_protocol_defines():
    known_server = {e.name for e in SERVER_EVENTS}
    known_client = {e.name for e in CLIENT_EVENTS}
    used = 0
    for path in JS_DIR.glob("*.js"):
        text = path.read_text()
        for name in re.findall(r"\bEV\.(\w+)", text):
            assert name in known_server, f"{path.name} uses unknown event {name}"
            used += 1
        for name in re.findall(r"\bCLIENT\.(\w+)", text):
            assert name in known_client, f"{path.name} uses unknown client event {name}"
        # No invented string literals for protocol events either.
        for literal in re.findall(r"""emit\(\s*["'](\w+)""", text):
            pytest.fail(f"{path.name} emits the literal {literal!r}; use CLIENT.*")
    assert used >= 15


def test_scripts_import_only_files_that_exist():
    for path in JS_DIR.glob("*.js"):
        for target in re.findall(r'^import .* from "([^"]+)";', path.read_text(), re.M):
            if target == "/js/protocol.js":      # served by the app (the protocol's names)
                continue
            # "/static/..." is the static folder (the vendored libraries, after set-up)
            file = ROOT / target.lstrip("/") if target.startswith("/static/") else JS_DIR / target
            assert file.resolve().is_file(), f"{path.name} imports {target}"


def test_scripts_never_write_html_strings():
    for path in JS_DIR.glob("*.js"):
        text = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            assert sink not in text, f"{path.name} uses {sink}"


@pytest.mark.parametrize("path, kind", [
    ("/static/favicon.svg", "image/svg+xml"), ("/static/css/app.css", "text/css"),
    ("/static/js/chat.js", "text/javascript"), ("/static/js/tasks.js", "text/javascript"),
])
async def test_assets_are_served(client, path, kind):
    resp = await client.get(path)
    assert resp.status == 200 and resp.content_type in (kind, "application/javascript")


async def test_chat_page_is_keyboard_ready(client):
    await sign_up_page(client)
    html = await (await client.get("/chat")).text()
    assert '<label for="chat-input"' in html and 'id="stop-btn"' in html
    assert 'aria-current="page">Chat' in html
    assert 'href="#main"' in html                       # skip link

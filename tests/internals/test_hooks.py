"""The hooks into library internals: pinned libraries, a contract per hook that names the
hook when the installed library no longer has what it relies on, and settings that turn
each hook, or all of them, off."""
from __future__ import annotations

import asyncio
import configparser
import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import base_protocol, web_protocol
from engineio import async_socket
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import base_manager

from taskpulse.app import create_app
from taskpulse.internals import hooks, websocket_reader
from taskpulse.internals.fanout import FanoutManager
from taskpulse.internals.idle_memory import EngineIOServer
from taskpulse.internals.room_index import RoomIndex
from taskpulse.keys import HOOKS, SIO
from tests.conftest import make_config

SETUP_CFG = Path(__file__).resolve().parents[2] / "setup.cfg"
BY_NAME = {hook.name: hook for hook in hooks.HOOKS}


@pytest.fixture(autouse=True)
def fresh_contract_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_checked", {})


def test_the_libraries_the_hooks_reach_into_are_pinned_exactly_and_installed_so() -> None:
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    requires = [line.strip() for line in parser["options"]["install_requires"].splitlines()]
    for package in ("python-socketio", "python-engineio", "aiohttp"):
        (pin,) = [r for r in requires if r.startswith(package + "==")]
        assert version(package) == pin.split("==")[1], f"{package} is not the pinned version"


@pytest.mark.parametrize("hook", hooks.HOOKS, ids=lambda hook: hook.name)
def test_each_hooks_contract_holds_for_the_installed_libraries(hook: hooks.Hook) -> None:
    assert hooks.broken(hook) == []


def _without(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    monkeypatch.delattr(owner, name)


@pytest.mark.parametrize("hook_name, owner, attribute", [
    ("fast_fanout", eio_aiohttp.WebSocket, "send"),
    ("lean_connections", async_socket.AsyncSocket, "_send_ping"),
    ("lean_upgrades", base_protocol.BaseProtocol, "pause_reading"),
    ("lean_upgrades", eio_aiohttp.WebSocket, "wait"),
    ("lean_reader", async_socket.AsyncSocket, "_websocket_handler"),
    ("lean_reader", async_socket.AsyncSocket, "_upgrade_websocket"),
    ("quick_drop", async_socket.AsyncSocket, "_websocket_handler"),
    ("room_index", base_manager.BaseManager, "basic_disconnect"),
    ("room_index", base_manager.BaseManager, "get_rooms"),
    ("skip_undecodable_frames", async_socket.AsyncSocket, "_websocket_handler"),
    ("skip_undecodable_frames", eio_aiohttp.WebSocket, "wait"),
    ("json_parse_errors", web_protocol.RequestHandler, "handle_error"),
    ("nodelay_once", base_protocol, "tcp_nodelay"),
])
def test_a_library_change_breaks_the_contract_with_the_hooks_name(
        monkeypatch: pytest.MonkeyPatch, hook_name: str, owner: Any, attribute: str) -> None:
    _without(monkeypatch, owner, attribute)
    problems = hooks.broken(BY_NAME[hook_name])
    assert problems and all(p.startswith(f"hook {hook_name}: ") for p in problems)


def test_a_changed_engineio_websocket_handler_breaks_the_lean_reader_contract(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def changed_handler(self: Any, ws: Any) -> None:    # another library version's
        await ws.wait()

    monkeypatch.setattr(async_socket.AsyncSocket, "_websocket_handler", changed_handler)
    problems = hooks.broken(BY_NAME["lean_reader"])
    assert any("_websocket_handler changed" in p for p in problems)
    assert all(p.startswith("hook lean_reader: ") for p in problems)


def test_a_headers_proxy_that_hides_its_dict_breaks_the_lean_upgrades_contract(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    monkeypatch.setattr(gc, "get_referents", lambda *objects: [])
    problems = hooks.broken(BY_NAME["lean_upgrades"])
    assert problems and all(p.startswith("hook lean_upgrades: ") for p in problems)


@pytest.mark.hooks
def test_a_hook_whose_contract_fails_is_left_off_with_an_error_naming_it(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    _without(monkeypatch, async_socket.AsyncSocket, "_send_ping")
    with caplog.at_level(logging.ERROR, logger="taskpulse.internals.hooks"):
        active = hooks.active(make_config())
    assert active == set(BY_NAME) - {"lean_connections"}
    assert any("hook lean_connections" in r.getMessage() for r in caplog.records)


@pytest.mark.hooks
def test_every_hook_is_on_by_default_and_each_setting_turns_one_off() -> None:
    assert hooks.active(make_config()) == set(BY_NAME)
    for hook in hooks.HOOKS:
        assert hooks.active(make_config(**{hook.setting: False})) == set(BY_NAME) - {hook.name}
    assert hooks.active(make_config(sio_library_hooks=False)) == frozenset()


def test_with_every_hook_off_the_server_is_python_socketios_stock_one(tmp_path: Path) -> None:
    app = create_app(make_config(sio_library_hooks=False, var_dir=str(tmp_path)))
    sio = app[SIO]
    assert app[HOOKS] == frozenset()
    assert type(sio) is socketio.AsyncServer and type(sio.manager) is socketio.AsyncManager
    assert type(sio.eio) is not EngineIOServer
    assert sio.eio._async["websocket"] is eio_aiohttp.WebSocket


@pytest.mark.hooks
def test_with_the_hooks_on_the_server_uses_them(tmp_path: Path) -> None:
    app = create_app(make_config(var_dir=str(tmp_path)))
    assert isinstance(app[SIO].manager, FanoutManager)
    assert isinstance(app[SIO].manager, RoomIndex)
    assert type(app[SIO].eio) is EngineIOServer


@pytest.mark.hooks
def test_the_room_index_alone_goes_on_python_socketios_own_manager(tmp_path: Path) -> None:
    app = create_app(make_config(sio_fast_fanout=False, var_dir=str(tmp_path)))
    manager = app[SIO].manager
    assert isinstance(manager, RoomIndex) and not isinstance(manager, FanoutManager)
    assert isinstance(manager, socketio.AsyncManager)


UNDECODABLE_FRAMES = ["", "x42", "\u202e", "{}"]


async def _a_frame_then_a_ping(aiohttp_client: Any, app: Any, frame: str) -> list[str]:
    """What a raw WebSocket client gets back after ``frame`` and a Socket.IO ping."""
    client = await aiohttp_client(app)
    signed = await client.post("/api/auth/signup", json={"email": "ef@example.com",
                                                         "password": "correct horse battery"})
    token = (await signed.json())["token"]
    url = client.make_url("/socket.io/?EIO=4&transport=websocket")
    async with client.session.ws_connect(url) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str(f'40/chat,{{"token": "{token}"}}')
        assert (await ws.receive_str()).startswith("40/chat,")
        await ws.send_str(frame)
        await ws.send_str('42/chat,1["ping"]')
        answers = []
        while not any(a.startswith("43/chat,1") for a in answers):
            msg = await asyncio.wait_for(ws.receive(), 5)
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            answers.append(msg.data)
        return answers


@pytest.mark.hooks
@pytest.mark.parametrize("frame", UNDECODABLE_FRAMES)
async def test_a_websocket_frame_that_is_no_packet_is_counted_not_a_closed_connection(
        aiohttp_client: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        frame: str) -> None:
    app = create_app(make_config(var_dir=str(tmp_path)))
    assert "skip_undecodable_frames" in app[HOOKS]
    answers = await _a_frame_then_a_ping(aiohttp_client, app, frame)
    assert any(a.startswith("43/chat,1[{\"server_time\"") for a in answers), answers
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
            and "no Engine.IO packet" in r.getMessage()] != []


@pytest.mark.parametrize("frame", UNDECODABLE_FRAMES)
async def test_without_the_hook_a_frame_that_is_no_packet_ends_the_connection(
        aiohttp_client: Any, tmp_path: Path, frame: str) -> None:
    """The library's own behaviour, documented in docs/realtime.md."""
    app = create_app(make_config(sio_skip_undecodable_frames=False, var_dir=str(tmp_path)))
    answers = await _a_frame_then_a_ping(aiohttp_client, app, frame)
    assert not any(a.startswith("43/chat,1") for a in answers)
    if "lean_reader" in app[HOOKS]:     # the reader that raised left no deadline behind
        async with asyncio.timeout(5):
            while len(websocket_reader._DEADLINES):
                await asyncio.sleep(0.01)

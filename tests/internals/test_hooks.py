"""The hooks into library internals: pinned libraries, a contract per hook that names the
hook when the installed library no longer has what it relies on, and settings that turn
each hook, or all of them, off."""
from __future__ import annotations

import configparser
import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import socketio
from engineio import async_socket
from engineio.async_drivers import aiohttp as eio_aiohttp

from taskpulse.app import create_app
from taskpulse.internals import hooks
from taskpulse.internals.fanout import FanoutManager
from taskpulse.internals.idle_memory import EngineIOServer
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
    ("quick_drop", async_socket.AsyncSocket, "_websocket_handler"),
])
def test_a_library_change_breaks_the_contract_with_the_hooks_name(
        monkeypatch: pytest.MonkeyPatch, hook_name: str, owner: Any, attribute: str) -> None:
    _without(monkeypatch, owner, attribute)
    problems = hooks.broken(BY_NAME[hook_name])
    assert problems and all(p.startswith(f"hook {hook_name}: ") for p in problems)


@pytest.mark.hooks
def test_a_hook_whose_contract_fails_is_left_off_with_an_error_naming_it(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    _without(monkeypatch, async_socket.AsyncSocket, "_send_ping")
    with caplog.at_level(logging.ERROR, logger="taskpulse.internals.hooks"):
        active = hooks.active(make_config())
    assert active == {"fast_fanout", "quick_drop"}
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
    assert type(app[SIO].eio) is EngineIOServer

"""Hook ``relay_packets``: its contract names it when a library changes what it relies on,
and it sends a packet only through the fast fan-out's manager."""
from __future__ import annotations

from typing import Any

import pytest
import socketio
from socketio import packet as sio_packet

from taskpulse.internals import hooks, relay_packets
from taskpulse.internals.fanout import FanoutManager

HOOK = next(hook for hook in hooks.HOOKS if hook.name == "relay_packets")


@pytest.fixture(autouse=True)
def fresh_contract_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_checked", {})


def test_the_contract_holds_for_the_installed_libraries() -> None:
    assert hooks.broken(HOOK) == []


def test_a_changed_event_packet_text_breaks_the_contract_with_the_hooks_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def encode(self: Any, *args: Any, **kwargs: Any) -> str:
        return "2/x,[]"

    monkeypatch.setattr(sio_packet.Packet, "encode", encode)
    problems = hooks.broken(HOOK)
    assert problems and all(p.startswith("hook relay_packets: ") for p in problems)


def test_a_fanout_without_fan_out_breaks_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(FanoutManager, "fan_out")
    assert any("fan_out" in p for p in hooks.broken(HOOK))


def test_without_the_fast_fanout_there_is_no_sender() -> None:
    stock = socketio.AsyncServer(async_mode="aiohttp")
    assert relay_packets.sender(stock, "/chat") is None
    fast = socketio.AsyncServer(async_mode="aiohttp", client_manager=FanoutManager())
    assert relay_packets.sender(fast, "/chat") is None      # fanout.install not called

"""The room_index hook: the manager keeps each client's rooms, so a disconnect leaves them
without scanning every room, and the manager's state is what python-socketio's own would be
after the same calls."""
from __future__ import annotations

import itertools
import random
from types import SimpleNamespace
from typing import Any

import socketio

from taskpulse.internals.room_index import RoomIndex, contract, indexed

NS = "/chat"


def manager(cls: type) -> Any:
    made = cls()
    ids = itertools.count()
    made.server = SimpleNamespace(eio=SimpleNamespace(generate_id=lambda: f"s{next(ids)}"))
    return made


def state(m: Any) -> tuple[Any, ...]:
    rooms = {ns: {room: dict(members) for room, members in by_room.items()}
             for ns, by_room in m.rooms.items()}
    return rooms, dict(m.callbacks), m.pending_connect, m.pending_disconnect


async def play(m: Any, seed: int) -> list[Any]:
    """Connections joining and leaving user rooms, acks, disconnects: a random script."""
    rng = random.Random(seed)
    live: list[Any] = []
    seen: list[Any] = []
    for step in range(600):
        move = rng.random()
        if move < 0.35 or not live:
            sid = await m.pre_connect(f"e{step}", NS)
            if rng.random() < 0.8:
                await m.connect(sid, NS)
            live.append(sid)
        elif move < 0.6:
            await m.enter_room(rng.choice(live), NS, f"user:{rng.randrange(20)}")
        elif move < 0.7:
            await m.leave_room(rng.choice(live), NS, f"user:{rng.randrange(20)}")
        elif move < 0.75:
            m._generate_ack_id(rng.choice(live), lambda *a: None)
        elif move < 0.8:
            await m.close_room(f"user:{rng.randrange(20)}", NS)
        else:
            sid = live.pop(rng.randrange(len(live)))
            if rng.random() < 0.5:
                m.pre_disconnect(sid, NS)
            await m.disconnect(sid, NS)
        seen.append(sorted(map(str, m.get_rooms(live[0], NS))) if live else None)
    return seen


async def test_the_manager_ends_in_the_state_python_socketio_s_own_would():
    for seed in range(5):
        stock, ours = manager(socketio.AsyncManager), manager(indexed(socketio.AsyncManager))
        assert await play(stock, seed) == await play(ours, seed)
        stock_state, our_state = state(stock), state(ours)
        assert stock_state[0] == our_state[0] and stock_state[2:] == our_state[2:]
        assert stock_state[1].keys() == our_state[1].keys()


class NoScan(dict):
    def copy(self):
        raise AssertionError("a disconnect scanned every room")

    def items(self):
        raise AssertionError("a disconnect scanned every room")


async def test_a_disconnect_leaves_only_its_own_rooms():
    ours = manager(indexed(socketio.AsyncManager))
    sids = [await ours.pre_connect(f"e{i}", NS) for i in range(200)]
    for i, sid in enumerate(sids):
        await ours.connect(sid, NS)
        await ours.enter_room(sid, NS, f"user:{i % 40}")
    ours.rooms[NS] = NoScan(ours.rooms[NS])
    for sid in sids[:150]:
        await ours.disconnect(sid, NS)
    assert set(dict.keys(ours.rooms[NS])) == {None, *sids[150:],
                                              *{f"user:{i % 40}" for i in range(150, 200)}}
    assert sorted(map(str, ours.get_rooms(sids[160], NS))) == sorted([sids[160], "user:0"])


def test_the_index_goes_on_any_manager_class_once():
    cls = indexed(socketio.AsyncManager)
    assert issubclass(cls, RoomIndex) and issubclass(cls, socketio.AsyncManager)
    assert indexed(socketio.AsyncManager) is cls and indexed(cls) is cls


def test_room_index_contract_holds_for_the_installed_python_socketio():
    assert contract() == []

"""A disconnect leaves the client's own rooms, without scanning every room.

python-socketio's manager finds the rooms of a disconnecting client by copying and scanning
every room of the namespace (``BaseManager.basic_disconnect``). Each connection has a room of
its own, so with n connections one disconnect costs O(n), and n of them at once — a balancer
reload, a process that loses its network — hold the event loop for O(n²): measured 1.3 ms
per disconnect at 5,000 connections, about 6 s for all of them (docs/performance.md). The
manager's ``get_rooms`` scans the same way. :class:`RoomIndex` keeps, per namespace and sid,
the rooms the client is in, updated where the manager enters and leaves rooms, and leaves
exactly those; everything else a disconnect does is done as the library does it.

Hook ``room_index`` (setting ``sio_room_index``). The manager class is chosen publicly
(``client_manager=``), but the methods overridden here (``basic_enter_room``,
``basic_leave_room``, ``basic_disconnect``, ``get_rooms``) and the structures they keep
(``rooms``, ``callbacks``, ``pending_connect``, ``pending_disconnect``) are undocumented
internals of python-socketio's ``BaseManager``: :func:`contract` checks them.
"""
from __future__ import annotations

import inspect
from typing import Any

import socketio
from socketio import base_manager

Key = tuple[str, Any]            # (namespace, sid)


class RoomIndex:
    """Mixed in before a python-socketio manager class (see :func:`indexed`)."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[Any, Any]
    pending_connect: dict[str, list[Any]]
    pending_disconnect: dict[str, list[Any]]

    @property
    def rooms_of(self) -> dict[Key, list[Any]]:
        """A client's rooms: a short list (a connection is in two or three rooms; an
        empty set alone is 216 bytes), each room once."""
        index: dict[Key, list[Any]] | None = self.__dict__.get("_rooms_of")
        if index is None:
            index = self.__dict__["_rooms_of"] = {}
        return index

    def basic_enter_room(self, sid: Any, namespace: str, room: Any,
                         eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        key = (namespace, sid)
        rooms = self.rooms_of.get(key)
        if rooms is None:
            self.rooms_of[key] = [room]
        elif room not in rooms:
            rooms.append(room)

    def basic_leave_room(self, sid: Any, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        rooms = self.rooms_of.get((namespace, sid))
        if rooms is not None and room in rooms:
            rooms.remove(room)
            if not rooms:
                del self.rooms_of[(namespace, sid)]

    def get_rooms(self, sid: Any, namespace: str) -> list[Any]:
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]

    def basic_disconnect(self, sid: Any, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]


_CLASSES: dict[type, type] = {}


def indexed(manager_class: type) -> type:
    """``manager_class`` with :class:`RoomIndex` (one class per base, made once)."""
    if issubclass(manager_class, RoomIndex):
        return manager_class
    if manager_class not in _CLASSES:
        _CLASSES[manager_class] = type(f"Indexed{manager_class.__name__}",
                                       (RoomIndex, manager_class), {})
    return _CLASSES[manager_class]


_OVERRIDDEN = {"basic_enter_room": ["self", "sid", "namespace", "room", "eio_sid"],
               "basic_leave_room": ["self", "sid", "namespace", "room"],
               "basic_disconnect": ["self", "sid", "namespace", "kwargs"],
               "get_rooms": ["self", "sid", "namespace"]}


def contract() -> list[str]:
    """What this hook needs of python-socketio (an empty list: all there)."""
    problems = []
    base = base_manager.BaseManager
    for name, params in _OVERRIDDEN.items():
        method = getattr(base, name, None)
        if method is None:
            problems.append(f"BaseManager.{name} is gone")
        elif list(inspect.signature(method).parameters) != params:
            problems.append(f"BaseManager.{name} takes other arguments now")
    manager = socketio.AsyncManager()
    for attr in ("rooms", "callbacks", "pending_connect", "pending_disconnect"):
        if not isinstance(getattr(manager, attr, None), dict):
            problems.append(f"the manager has no {attr} dict")
    source = inspect.getsource(base.basic_disconnect)
    for needed in ("basic_leave_room", "callbacks", "pending_connect", "pending_disconnect"):
        if needed not in source:
            problems.append(f"BaseManager.basic_disconnect no longer uses {needed}")
    return problems

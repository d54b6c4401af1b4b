"""The layering check (src/taskpulse/tools/layering.py): the tree passes, and each rule
catches what it is for."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from taskpulse.tools import layering


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _messages(root: Path) -> list[str]:
    return [f"{v.path}: {v.message}" for v in layering.check(root)]


def test_the_source_tree_keeps_every_rule() -> None:
    assert [str(v) for v in layering.check()] == []


def test_the_command_exits_non_zero_on_a_violation_and_zero_on_the_tree() -> None:
    done = subprocess.run([sys.executable, "-m", "taskpulse.tools.layering"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout


def test_an_import_from_a_higher_layer_is_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"tasks/service.py": "from taskpulse.agent.tools import run\n",
                            "agent/tools.py": "from taskpulse.tasks.service import x\n"})
    found = _messages(root)
    assert len(found) == 1 and found[0].startswith("tasks/service.py: taskpulse.tasks.service")
    assert "imports taskpulse.agent.tools" in found[0]


def test_the_protocol_may_not_import_socketio_internals_or_the_web(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"protocol/events.py": (
        "from taskpulse.web.credentials import COOKIE_NAME\n"
        "from engineio.async_drivers import aiohttp\n")})
    found = _messages(root)
    assert any("imports taskpulse.web.credentials" in f for f in found)
    assert any("imports library internals engineio.async_drivers" in f for f in found)


def test_a_private_attribute_of_the_libraries_is_refused_outside_internals(
        tmp_path: Path) -> None:
    code = "def f(sio):\n    return sio.eio._async\n"
    root = _tree(tmp_path, {"web/socket/server.py": code, "internals/fanout.py": code})
    assert _messages(root) == ["web/socket/server.py: uses library internal ._async "
                               "(only in taskpulse.internals)"]


def test_overriding_a_private_method_of_a_library_class_is_refused(tmp_path: Path) -> None:
    code = ("import socketio\n\n\nclass Manager(socketio.AsyncRedisManager):\n"
            "    async def _handle_emit(self, message):\n        pass\n")
    found = _messages(_tree(tmp_path, {"web/socket/relay.py": code}))
    assert any("overrides library internal Manager._handle_emit" in f for f in found)


def test_long_modules_and_functions_are_refused(tmp_path: Path) -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(51))
    root = _tree(tmp_path, {"db/big.py": "def f():\n" + body + "\n" * 300})
    found = _messages(root)
    assert any("lines (at most 300)" in f for f in found)
    assert any("function f is 52 lines (at most 50)" in f for f in found)

"""Who is dead (agent/coordination.py ``confirm_dead``): a heartbeat key must stay missing
for 1.5 beats in a row before a process's runs are claimed."""
from __future__ import annotations

from typing import Any

from taskpulse.agent.coordination import RunCoordinator


def _coordinator(interval: float = 1.0) -> RunCoordinator:
    agent: Any = type("Agent", (), {"process_id": "me"})()
    return RunCoordinator(None, "p", agent, None, None, interval)  # type: ignore[arg-type]


def test_a_key_missing_for_one_look_is_not_yet_dead() -> None:
    coordinator = _coordinator()
    assert coordinator.confirm_dead({"a"}, now=10.0) == set()
    assert coordinator.confirm_dead({"a"}, now=11.0) == set()
    assert coordinator.confirm_dead({"a"}, now=11.6) == {"a"}


def test_keys_lost_together_and_written_again_within_a_beat_are_never_dead() -> None:
    """A Redis restart without persistence: every key gone, each back within a beat."""
    coordinator = _coordinator()
    assert coordinator.confirm_dead({"a", "b"}, now=20.0) == set()
    assert coordinator.confirm_dead({"b"}, now=21.0) == set()      # a beat again
    assert coordinator.confirm_dead(set(), now=22.0) == set()      # b too
    assert coordinator.confirm_dead({"a"}, now=23.0) == set()      # a fresh count for a
    assert coordinator.confirm_dead({"a"}, now=24.6) == {"a"}


def test_looks_interrupted_for_two_beats_start_the_count_over() -> None:
    """This process could not look (Redis hung): what it saw before proves nothing."""
    coordinator = _coordinator()
    assert coordinator.confirm_dead({"a"}, now=30.0) == set()
    assert coordinator.confirm_dead({"a"}, now=40.0) == set()
    assert coordinator.confirm_dead({"a"}, now=41.0) == set()
    assert coordinator.confirm_dead({"a"}, now=41.5) == {"a"}

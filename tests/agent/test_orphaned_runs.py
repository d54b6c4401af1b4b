"""What a dead process left of a run, read back from the event log: the newest ``seq`` and
the tool steps it started and never ended, with their last progress."""
from __future__ import annotations

from typing import Any

from taskpulse.agent.orphaned_runs import OpenStep, run_so_far
from taskpulse.delivery.event_log import LoggedEvent


def ev(name: str, **data: Any) -> LoggedEvent:
    return LoggedEvent("0-0", name, data)


def test_a_step_started_and_not_ended_is_open_with_its_last_progress() -> None:
    oldest_first = [
        ev("agent_thinking", run_id="r", seq=1),
        ev("tool_starting", run_id="r", seq=2, tool="list_tasks", call_id="a", arguments={}),
        ev("tool_complete", run_id="r", seq=3, tool="list_tasks", call_id="a"),
        ev("task_updated", task={}),
        ev("tool_starting", run_id="r", seq=4, tool="complete_tasks", call_id="b",
           arguments={"status": "pending"}),
        ev("tool_progress", run_id="r", seq=5, tool="complete_tasks", call_id="b",
           message="10 of 400 done"),
        ev("tool_progress", run_id="r", seq=6, tool="complete_tasks", call_id="b",
           message="18 of 400 done"),
        ev("agent_token", run_id="other", seq=9),
    ]
    seq, steps = run_so_far(list(reversed(oldest_first)), "r")
    assert seq == 6
    assert steps == [OpenStep("b", "complete_tasks", {"status": "pending"}, "18 of 400 done")]


def test_a_run_without_events_in_the_log_starts_at_zero() -> None:
    assert run_so_far([ev("agent_token", run_id="other", seq=3)], "r") == (0, [])

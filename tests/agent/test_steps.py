"""The tool step context manager and the token batcher, in isolation."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from taskpulse.agent.steps import StepRecord, tool_step
from taskpulse.agent.reply_batching import ReplyBatcher
from taskpulse.protocol.events import RunEvent


class Recorder:
    """An emitter that records events (the run envelope is the emitter's job, not ours)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.records: list[StepRecord] = []

    async def emit(self, event_type: type[RunEvent], **fields: Any) -> None:
        event_type(run_id="r", conversation_id="c", seq=1, **fields)   # fits its model
        self.events.append((event_type.name, fields))

    async def record(self, rec: StepRecord) -> None:
        self.records.append(rec)

    def names(self) -> list[str]:
        return [n for n, _ in self.events]


async def test_a_successful_step_starts_reports_progress_and_completes_once():
    rec = Recorder()
    async with tool_step(rec, "list_tasks", "c1", {"status": "pending"}, rec.record) as step:
        await step.progress("Found 3 tasks", count=3)
        step.finish({"success": True, "total": 3, "tasks": []})
    assert rec.names() == ["tool_starting", "tool_progress", "tool_complete"]
    assert rec.events[0][1]["message"] == "Searching your tasks..."
    assert rec.events[2][1]["message"] == "Found 3 tasks"
    assert (step.ok, rec.records[0].ok, rec.records[0].tool) == (True, True, "list_tasks")


async def test_a_structured_failure_ends_with_tool_error():
    rec = Recorder()
    async with tool_step(rec, "delete_task", "c2", {"task": "x"}, rec.record) as step:
        step.finish({"success": False, "error": "not_found", "message": "No such task."})
    assert rec.names() == ["tool_starting", "tool_error"]
    assert rec.events[1][1] == {"tool": "delete_task", "call_id": "c2",
                                "message": "No such task.", "error": "not_found"}
    assert rec.records[0].error == "not_found" and not rec.records[0].ok


async def test_an_exception_in_the_body_still_ends_with_one_tool_error():
    rec = Recorder()
    async with tool_step(rec, "add_task", "c3", {}, rec.record) as step:
        raise RuntimeError("database exploded: password=hunter2")
    assert rec.names() == ["tool_starting", "tool_error"]
    assert "hunter2" not in str(rec.events) and "hunter2" not in str(step.result)
    assert step.result["error"] == "internal"


async def test_a_body_that_forgets_its_result_is_an_error():
    rec = Recorder()
    async with tool_step(rec, "add_task", "c4", {}) as step:
        pass
    assert rec.names() == ["tool_starting", "tool_error"] and not step.ok


async def test_cancellation_sends_tool_error_then_propagates():
    rec = Recorder()
    started = asyncio.Event()

    async def body() -> None:
        async with tool_step(rec, "complete_all_tasks", "c5", {}, rec.record):
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rec.names() == ["tool_starting", "tool_error"]
    assert rec.events[1][1]["error"] == "cancelled"
    assert len(rec.records) == 1


async def test_the_batcher_sends_by_size():
    rec = Recorder()
    batcher = ReplyBatcher(rec, max_ms=10_000, max_chars=10)
    for ch in "abcdefghijklmnopqrstuvwxy":
        await batcher.add(ch)
    assert [f["text"] for _, f in rec.events] == ["abcdefghij", "klmnopqrst"]
    await batcher.close()
    assert [f["text"] for _, f in rec.events][-1] == "uvwxy"


async def test_the_batcher_sends_pending_text_after_the_delay():
    rec = Recorder()
    batcher = ReplyBatcher(rec, max_ms=30, max_chars=1000)
    await batcher.add("hel")
    await batcher.add("lo")
    assert rec.events == []
    await asyncio.sleep(0.1)
    assert [f["text"] for _, f in rec.events] == ["hello"]
    await batcher.add("!")
    await batcher.close()
    assert [f["text"] for _, f in rec.events] == ["hello", "!"]
    await asyncio.sleep(0.05)
    assert len(rec.events) == 2

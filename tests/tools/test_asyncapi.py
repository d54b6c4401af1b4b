"""docs/asyncapi.yaml is generated from events.py, complete, and not stale; emitted events
are checked against the same models (see conformance.py)."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from taskpulse.keys import SIO
from taskpulse.tools import asyncapi
from taskpulse.protocol.events import NAMESPACE, SERVER_EVENTS
from taskpulse.protocol.requests import CLIENT_EVENTS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_asyncapi_document_is_up_to_date():
    committed = (DOCS / "asyncapi.yaml").read_text()
    assert committed == asyncapi.render(), (
        "docs/asyncapi.yaml is stale: run `make asyncapi` and commit the result")


def test_document_covers_every_event_both_ways_with_auth():
    doc = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())
    assert doc["asyncapi"].startswith("3.")
    channel = doc["channels"]["chat"]
    assert channel["address"] == NAMESPACE
    for event in SERVER_EVENTS:
        assert doc["operations"][event.name]["action"] == "send"
        assert event.name in channel["messages"]
    for event in CLIENT_EVENTS:
        operation = doc["operations"][event.name]
        assert operation["action"] == "receive"
        assert len(operation["reply"]["messages"]) == 2   # the ack, or an error ack
    assert set(doc["components"]["securitySchemes"]) == {
        "authPayload", "bearerHeader", "tokenQuery", "sessionCookie"}
    assert "connect_error" in channel["messages"]


def test_every_example_validates_against_its_published_json_schema():
    doc = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())
    components = doc["components"]
    for name, message in components["messages"].items():
        schema = {**message["payload"], "components": {"schemas": components["schemas"]}}
        validator = jsonschema.Draft202012Validator(schema)
        for example in message["examples"]:
            errors = [e.message for e in validator.iter_errors(example["payload"])]
            assert not errors, (name, errors)
        assert list(validator.iter_errors({"surely_not_a_field": True})), (
            f"{name}: the schema accepts anything")


def test_realtime_guide_mentions_every_event():
    guide = (DOCS / "realtime.md").read_text()
    for event in (*SERVER_EVENTS, *CLIENT_EVENTS):
        assert f"`{event.name}`" in guide, event.name


async def test_schema_guard_catches_events_that_do_not_match(app, client, event_schema_guard):
    sio = app[SIO]
    await sio.emit("task_created", {"id": "1-0", "ts": "x", "task": {"title": 3}},
                   namespace=NAMESPACE)
    await sio.emit("made_up_event", {}, namespace=NAMESPACE)
    await sio.emit("resync", {"reason": "too_old", "message": "m", "extra": 1},
                   namespace=NAMESPACE)
    found = list(event_schema_guard.violations)
    event_schema_guard.violations.clear()   # seen: this test must not fail at teardown
    assert len(found) == 3
    assert "task_created" in found[0] and "made_up_event" in found[1] and "extra" in found[2]

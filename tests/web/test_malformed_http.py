"""Requests aiohttp cannot parse (never reaching a handler): a 400, one warning in the log
without a traceback, and nothing of what the client sent copied into the log."""
from __future__ import annotations

import logging

import pytest

from tests.web.raw_http import raw_request, request_bytes, send_raw

MARK = b"SECRETMARK"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records)


UNPARSABLE = [
    request_bytes(b"GET", b"/api/auth/me", [(b"X-Big", b"A" * 9000 + MARK)]),
    request_bytes(b"GET", b"/login", [(b"X-" + b"B" * 9000 + MARK, b"1")]),
    request_bytes(b"POST", b"/api/auth/login", [(b"Content-Length", b"12" + MARK)]),
    request_bytes(b"POST", b"/api/auth/login", [(b"Content-Length", b"-1")], b"{}"),
    request_bytes(b"GET", b"/api/auth/me", [(b"X-Bad", b"a\x01" + MARK)]),
    b"GET /\x00" + MARK + b" HTTP/1.1\r\nHost: x\r\n\r\n",
]
UNPARSABLE_IDS = ["long-header-value", "long-header-name", "bad-length", "negative-length",
                  "control-in-header", "nul-in-path"]


@pytest.mark.parametrize("data", UNPARSABLE, ids=UNPARSABLE_IDS)
async def test_an_unparsable_request_is_a_400_and_one_quiet_warning(base_url, caplog, data):
    caplog.clear()
    resp = await send_raw(base_url, data)
    assert resp.status == 400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "malformed HTTP request" in warnings[0].getMessage()
    assert MARK.decode() not in logged(caplog) and "AAAAAAAA" not in logged(caplog)


@pytest.mark.hooks
@pytest.mark.parametrize("data", UNPARSABLE, ids=UNPARSABLE_IDS)
async def test_an_unparsable_request_is_answered_in_json_quoting_nothing_of_it(base_url, data):
    resp = await send_raw(base_url, data)
    assert resp.status == 400 and resp.json()["error"]["code"] == "bad_request"
    assert MARK not in resp.body and b"AAAAAAAA" not in resp.body
    assert resp.headers["server"] == "Taskpulse"
    assert resp.headers["x-content-type-options"] == "nosniff"


async def test_requests_the_application_answers_still_log_as_before(base_url, caplog):
    resp = await raw_request(base_url, "GET", "/api/auth/me")
    assert resp.status == 401 and resp.json()["error"]["code"] == "token_missing"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []

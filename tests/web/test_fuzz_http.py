"""A few hundred generated malformed HTTP requests, as raw bytes, to the JSON API and the
pages: no answer is a 5xx, nothing is logged with a traceback (or at ERROR), and no data
changes. Requests carry a real user's token or cookie half of the time, so they get past
authentication; every body is one the server must refuse (see ``bodies``)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taskpulse.db.models import Conversation, Task, User
from tests.conftest import Account
from tests.web.api_helpers import new_task
from tests.web.raw_http import chunked, request_bytes, send_raw

EXAMPLES = 300


@dataclass
class World:
    alice: Account
    bob: Account
    before: Any = None      # the data, as :func:`snapshot` reads it


@pytest.fixture
async def world(client, signup) -> World:
    alice, bob = await signup(), await signup()
    for title in ("buy milk", "file taxes", "call mum"):
        await new_task(client, alice, title=title)
    return World(alice, bob, await snapshot())


async def snapshot() -> Any:
    tasks = await Task.all().order_by("id").values_list(
        "id", "owner_id", "title", "description", "completed", "priority", "due_date")
    return tasks, await User.all().count(), await Conversation.all().count()


# ---- generated pieces ---------------------------------------------------------------

JUNK = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "null", "9223372036854775808", "-1", "1e999", "NaN", "\x00",
                     "\u202e", "\udce9", "%ff%fe", "../../etc/passwd", "' OR 1=1 --",
                     "<script>", "é" * 300, "0" * 5000]),
)
ID = st.one_of(st.uuids().map(str), JUNK)


def _quote(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# Every route of the URL table with its method (web/routes.py), and paths that match none.
ROUTES = [
    ("GET", "/api/{u}/tasks"), ("POST", "/api/{u}/tasks"), ("GET", "/api/{u}/tasks/{i}"),
    ("PUT", "/api/{u}/tasks/{i}"), ("PATCH", "/api/{u}/tasks/{i}"),
    ("DELETE", "/api/{u}/tasks/{i}"), ("PATCH", "/api/{u}/tasks/{i}/complete"),
    ("POST", "/api/{u}/chat"), ("GET", "/api/{u}/conversations"),
    ("GET", "/api/{u}/conversations/{i}/messages"), ("PATCH", "/api/{u}/conversations/{i}"),
    ("DELETE", "/api/{u}/conversations/{i}"),
    ("GET", "/api/{u}/runs/{i}"), ("POST", "/api/auth/signup"), ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"), ("POST", "/api/auth/refresh"), ("GET", "/api/auth/me"),
    ("GET", "/api/auth/socket-token"), ("GET", "/"), ("GET", "/login"), ("POST", "/login"),
    ("GET", "/signup"), ("POST", "/signup"), ("GET", "/logout"), ("POST", "/logout"),
    ("GET", "/tasks"), ("POST", "/tasks"), ("POST", "/tasks/{i}/toggle"),
    ("POST", "/tasks/{i}/edit"), ("POST", "/tasks/{i}/delete"), ("GET", "/chat"),
    ("GET", "/api/{i}"), ("POST", "/{i}"),
]
ONE_IN_SIX = st.sampled_from([False] * 5 + [True])     # (integers lean to their bounds)
OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"]


@st.composite
def targets(draw: Any, world: World) -> tuple[bytes, str]:
    """A method and a path: mostly a route's own method, sometimes another."""
    method, template = draw(st.sampled_from(ROUTES))
    if draw(ONE_IN_SIX):
        method = draw(st.sampled_from(OTHER_METHODS))
    user = draw(st.sampled_from([world.alice.user_id] * 3 + [world.bob.user_id]) | JUNK)
    path = template.format(u=_quote(user), i=_quote(draw(ID)))
    params = draw(st.lists(st.tuples(
        st.sampled_from(["limit", "offset", "status", "due_within_days", "before", "next",
                         "token", "x"]) | st.text(max_size=10), JUNK), max_size=4))
    if params:
        path += "?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params)
    return method.encode(), path


def _json_bodies() -> Any:
    values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | JUNK,
                          lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=8)
    # An unknown field: every JSON endpoint forbids extra fields, so none of these is valid.
    objects = st.dictionaries(st.sampled_from(["title", "message", "email", "password",
                                               "completed", "due_date"]), values, max_size=3
                              ).map(lambda d: {**d, "zz_unknown": 1})
    # json (not orjson) writes lone surrogates as escapes and NaN as NaN: more to refuse.
    return st.one_of(objects.map(lambda d: json.dumps(d).encode()),
                     values.map(lambda v: json.dumps([v]).encode()),
                     st.binary(max_size=200))


def _form_bodies() -> Any:
    pairs = st.lists(st.tuples(st.sampled_from(["title", "email", "password", "csrf_token",
                                                "next", "priority", "completed"]), JUNK),
                     max_size=5)
    # A sign-up form never has a usable email; other forms lack the CSRF token.
    return pairs.map(lambda p: "&".join(f"{_quote(k)}={_quote(v)}" for k, v in
                                        [("email", "no-at-sign"), *p]).encode()) | st.binary(
        max_size=200)


BODIES = st.one_of(st.just(b""), _json_bodies(), _form_bodies())
CONTENT_TYPES = st.sampled_from([
    b"application/json", b"application/json; charset=latin-1", b"application/x-www-form-urlencoded",
    b"application/x-www-form-urlencoded; charset=nope", b"multipart/form-data",
    b"multipart/form-data; boundary=zz", b"text/plain", b"\xff\xfe", b"a/b/c"])


@st.composite
def headers(draw: Any, world: World, base_url: str) -> list[tuple[bytes, bytes]]:
    """Headers a handler reads, with odd values; now and then one the HTTP parser itself
    refuses (a bad length or coding)."""
    token = world.alice.token.encode()
    choices = {
        b"Authorization": [b"Bearer " + token] * 4 + [
            b"Bearer \xe9\xff", b"Bearer x.y.z", b"Basic a", b"Bearer", b"Bearer " + token[:-3]],
        b"Cookie": [b"taskpulse_token=" + token] * 2 + [
            b"taskpulse_token=\xe9", b"a=b; c; =;", b"taskpulse_token=" + b"A" * 300],
        b"Content-Type": [b"application/json"] * 3 + [
            b"application/json; charset=latin-1", b"application/x-www-form-urlencoded",
            b"application/x-www-form-urlencoded; charset=nope", b"multipart/form-data",
            b"multipart/form-data; boundary=zz", b"text/plain", b"\xff\xfe", b"a/b/c"],
        b"Origin": [base_url.encode(), b"http://evil.example", b"null", b"\xff"],
        b"Referer": [base_url.encode() + b"/tasks", b"javascript:x", b"\xe9"],
        b"Accept": [b"application/json", b"text/html", b"*/*;q=x"],
        b"X-Request-Id": [b"ok-1", b"\xe9" * 10, b"x" * 500],
        b"X-Forwarded-For": [b"1.2.3.4, \xff", b"::1"],
        b"X-Forwarded-Host": [b"evil.example", b"\xff"],
        b"X-Forwarded-Proto": [b"https", b"gopher"],
    }
    parser_breaking = [(b"Content-Length", b"abc"), (b"Content-Length", b"-1"),
                       (b"Content-Length", b"0"), (b"Transfer-Encoding", b"chunked"),
                       (b"Transfer-Encoding", b"gzip"), (b"Content-Encoding", b"gzip"),
                       (b"Content-Encoding", b"br"), (b"X-Ctl", b"\x01")]
    # Most requests carry a credential (mostly a good one), to get past authentication.
    credential = draw(st.sampled_from([b"Authorization", b"Authorization", b"Cookie", None]))
    names = draw(st.lists(st.sampled_from(sorted(choices)), unique=True, max_size=4))
    names = [credential] + [n for n in names if n != credential] if credential else names
    chosen = [(name, draw(st.sampled_from(choices[name]))) for name in names]
    if draw(ONE_IN_SIX):
        chosen.append(draw(st.sampled_from(parser_breaking)))
    return chosen


def problems(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()[:200]}" for r in records
            if r.exc_info or r.levelno >= logging.ERROR]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_malformed_requests_never_get_a_5xx_a_traceback_or_change_data(
        base_url, world, caplog, data):
    """The fixtures are made once and shared by every example (the data must not change)."""
    (verb, path), head, body = data.draw(st.tuples(targets(world),
                                                   headers(world, base_url), BODIES))
    if (b"Transfer-Encoding", b"chunked") in head:
        body = chunked(body)     # a complete body: the server must not wait for more
    seen = len(caplog.records)
    resp = await send_raw(base_url, request_bytes(verb, path.encode(), head, body))
    assert resp.status < 500, resp.body[:300]
    assert problems(caplog.records[seen:]) == []
    assert await snapshot() == world.before

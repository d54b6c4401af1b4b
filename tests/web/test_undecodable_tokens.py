"""A token that is not even text (bytes that are not UTF-8, as a stray cookie may hold) is
an invalid token: 401 ``token_invalid`` on the API, logged out on the pages, never a 500."""
from __future__ import annotations

import pytest

from tests.web.raw_http import raw_request

BAD_COOKIE = (b"Cookie", b"taskpulse_token=\xe9")
BAD_BEARER = (b"Authorization", b"Bearer \xe9\xff")


@pytest.mark.parametrize("path, status, location", [
    ("/login", 200, None),
    ("/signup", 200, None),
    ("/", 302, "/login"),
    ("/tasks", 302, "/login?next=/tasks"),
    ("/chat", 302, "/login?next=/chat"),
])
async def test_pages_treat_an_undecodable_cookie_as_logged_out(base_url, path, status,
                                                               location):
    resp = await raw_request(base_url, "GET", path, [BAD_COOKIE])
    assert resp.status == status, resp.body[:300]
    if location is not None:
        assert resp.headers["location"] == location


@pytest.mark.parametrize("header", [BAD_COOKIE, BAD_BEARER], ids=["cookie", "bearer"])
@pytest.mark.parametrize("method, path", [
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/api/auth/socket-token"),
    ("GET", "/api/00000000-0000-4000-8000-000000000000/tasks"),
    ("POST", "/api/00000000-0000-4000-8000-000000000000/chat"),
    ("GET", "/api/00000000-0000-4000-8000-000000000000/conversations"),
])
async def test_the_api_answers_an_undecodable_token_with_token_invalid(base_url, header,
                                                                       method, path):
    resp = await raw_request(base_url, method, path, [header])
    assert resp.status == 401, resp.body[:300]
    assert resp.json()["error"]["code"] == "token_invalid"


async def test_a_socket_with_an_undecodable_bearer_token_is_refused(base_url):
    resp = await raw_request(base_url, "GET", "/socket.io/?EIO=4&transport=polling",
                             [BAD_BEARER])
    assert resp.status == 200                        # Engine.IO open; the namespace decides
    sid = resp.body.decode().split('"sid":"')[1].split('"')[0]
    await raw_request(base_url, "POST", f"/socket.io/?EIO=4&transport=polling&sid={sid}",
                      [BAD_BEARER, (b"Content-Type", b"text/plain")], b"40/chat,")
    answer = await raw_request(base_url, "GET",
                               f"/socket.io/?EIO=4&transport=polling&sid={sid}")
    assert answer.body.startswith(b"44/chat,"), answer.body      # connect_error
    assert b"unauthorized" in answer.body

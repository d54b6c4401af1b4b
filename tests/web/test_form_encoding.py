"""Page forms are UTF-8: bytes that are not (``%ff%fe``) are refused with a 400 page,
never stored as replacement characters; a form in an odd encoding is never a 500."""
from __future__ import annotations

import pytest

from taskpulse.db.models import Task, User
from tests.web.pages_helpers import PASSWORD, board, csrf_of, sign_up_page, titles

FORM = "application/x-www-form-urlencoded"


async def post_raw(client, path: str, body: bytes, content_type: str = FORM):
    return await client.post(path, data=body, headers={"Content-Type": content_type},
                             allow_redirects=False)


@pytest.mark.parametrize("title", [b"%ff%fe", b"ok%c3", b"\xff\xfe", b"caf%e9"])
async def test_a_task_title_that_is_not_utf8_is_refused(client, title):
    user_id = await sign_up_page(client)
    csrf = csrf_of(await board(client)).encode()
    resp = await post_raw(client, "/tasks", b"csrf_token=" + csrf + b"&priority=medium&title="
                          + title)
    assert resp.status == 400, await resp.text()
    assert "could not be read" in await resp.text()
    assert await Task.filter(owner_id=user_id).count() == 0


async def test_utf8_text_in_a_form_is_kept_as_typed(client):
    await sign_up_page(client)
    csrf = csrf_of(await board(client)).encode()
    resp = await post_raw(client, "/tasks", b"csrf_token=" + csrf
                          + b"&priority=medium&title=caf%C3%A9+%E2%9C%93")
    assert resp.status == 303
    assert titles(await board(client)) == ["café ✓"]


@pytest.mark.parametrize("content_type, status", [
    (FORM + "; charset=no-such-charset", 303),       # forms are UTF-8 whatever they say
    ("text/plain", 400),
    ("application/json", 400),
])
async def test_a_signup_form_in_another_encoding_is_read_as_utf8_or_refused(
        client, content_type, status):
    body = f"email=ann%40example.com&password={PASSWORD.replace(' ', '+')}".encode()
    resp = await post_raw(client, "/signup", body, content_type)
    assert resp.status == status, await resp.text()
    assert await User.all().count() == (1 if status == 303 else 0)

"""A token outlives its account: once the account is deleted, its still-valid token is
401 ``token_invalid`` on every authenticated route (the socket: tests/web/socket)."""
from __future__ import annotations

import pytest

from taskpulse.db.models import User
from tests.web.api_helpers import error_of, new_task


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/auth/socket-token", None),
    ("GET", "/api/auth/me", None),
    ("POST", "/api/auth/refresh", None),
    ("GET", "/api/{user}/tasks", None),
    ("POST", "/api/{user}/tasks", {"title": "ghost"}),
    ("GET", "/api/{user}/conversations", None),
    ("POST", "/api/{user}/chat", {"message": "add buy milk"}),
])
async def test_a_deleted_accounts_token_is_refused_everywhere(client, signup, method, path,
                                                              body):
    acct = await signup()
    await new_task(client, acct, title="before")
    await User.filter(id=acct.user_id).delete()
    resp = await client.request(method, path.format(user=acct.user_id), json=body,
                                headers=acct.headers)
    error = await error_of(resp, 401)
    assert error["code"] == "token_invalid"


async def test_a_deleted_accounts_cookie_signs_the_pages_out(client, signup):
    acct = await signup()
    await User.filter(id=acct.user_id).delete()
    resp = await client.get("/tasks", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].startswith("/login")

"""Sign-up, log-in and log-out pages, used as a browser without JavaScript would."""
from __future__ import annotations

import time

import pytest

from yarl import URL

from taskpulse.keys import TOKENS
from taskpulse.web.credentials import COOKIE_NAME
from tests.web.pages_helpers import PASSWORD, csrf_of, field_errors, sign_up_page


async def test_root_sends_visitors_to_login_and_members_to_their_tasks(client):
    resp = await client.get("/", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/login")
    await sign_up_page(client)
    resp = await client.get("/", allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (302, "/tasks")


async def test_signup_form_creates_the_account_and_signs_in_with_an_httponly_cookie(client):
    resp = await client.get("/signup")
    assert resp.status == 200
    assert 'name="email"' in await resp.text()
    resp = await client.post("/signup", data={"name": "Ann", "email": "Ann@Example.com",
                                              "password": PASSWORD}, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/tasks")
    cookie = resp.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    page = await client.get("/tasks")
    html = await page.text()
    assert "Ann" in html and 'action="/logout"' in html


async def test_signup_errors_are_shown_next_to_the_fields_and_keep_what_was_typed(client):
    resp = await client.post("/signup", data={"name": "Bo", "email": "not-an-email",
                                              "password": "short"})
    html = await resp.text()
    assert resp.status == 422
    errors = field_errors(html)
    assert any("valid email" in e for e in errors)
    assert any("at least 8" in e for e in errors)
    assert 'value="not-an-email"' in html and 'value="Bo"' in html
    assert "short" not in html.split("<main", 1)[1]     # the password is never echoed


async def test_signup_with_a_taken_email_says_so(client):
    await sign_up_page(client, "dup@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/signup", data={"email": "dup@example.com", "password": PASSWORD})
    assert resp.status == 422
    assert "already exists" in " ".join(field_errors(await resp.text()))


async def test_login_form_signs_in_and_follows_a_local_next_only(client):
    await sign_up_page(client, "cy@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/login", data={"email": "cy@example.com", "password": PASSWORD,
                                             "next": "/chat"}, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/chat")
    assert COOKIE_NAME in resp.cookies
    client.session.cookie_jar.clear()
    resp = await client.post("/login", data={"email": "cy@example.com", "password": PASSWORD,
                                             "next": "//evil.example/x"}, allow_redirects=False)
    assert resp.headers["Location"] == "/tasks"


@pytest.mark.parametrize("target", ["/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example",
                                    "/\\evil.example", "/%09/evil.example".replace("%09", "\x0b")])
async def test_login_next_with_characters_browsers_strip_cannot_leave_the_site(client, target):
    # Browsers drop tab and newline from URLs: "/<TAB>/evil.example" would become
    # "//evil.example", another site.
    await sign_up_page(client, "cy@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/login", data={"email": "cy@example.com", "password": PASSWORD,
                                             "next": target}, allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/tasks")


async def test_wrong_password_shows_an_error_without_signing_in(client):
    await sign_up_page(client, "di@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/login", data={"email": "di@example.com", "password": "nope nope"})
    assert resp.status == 401
    assert "Wrong email or password." in field_errors(await resp.text())
    assert COOKIE_NAME not in resp.cookies
    assert (await client.get("/tasks", allow_redirects=False)).status == 302


async def test_login_page_shares_the_api_throttle(client, config):
    await sign_up_page(client, "ed@example.com")
    client.session.cookie_jar.clear()
    for _ in range(config.login_max_failures):
        resp = await client.post("/login", data={"email": "ed@example.com", "password": "x"})
        assert resp.status == 401
    resp = await client.post("/login", data={"email": "ed@example.com", "password": PASSWORD})
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert "Too many failed log-ins" in " ".join(field_errors(await resp.text()))
    api = await client.post("/api/auth/login", json={"email": "ed@example.com",
                                                     "password": PASSWORD})
    assert api.status == 429


async def test_pages_need_a_session_and_drop_an_expired_cookie(client, app):
    resp = await client.get("/tasks?status=completed", allow_redirects=False)
    assert resp.status == 302
    location = URL(resp.headers["Location"])
    assert (location.path, location.query["next"]) == ("/login", "/tasks?status=completed")
    user_id = await sign_up_page(client)
    expired = app[TOKENS].issue(user_id, now=time.time() - 100, ttl=10)
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({COOKIE_NAME: expired}, client.make_url("/"))
    resp = await client.get("/chat", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"].startswith("/login")
    assert resp.cookies[COOKIE_NAME].value == ""          # cleared


async def test_logout_needs_a_post_with_the_form_token(client):
    await sign_up_page(client)
    confirm = await client.get("/logout")
    html = await confirm.text()
    assert confirm.status == 200 and 'method="post" action="/logout"' in html
    assert (await client.get("/tasks", allow_redirects=False)).status == 200  # still signed in
    refused = await client.post("/logout", data={"csrf_token": "forged"}, allow_redirects=False)
    assert refused.status == 403
    resp = await client.post("/logout", data={"csrf_token": csrf_of(html)},
                             allow_redirects=False)
    assert (resp.status, resp.headers["Location"]) == (303, "/login")
    assert (await client.get("/tasks", allow_redirects=False)).status == 302


async def test_a_login_form_posted_from_another_site_is_refused(client):
    await sign_up_page(client, "fi@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/login", data={"email": "fi@example.com", "password": PASSWORD},
                             headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert resp.status == 403
    assert COOKIE_NAME not in resp.cookies


async def test_auth_pages_redirect_a_signed_in_user_to_the_board(client):
    await sign_up_page(client)
    for path in ("/login", "/signup"):
        resp = await client.get(path, allow_redirects=False)
        assert (resp.status, resp.headers["Location"]) == (302, "/tasks")

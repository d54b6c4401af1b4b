"""Account endpoints: sign-up, log-in, log-out, me, refresh, and the 401 codes."""
from __future__ import annotations

import time
import uuid

import jwt
import pytest

from taskpulse.app import create_app
from taskpulse.db.models import User
from taskpulse.keys import TOKENS
from taskpulse.web.credentials import COOKIE_NAME
from tests.conftest import TEST_SECRET
from tests.web.api_helpers import error_of, tasks_url

PASSWORD = "correct horse battery"


def session_cookie(resp):
    morsel = resp.cookies.get(COOKIE_NAME)
    assert morsel is not None, "no session cookie set"
    return morsel


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_signup_is_201_with_token_user_and_an_httponly_lax_cookie(client):
    resp = await client.post("/api/auth/signup", json={
        "email": "Ann@Example.com", "password": PASSWORD, "name": "Ann"})
    assert resp.status == 201
    body = await resp.json()
    assert set(body) == {"token", "user"}
    user = body["user"]
    assert (user["email"], user["name"]) == ("ann@example.com", "Ann")
    assert set(user) == {"id", "email", "name", "created_at"}     # never the hash
    claims = jwt.decode(body["token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == user["id"]
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    cookie = session_cookie(resp)
    assert cookie.value == body["token"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]
    assert int(cookie["max-age"]) == 7 * 24 * 3600
    stored = await User.get(id=user["id"])
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


async def test_signup_name_defaults_to_the_email_local_part(client):
    resp = await client.post("/api/auth/signup", json={"email": "bob@example.com",
                                                       "password": PASSWORD})
    assert (await resp.json())["user"]["name"] == "bob"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_signup_with_a_taken_email_is_409_whatever_the_case(client, signup):
    await signup("ann@example.com")
    resp = await client.post("/api/auth/signup", json={"email": "ANN@example.com",
                                                       "password": PASSWORD})
    assert (await error_of(resp, 409))["code"] == "email_taken"


@pytest.mark.parametrize("body, field", [
    ({"password": PASSWORD}, "email"),
    ({"email": "not-an-email", "password": PASSWORD}, "email"),
    ({"email": "ann@example.com"}, "password"),
    ({"email": "ann@example.com", "password": "short"}, "password"),
    ({"email": "ann@example.com", "password": 12345678}, "password"),
    ({"email": "ann@example.com", "password": PASSWORD, "name": "n" * 101}, "name"),
    ({"email": "ann@example.com", "password": PASSWORD, "admin": True}, "admin"),
])
async def test_invalid_signup_is_422_naming_the_field(client, body, field):
    resp = await client.post("/api/auth/signup", json=body)
    error = await error_of(resp, 422)
    assert error["fields"][0]["field"] == field
    assert "Value error" not in error["message"]


@pytest.mark.parametrize("email, password", [
    ("ann@example.com", "password"), ("ann@example.com", "PASSWORD1"),
    ("ann@example.com", "12345678"), ("ann@example.com", "87654321"),
    ("ann@example.com", "aaaaaaaaaa"), ("ann@example.com", "qwertyuiop"),
    ("ann@example.com", "ANN@EXAMPLE.COM"), ("annabelle@example.com", "annabelle"),
    ("ann@example.com", "          "),
])
async def test_signup_refuses_the_commonest_and_guessable_passwords(client, email, password):
    resp = await client.post("/api/auth/signup", json={"email": email, "password": password})
    error = await error_of(resp, 422)
    assert [f["field"] for f in error["fields"]] == ["password"]
    assert error["message"].startswith("password: ") and "Value error" not in error["message"]
    assert await User.all().count() == 0


async def test_a_password_is_taken_as_typed_at_sign_up_and_at_log_in_alike(client):
    spacey = "  spacey-password  "
    resp = await client.post("/api/auth/signup", json={"email": "sp@example.com",
                                                       "password": spacey})
    assert resp.status == 201, await resp.text()
    client.session.cookie_jar.clear()
    resp = await client.post("/api/auth/login", json={"email": "sp@example.com",
                                                      "password": spacey})
    assert resp.status == 200, await resp.text()
    resp = await client.post("/api/auth/login", json={"email": "sp@example.com",
                                                      "password": spacey.strip()})
    assert (await error_of(resp, 401))["code"] == "invalid_credentials"


async def test_signup_with_malformed_json_is_400(client):
    resp = await client.post("/api/auth/signup", data=b"{email",
                             headers={"Content-Type": "application/json"})
    assert (await error_of(resp, 400))["code"] == "invalid_json"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_login_returns_a_token_that_works(client, signup):
    acct = await signup("ann@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/api/auth/login", json={"email": " Ann@example.COM",
                                                      "password": PASSWORD})
    assert resp.status == 200
    body = await resp.json()
    assert body["user"]["id"] == acct.user_id
    assert session_cookie(resp).value == body["token"]
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (await me.json())["user"]["email"] == "ann@example.com"


@pytest.mark.parametrize("body", [
    {"email": "ann@example.com", "password": "wrong password"},
    {"email": "nobody@example.com", "password": PASSWORD},
])
async def test_wrong_login_is_401_with_the_same_answer_for_unknown_emails(client, signup, body):
    await signup("ann@example.com")
    client.session.cookie_jar.clear()
    resp = await client.post("/api/auth/login", json=body)
    error = await error_of(resp, 401)
    assert error == {"code": "invalid_credentials", "message": "Wrong email or password."}
    assert COOKIE_NAME not in resp.cookies


async def test_login_with_missing_fields_is_422(client):
    error = await error_of(await client.post("/api/auth/login", json={"email": "a@b.co"}), 422)
    assert error["fields"][0]["field"] == "password"


async def test_me_with_the_cookie_alone(client, signup):
    acct = await signup()
    resp = await client.get("/api/auth/me")                # the jar holds the signup cookie
    assert (await resp.json())["user"]["id"] == acct.user_id


async def test_logout_clears_the_cookie(client, signup):
    await signup()
    resp = await client.post("/api/auth/logout")
    assert resp.status == 200 and await resp.json() == {"ok": True}
    cookie = session_cookie(resp)
    assert cookie.value == "" and int(cookie["max-age"]) == 0
    error = await error_of(await client.get("/api/auth/me"), 401)
    assert error["code"] == "token_missing"


async def test_refresh_issues_a_new_token_with_a_later_expiry(client, signup, app):
    acct = await signup()
    old = app[TOKENS].issue(acct.user_id, now=time.time() - 60)
    resp = await client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {old}"})
    assert resp.status == 200
    body = await resp.json()
    assert body["user"]["id"] == acct.user_id
    assert app[TOKENS].verify(body["token"]).expires_at > app[TOKENS].verify(old).expires_at
    assert session_cookie(resp).value == body["token"]


async def test_refresh_needs_a_valid_token(client):
    error = await error_of(await client.post("/api/auth/refresh"), 401)
    assert error["code"] == "token_missing"


@pytest.mark.parametrize("route", [("GET", "/api/auth/me"), ("POST", "/api/auth/refresh"),
                                   ("GET", "tasks"), ("POST", "tasks")])
async def test_401_codes_say_what_is_wrong_with_the_token(client, signup, app, route):
    acct = await signup()
    client.session.cookie_jar.clear()
    method, path = route
    if path == "tasks":
        path = tasks_url(acct)
    expired = app[TOKENS].issue(acct.user_id, now=time.time() - 100, ttl=10)
    header, payload, signature = acct.token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    foreign = jwt.encode({"sub": acct.user_id, "iat": int(time.time()),
                          "exp": int(time.time()) + 60}, "another-secret-" * 4, algorithm="HS256")
    cases = [({}, "token_missing"),
             ({"Authorization": "Bearer " + expired}, "token_expired"),
             ({"Authorization": "Bearer " + tampered}, "token_invalid"),
             ({"Authorization": "Bearer " + foreign}, "token_invalid"),
             ({"Authorization": "Bearer not.a.jwt"}, "token_invalid"),
             ({"Authorization": "Bearer"}, "token_invalid"),
             ({"Authorization": "Token " + acct.token}, "token_invalid"),
             ({"Authorization": acct.token}, "token_invalid")]
    for headers, code in cases:
        resp = await client.request(method, path, headers=headers, json={"title": "x"})
        error = await error_of(resp, 401)
        assert error["code"] == code, (headers, error)


async def test_expired_or_tampered_cookie_is_refused_like_a_header(client, signup, app):
    acct = await signup()
    client.session.cookie_jar.clear()
    expired = app[TOKENS].issue(acct.user_id, now=time.time() - 100, ttl=10)
    client.session.cookie_jar.update_cookies({COOKIE_NAME: expired})
    assert (await error_of(await client.get("/api/auth/me"), 401))["code"] == "token_expired"
    client.session.cookie_jar.update_cookies({COOKIE_NAME: acct.token + "x"})
    assert (await error_of(await client.get("/api/auth/me"), 401))["code"] == "token_invalid"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_a_token_for_a_deleted_account_is_401(client, signup):
    acct = await signup()
    await User.filter(id=acct.user_id).delete()
    for method, path in (("GET", "/api/auth/me"), ("POST", "/api/auth/refresh"),
                         ("POST", tasks_url(acct))):
        resp = await client.request(method, path, headers=acct.headers, json={"title": "x"})
        assert (await error_of(resp, 401))["code"] == "token_invalid"


async def test_path_user_may_be_written_in_upper_case(client, signup):
    acct = await signup()
    resp = await client.get(f"/api/{acct.user_id.upper()}/tasks", headers=acct.headers)
    assert resp.status == 200


async def test_path_user_that_is_not_a_uuid_is_403(client, signup):
    acct = await signup()
    for path in ("/api/me/tasks", f"/api/{uuid.uuid4()}/tasks"):
        error = await error_of(await client.get(path, headers=acct.headers), 403)
        assert error["code"] == "forbidden"


async def test_production_marks_the_session_cookie_secure(aiohttp_client, config):
    client = await aiohttp_client(create_app(config.replace(env="production")))
    resp = await client.post("/api/auth/signup", json={"email": "ann@example.com",
                                                       "password": PASSWORD})
    assert resp.status == 201
    cookie = session_cookie(resp)
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"

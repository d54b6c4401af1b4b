"""HS256 tokens: what is issued, and which code each unusable token gets."""
from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from taskpulse.auth.tokens import SESSION, SOCKET, TokenError, TokenService

SECRET = "k" * 48
USER = str(uuid.uuid4())


@pytest.fixture
def tokens() -> TokenService:
    return TokenService(SECRET, ttl_seconds=3600)


def code_of(tokens: TokenService, token: str | None) -> str:
    with pytest.raises(TokenError) as info:
        tokens.verify(token)
    return info.value.code


def test_issued_token_carries_sub_iat_exp_and_verifies(tokens: TokenService) -> None:
    now = time.time()
    token = tokens.issue(USER, now=now)
    data = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert data == {"sub": USER, "iat": int(now), "exp": int(now) + 3600, "scope": "session"}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = tokens.verify(token)
    assert (claims.user_id, claims.expires_at, claims.scope) == (USER, int(now) + 3600,
                                                                 "session")


def test_default_lifetime_is_the_configured_ttl(tokens: TokenService) -> None:
    claims = tokens.verify(tokens.issue(USER))
    assert claims.expires_at - claims.issued_at == 3600


@pytest.mark.parametrize("token", [None, ""])
def test_no_token_is_token_missing(tokens: TokenService, token: str | None) -> None:
    assert code_of(tokens, token) == "token_missing"


def test_expired_token_is_token_expired(tokens: TokenService) -> None:
    token = tokens.issue(USER, now=time.time() - 100, ttl=10)
    assert code_of(tokens, token) == "token_expired"


def test_token_signed_with_another_key_is_invalid(tokens: TokenService) -> None:
    other = TokenService("x" * 48, 3600).issue(USER)
    assert code_of(tokens, other) == "token_invalid"


def test_token_with_a_changed_payload_is_invalid(tokens: TokenService) -> None:
    header, _, signature = tokens.issue(USER).split(".")
    forged = {"sub": str(uuid.uuid4()), "iat": int(time.time()),
              "exp": int(time.time()) + 3600}
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert code_of(tokens, f"{header}.{payload}.{signature}") == "token_invalid"


def test_token_with_a_flipped_signature_is_invalid(tokens: TokenService) -> None:
    token = tokens.issue(USER)
    last = "A" if token[-2] != "A" else "B"
    assert code_of(tokens, token[:-2] + last + token[-1]) == "token_invalid"


def test_unsigned_alg_none_token_is_invalid(tokens: TokenService) -> None:
    token = jwt.encode({"sub": USER, "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, None, algorithm="none")
    assert code_of(tokens, token) == "token_invalid"


@pytest.mark.parametrize("claims", [
    {"sub": USER, "iat": 0},                                  # no exp
    {"sub": USER, "exp": 2**40},                              # no iat
    {"iat": 0, "exp": 2**40},                                 # no sub
    {"sub": "not-a-uuid", "iat": 0, "exp": 2**40},
    {"sub": 42, "iat": 0, "exp": 2**40},
])
def test_token_missing_a_claim_or_with_a_bad_subject_is_invalid(
        tokens: TokenService, claims: dict[str, object]) -> None:
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert code_of(tokens, token) == "token_invalid"


@pytest.mark.parametrize("garbage", ["abc", "a.b.c", "Bearer x", "é" * 10])
def test_garbage_is_invalid(tokens: TokenService, garbage: str) -> None:
    assert code_of(tokens, garbage) == "token_invalid"


def test_a_socket_token_is_refused_where_only_a_session_token_will_do(
        tokens: TokenService) -> None:
    token = tokens.issue(USER, ttl=60, scope=SOCKET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["scope"] == "socket"
    assert code_of(tokens, token) == "token_wrong_scope"      # the default: session only
    claims = tokens.verify(token, scopes=(SESSION, SOCKET))
    assert (claims.user_id, claims.scope) == (USER, "socket")


def test_a_session_token_is_good_for_the_socket_too(tokens: TokenService) -> None:
    assert tokens.verify(tokens.issue(USER), scopes=(SESSION, SOCKET)).scope == "session"


def test_a_token_without_scope_from_before_scopes_existed_is_a_session_token(
        tokens: TokenService) -> None:
    legacy = jwt.encode({"sub": USER, "iat": int(time.time()), "exp": int(time.time()) + 60},
                        SECRET, algorithm="HS256")
    assert tokens.verify(legacy).scope == "session"


@pytest.mark.parametrize("scope", ["admin", "", None, ["session"], 1])
def test_a_token_with_an_unknown_scope_is_invalid(tokens: TokenService, scope: object) -> None:
    token = jwt.encode({"sub": USER, "iat": int(time.time()), "exp": int(time.time()) + 60,
                        "scope": scope}, SECRET, algorithm="HS256")
    assert code_of(tokens, token) == "token_invalid"
    with pytest.raises(TokenError):
        tokens.verify(token, scopes=(SESSION, SOCKET))


def test_an_expired_socket_token_is_expired_not_wrong_scope(tokens: TokenService) -> None:
    token = tokens.issue(USER, now=time.time() - 100, ttl=10, scope=SOCKET)
    assert code_of(tokens, token) == "token_expired"


def test_issuing_an_unknown_scope_is_a_programming_error(tokens: TokenService) -> None:
    with pytest.raises(ValueError):
        tokens.issue(USER, scope="admin")

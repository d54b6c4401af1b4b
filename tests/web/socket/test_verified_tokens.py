"""The handshake remembers tokens that passed its check, until they expire; nothing else."""
from __future__ import annotations

import time
from typing import Any

import pytest

from taskpulse.auth.tokens import SESSION, SOCKET, TokenError, TokenService
from taskpulse.web.socket.verified_tokens import VerifiedTokens

BOTH = (SESSION, SOCKET)
USER = "0b9b3f5e-7a0c-4c4e-9b7e-2f4d1f0c9a11"


class CountedTokens(TokenService):
    def __init__(self, secret: str = "s" * 48) -> None:
        super().__init__(secret, 3600)
        self.checks = 0

    def verify(self, token: Any, *, scopes: tuple[str, ...] = (SESSION,)) -> Any:
        self.checks += 1
        return super().verify(token, scopes=scopes)


def test_a_token_that_passed_is_not_checked_again_until_it_expires() -> None:
    service, verified = CountedTokens(), VerifiedTokens()
    token = service.issue(USER, scope=SOCKET)
    first = verified.verify(service, token, BOTH)
    assert verified.verify(service, token, BOTH) == first and first.user_id == USER
    assert service.checks == 1


def test_an_expired_token_is_checked_again_and_refused() -> None:
    service, verified = CountedTokens(), VerifiedTokens()
    token = service.issue(USER, ttl=2)
    claims = verified.verify(service, token, BOTH)
    while time.time() < claims.expires_at:     # the token's own expiry, seconds away
        time.sleep(0.05)
    with pytest.raises(TokenError) as refused:
        verified.verify(service, token, BOTH)
    assert refused.value.code == "token_expired" and service.checks == 2


def test_a_token_is_remembered_for_the_scopes_it_was_checked_for_only() -> None:
    service, verified = CountedTokens(), VerifiedTokens()
    token = service.issue(USER, scope=SOCKET)
    verified.verify(service, token, BOTH)
    with pytest.raises(TokenError) as refused:
        verified.verify(service, token, (SESSION,))
    assert refused.value.code == "token_wrong_scope"


@pytest.mark.parametrize("token", ["", "not.a.jwt", None])
def test_a_token_that_fails_is_checked_every_time(token: Any) -> None:
    service, verified = CountedTokens(), VerifiedTokens()
    for _ in range(2):
        with pytest.raises(TokenError):
            verified.verify(service, token, BOTH)
    assert service.checks == 2


def test_only_the_most_recent_tokens_are_kept() -> None:
    service, verified = CountedTokens(), VerifiedTokens(kept=2)
    tokens = [service.issue(USER, now=time.time() - n) for n in range(3)]
    for token in tokens:
        verified.verify(service, token, BOTH)
    verified.verify(service, tokens[2], BOTH)      # still kept
    verified.verify(service, tokens[0], BOTH)      # dropped: checked again
    assert service.checks == 4


def test_another_key_does_not_accept_what_the_first_one_passed() -> None:
    first, verified = CountedTokens(), VerifiedTokens()
    token = first.issue(USER)
    verified.verify(first, token, BOTH)
    with pytest.raises(TokenError) as refused:
        verified.verify(CountedTokens(secret="t" * 48), token, BOTH)
    assert refused.value.code == "token_invalid"


async def test_tabs_sharing_a_token_are_all_welcomed(signup: Any, open_tab: Any) -> None:
    acct = await signup()
    tabs = [await open_tab(acct) for _ in range(3)]
    assert [tab.welcome()["user_id"] for tab in tabs] == [acct.user_id] * 3

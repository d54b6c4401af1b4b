"""Sign-up and log-in input rules (the database side is covered by tests/web)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from taskpulse.auth.accounts import LoginIn, SignupIn


def test_email_is_trimmed_and_lower_cased() -> None:
    data = SignupIn(email="  Ann@Example.COM ", password="long enough")
    assert data.email == "ann@example.com"
    assert LoginIn(email=" ANN@example.com", password="x").email == "ann@example.com"


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "ann@example",
                                   "a nn@example.com", "a" * 250 + "@example.com"])
def test_malformed_email_is_refused(email: str) -> None:
    with pytest.raises(ValidationError) as info:
        SignupIn(email=email, password="long enough")
    assert info.value.errors()[0]["loc"] == ("email",)


@pytest.mark.parametrize("password", ["", "short", "x" * 257])
def test_password_must_be_8_to_256_characters(password: str) -> None:
    with pytest.raises(ValidationError) as info:
        SignupIn(email="ann@example.com", password=password)
    assert info.value.errors()[0]["loc"] == ("password",)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        SignupIn.model_validate({"email": "ann@example.com", "password": "long enough",
                                 "admin": True})
    assert info.value.errors()[0]["loc"] == ("admin",)

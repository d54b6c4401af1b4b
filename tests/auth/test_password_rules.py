"""The rule for new passwords (auth/password_rules.py)."""
from __future__ import annotations

import pytest

from taskpulse.auth.accounts import LoginIn, SignupIn
from taskpulse.auth.password_rules import password_problem


@pytest.mark.parametrize("password, email", [
    ("password", ""), ("Password123", ""), ("12345678", ""), ("abcdefghij", ""),
    ("zyxwvuts", ""), ("........", ""), ("   \t    ", ""), ("iloveyou", ""),
    ("ann@example.com", "Ann@Example.com"), ("ANN.SMITH", "ann.smith@example.com"),
])
def test_guessable_passwords_have_a_problem(password: str, email: str) -> None:
    assert password_problem(password, email) is not None


@pytest.mark.parametrize("password", ["correct horse battery", "  spacey-password  ",
                                      "Tr0ub4dor&3x", "ann@example.org"])
def test_other_passwords_have_none(password: str) -> None:
    assert password_problem(password, "ann@example.com") is None


def test_passwords_are_never_trimmed_while_emails_and_names_are() -> None:
    data = SignupIn(email=" ann@example.com ", password="  spacey-password  ", name=" Ann ")
    assert (data.email, data.password, data.name) == (
        "ann@example.com", "  spacey-password  ", "Ann")
    assert LoginIn(email="ann@example.com", password="  spacey-password  ").password == (
        "  spacey-password  ")

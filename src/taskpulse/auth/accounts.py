"""Sign-up and log-in, shared by the JSON API and the pages."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo,
                      field_validator)
from tortoise.exceptions import IntegrityError

from taskpulse.auth.password_rules import MAX_CHARS, MIN_CHARS, password_problem
from taskpulse.auth.passwords import hash_password, verify_password
from taskpulse.db.models import User
from taskpulse.db.sql.common import existing_users
from taskpulse.protocol.timestamps import iso_utc
from taskpulse.tasks.schemas import PlainText


class AccountError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _normal_email(value: str) -> str:
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > 254:
        raise ValueError("enter a valid email address")
    return value


#: A password as typed: never trimmed, at sign-up as at log-in (auth/password_rules.py).
Password = Annotated[str, StringConstraints(strip_whitespace=False)]


class SignupIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: PlainText = Field(max_length=254)
    password: Password = Field(min_length=MIN_CHARS, max_length=MAX_CHARS)
    name: PlainText = Field(default="", max_length=100)

    _email = field_validator("email")(classmethod(lambda cls, v: _normal_email(v)))

    @field_validator("password")
    @classmethod
    def _not_guessable(cls, value: str, info: ValidationInfo) -> str:
        problem = password_problem(value, str(info.data.get("email", "")))
        if problem is not None:
            raise ValueError(problem)
        return value


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: PlainText = Field(max_length=254)
    password: Password = Field(min_length=1, max_length=MAX_CHARS)

    _email = field_validator("email")(classmethod(lambda cls, v: v.strip().lower()))


def user_to_dict(user: User) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "name": user.name,
            "created_at": iso_utc(user.created_at)}


async def find_user(user_id: str) -> User | None:
    """The account of a verified token's user (None: deleted since)."""
    return await User.get_or_none(id=user_id)


async def account_exists(user_id: str) -> bool:
    """Whether a verified token's user still has an account (one primary-key lookup)."""
    return bool(await User.exists(id=user_id))


#: The most user ids one :func:`existing_accounts` query asks about; fewer are padded up to
#: the next power of two, so a handful of statement texts serve every count.
MOST_IDS_PER_QUERY = 256


def _padded(count: int) -> int:
    size = 1
    while size < count:
        size *= 2
    return size


async def existing_accounts(user_ids: Iterable[str]) -> set[str]:
    """Those of ``user_ids`` (at most :data:`MOST_IDS_PER_QUERY`) that still have an
    account, in one query; an id that is no UUID has none."""
    canonical: dict[str, list[str]] = {}    # as stored -> as asked
    for user_id in user_ids:
        try:
            canonical.setdefault(str(uuid.UUID(user_id)), []).append(user_id)
        except ValueError:
            continue
    if not canonical:
        return set()
    if len(canonical) > MOST_IDS_PER_QUERY:
        raise ValueError(f"at most {MOST_IDS_PER_QUERY} ids per query")
    ids = list(canonical)
    ids += ids[:1] * (_padded(len(ids)) - len(ids))
    rows = await existing_users(len(ids)).fetch(*ids)
    return {asked for row in rows for asked in canonical[str(row[0])]}


async def create_user(data: SignupIn) -> User:
    if await User.exists(email=data.email):
        raise AccountError(409, "email_taken", "An account with this email already exists.")
    password_hash = await hash_password(data.password)
    try:
        return await User.create(email=data.email, name=data.name or data.email.split("@")[0],
                                 password_hash=password_hash)
    except IntegrityError:
        raise AccountError(409, "email_taken",
                           "An account with this email already exists.") from None


async def check_login(data: LoginIn) -> User | None:
    user = await User.get_or_none(email=data.email)
    if user is None:
        await hash_password(data.password)  # same cost whether or not the email exists
        return None
    return user if await verify_password(user.password_hash, data.password) else None

"""Who may open a connection beyond a valid token: an account that still exists, and a
user under ``sio_max_connections_per_user`` connections."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from taskpulse.config import Config
from taskpulse.db.models import User
from taskpulse.keys import SIO
from taskpulse.protocol.events import NAMESPACE
from tests.conftest import make_config

LIMIT = 3


@pytest.fixture
async def config(database_url: str, tmp_path: Any) -> Config:
    return make_config(database_url=database_url, var_dir=str(tmp_path / "var"),
                       sio_max_connections_per_user=LIMIT)


def namespace(app: Any) -> Any:
    return app[SIO].namespace_handlers[NAMESPACE]


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def refusal_of(tab: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await tab.connect(**kwargs)
    assert tab.refusal is not None, "the namespace did not send connect_error"
    assert tab.events == []
    refusal: dict[str, Any] = tab.refusal
    return refusal


async def test_a_deleted_accounts_token_cannot_open_a_connection(signup, new_tab):
    acct = await signup()
    await User.filter(id=acct.user_id).delete()
    refusal = await refusal_of(new_tab(), auth={"token": acct.token})
    assert refusal["data"] == {"code": "unauthorized",
                               "message": "This account no longer exists."}


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
async def test_a_user_over_the_connection_limit_is_refused_with_a_clear_code(
        app, signup, open_tab, new_tab, transports):
    acct, other = await signup(), await signup()
    tabs = [await open_tab(acct, transports=transports) for _ in range(LIMIT)]
    refusal = await refusal_of(new_tab(transports), auth={"token": acct.token})
    assert refusal["data"]["code"] == "too_many_connections"
    assert f"{LIMIT} live connections" in refusal["data"]["message"]
    assert (await open_tab(other)).welcome()["user_id"] == other.user_id   # per user
    await tabs[0].close()
    await until(lambda: namespace(app).connections.open_for(acct.user_id) < LIMIT)
    again = await open_tab(acct, transports=transports)          # a place came free
    assert again.welcome()["user_id"] == acct.user_id

"""Once the app has started, start-up objects are frozen out of the collector's sight and
a full collection waits for 1,000 middle-generation ones, or 100 when closed WebSockets are
left to the collector (the stock path, without the hook ``fast_fanout``)."""
from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from aiohttp import web

from taskpulse.app import create_app
from taskpulse.keys import HOOKS
from taskpulse.serving.gc_tuning import (FULL_AFTER_MIDDLE, FULL_AFTER_MIDDLE_STOCK,
                                         freeze_after_startup)
from tests.conftest import HOOKS_OFF, make_config


@pytest.fixture
def gc_state() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()               # whatever an earlier test froze: start from none
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.parametrize("hooks, full", [({"fast_fanout", "room_index"}, FULL_AFTER_MIDDLE),
                                         ({"room_index"}, FULL_AFTER_MIDDLE_STOCK),
                                         (None, FULL_AFTER_MIDDLE_STOCK)],
                         ids=["fast_fanout", "without-fast_fanout", "no-hooks-key"])
async def test_after_start_up_objects_are_frozen_and_full_collections_rarer(
        aiohttp_client, gc_state, hooks, full):
    app = web.Application()
    if hooks is not None:
        app[HOOKS] = frozenset(hooks)
    freeze_after_startup(app)
    young, middle, before = gc.get_threshold()
    assert before not in (FULL_AFTER_MIDDLE, FULL_AFTER_MIDDLE_STOCK)   # untouched so far
    assert gc.get_freeze_count() == 0
    await aiohttp_client(app)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, full)


@pytest.mark.parametrize("fast_fanout", [True, False], ids=["hook", "stock"])
async def test_the_real_app_sets_the_threshold_its_hooks_allow(
        aiohttp_client, gc_state, tmp_path, fast_fanout):
    app = create_app(make_config(sio_fast_fanout=fast_fanout, var_dir=str(tmp_path)))
    freeze_after_startup(app)
    await aiohttp_client(app)
    hooked = fast_fanout and not HOOKS_OFF      # the CI's hooks-off run: the stock path
    assert gc.get_threshold()[2] == (FULL_AFTER_MIDDLE if hooked else FULL_AFTER_MIDDLE_STOCK)

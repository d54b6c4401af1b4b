"""Once the app has started, start-up objects are frozen out of the collector's sight and a
full collection waits for 100 middle-generation ones."""
from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from aiohttp import web

from taskpulse.serving.gc_tuning import FULL_AFTER_MIDDLE, freeze_after_startup


@pytest.fixture
def gc_state() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.unfreeze()               # whatever an earlier test froze: start from none
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


async def test_after_start_up_objects_are_frozen_and_full_collections_rarer(
        aiohttp_client, gc_state):
    app = web.Application()
    freeze_after_startup(app)
    young, middle, full = gc.get_threshold()
    assert full != FULL_AFTER_MIDDLE       # untouched until the app starts
    assert gc.get_freeze_count() == 0
    await aiohttp_client(app)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, FULL_AFTER_MIDDLE)

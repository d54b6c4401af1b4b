"""The streaming budget, with the shipped settings: a 500-token reply generated at 200
tokens/s reaches every tab in at most ~30 ``agent_token`` events, and each event reaches
the tabs within 60 ms of the newest token it carries.

(Each token's own wait is bounded by the batch window: a token cannot both wait for ~30
emits' worth of company and leave within 60 ms of being generated, since 2.5 s of
continuous tokens would then need at least 42 emits.)
"""
from __future__ import annotations

import asyncio
import re
import time
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from taskpulse.llm.base import Delta
from tests.agent.conftest import chat
from tests.agent.test_socket_e2e import Tab

DEFAULTS = tomllib.loads((Path(__file__).parents[2] / "config" / "default.toml").read_text())
SHIPPED = {k: DEFAULTS[k] for k in ("agent_token_batch_ms", "agent_token_batch_chars")}
TOKENS, RATE = 500, 200.0


class PacedTokens:
    """A model that streams ``w0 w1 ...`` at ``rate`` tokens per second (on a schedule, so
    the rate holds however long each step takes) and notes when each token was made."""

    name = "paced"

    def __init__(self, count: int, rate: float) -> None:
        self.count, self.rate = count, rate
        self.made: list[float] = []

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(self.count):
            wait = start + i / self.rate - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.made.append(time.time())
            yield Delta(text=f"w{i} ")

    async def close(self) -> None:
        pass


class TimedTab(Tab):
    """A tab that also notes when each event arrived."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.arrived: list[float] = []

    async def _record(self, name: str, data: Any = None) -> None:
        self.arrived.append(time.time())
        await super()._record(name, data)


@pytest.fixture
def llm() -> PacedTokens:
    return PacedTokens(TOKENS, RATE)


@pytest.mark.parametrize("overrides", [SHIPPED])
async def test_a_500_token_reply_at_200_tokens_a_second_is_about_30_prompt_emits(
        client: Any, signup: Any, base_url: str, llm: PacedTokens) -> None:
    acct = await signup()
    phone, laptop = TimedTab(base_url), TimedTab(base_url)
    try:
        for tab in (phone, laptop):
            await tab.connect(acct.token)
        body = await chat(client, acct, "tell me a long story")
        for tab in (phone, laptop):
            await tab.wait_end(body["run_id"])
            tokens = [(data["text"], at) for (name, data), at in zip(tab.events, tab.arrived)
                      if name == "agent_token" and data.get("run_id") == body["run_id"]]
            assert "".join(text for text, _ in tokens) == "".join(
                f"w{i} " for i in range(TOKENS))
            assert len(tokens) <= 30, len(tokens)
            late = []
            for text, at in tokens:
                newest = int(re.findall(r"w(\d+) ", text)[-1])
                if at - llm.made[newest] > 0.060:
                    late.append((newest, round((at - llm.made[newest]) * 1000, 1)))
            assert late == [], late
    finally:
        await asyncio.gather(phone.close(), laptop.close(), return_exceptions=True)

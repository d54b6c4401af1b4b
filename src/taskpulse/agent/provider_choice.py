"""Builds the configured model provider (no I/O) and closes it with the app."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from taskpulse.config import Config
from taskpulse.llm.base import LLMProvider
from taskpulse.agent.offline.model import OfflineProvider


def build_provider(config: Config) -> LLMProvider:
    if config.llm_provider == "groq":
        from taskpulse.llm.groq import GroqProvider
        return GroqProvider(config.groq_api_key, config.groq_model, config.groq_base_url,
                            timeout=config.groq_timeout_seconds,
                            max_retries=config.groq_max_retries)
    return OfflineProvider(chunk_delay=config.offline_chunk_delay_ms / 1000)


def closing_ctx(provider: LLMProvider) -> Callable[[web.Application], Any]:
    """A cleanup context that closes ``provider`` when the app stops."""
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        yield
        await provider.close()
    return ctx

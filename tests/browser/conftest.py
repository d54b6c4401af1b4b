"""Browser tests: Python Playwright driving Debian's Chromium against the real app on a port.

The app is built by the real factory and served by aiohttp's TestServer on 127.0.0.1 (so a
test may hand it a scripted model). Without /usr/bin/chromium the tests skip, unless
TASKPULSE_REQUIRE_SERVICES=1 (CI), where they fail.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from taskpulse.app import create_app
from taskpulse.config import ROOT
from tests.conftest import make_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
# Records every progress row state and every reply text the page shows, in order.
RECORDER = (Path(__file__).parent / "recorder.js").read_text()
_emails = itertools.count(1)


def _missing(reason: str) -> None:
    if os.environ.get("TASKPULSE_REQUIRE_SERVICES") == "1":
        pytest.fail(reason + " and TASKPULSE_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason + " (apt-get install -y chromium)")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is not installed")
    for vendored in ("socket.io.min.js", "marked.esm.js", "purify.es.js"):
        if not (ROOT / "static" / "vendor" / vendored).is_file():
            _missing(f"static/vendor/{vendored} is missing (run `make setup`)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class Server:
    app: web.Application
    url: str
    handle: TestServer | None = None      # to stop it early (a server gone mid-test)


StartServer = Callable[..., Awaitable[Server]]


@pytest.fixture
def contexts() -> list[Any]:
    """Browser contexts of a test; closed before its servers so they stop at once."""
    return []


@pytest.fixture
async def start_server(tmp_path: Path, contexts: list[Any]) -> AsyncIterator[StartServer]:
    """Start the real app on a port: ``await start_server(llm=None, **config_overrides)``."""
    servers: list[TestServer] = []

    async def start(llm: Any = None, **overrides: Any) -> Server:
        settings = {"database_url": "sqlite://:memory:", "var_dir": str(tmp_path / "var"),
                    "offline_chunk_delay_ms": 40, **overrides}
        app = create_app(make_config(**settings), llm=llm)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return Server(app, str(server.make_url("")).rstrip("/"), server)

    yield start
    for context in contexts:
        await context.close()
    for server in servers:
        await server.close()


@dataclass
class Tab:
    """A page plus everything it logged; ``problems`` are console errors and page errors."""
    page: Any
    problems: list[str] = field(default_factory=list)
    allowed: tuple[str, ...] = ()
    dialogs: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        real = [p for p in self.problems if not any(a in p for a in self.allowed)]
        assert not real, f"console errors: {real}"

    async def steps(self) -> list[str]:
        return list(await self.page.evaluate("window.__tp.steps"))

    async def replies(self) -> list[str]:
        return list(await self.page.evaluate("window.__tp.texts"))

    async def status(self) -> str:
        return str(await self.page.text_content("#conn-status .conn-label")).strip()

    async def transport(self) -> str:
        """The transport the status says it is live over (``websocket`` or ``polling``)."""
        return str(await self.page.get_attribute("#conn-status", "data-transport"))

    async def wait_status(self, prefix: str, timeout: float = 15_000) -> None:
        await self.page.wait_for_function(
            "p => document.querySelector('#conn-status .conn-label').textContent.startsWith(p)",
            arg=prefix, timeout=timeout)


@dataclass
class User:
    context: Any
    base: str
    email: str
    user_id: str
    token: str
    tabs: list[Tab] = field(default_factory=list)

    async def open(self, path: str, allowed: tuple[str, ...] = ()) -> Tab:
        page = await self.context.new_page()
        tab = Tab(page, allowed=allowed)
        page.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: tab.problems.append(f"pageerror: {e}"))

        async def on_dialog(dialog: Any) -> None:
            tab.dialogs.append(dialog.message)
            await dialog.dismiss()
        page.on("dialog", on_dialog)
        await page.goto(self.base + path)
        self.tabs.append(tab)
        return tab

    def check_clean(self) -> None:
        for tab in self.tabs:
            tab.check_clean()


NewUser = Callable[..., Awaitable[User]]


@pytest.fixture
def new_context(browser: Any, contexts: list[Any]) -> Callable[..., Awaitable[Any]]:
    """A fresh browser context (its own cookies) that records progress and replies."""
    async def make(**context_options: Any) -> Any:
        context = await browser.new_context(**context_options)
        contexts.append(context)
        await context.add_init_script(RECORDER)
        return context
    return make


@pytest.fixture
def new_user(new_context: Callable[..., Awaitable[Any]]) -> NewUser:
    """A browser context with a signed-up user."""
    async def make(server: Server, **context_options: Any) -> User:
        context = await new_context(**context_options)
        email = f"browser{next(_emails)}@example.com"
        resp = await context.request.post(server.url + "/api/auth/signup",
                                          data={"email": email, "password": PASSWORD})
        assert resp.status == 201, await resp.text()
        body = await resp.json()
        return User(context, server.url, email, body["user"]["id"], body["token"])
    return make


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / name)

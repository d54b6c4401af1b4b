"""The session across tabs, and a server that goes away: what every open tab shows."""
from __future__ import annotations

import time

from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply

SERVER_GONE = ("ERR_CONNECTION_REFUSED", "WebSocket connection", "Failed to load resource",
               "ERR_EMPTY_RESPONSE", "ERR_CONNECTION_RESET", "CLOSING or CLOSED state")


async def test_logging_out_in_one_tab_sends_every_tab_to_log_in(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    board = await user.open("/tasks")
    for tab in (chat, board):
        await tab.wait_status("Live")
    await board.page.click("header form.logout button[type=submit]")
    await board.page.wait_for_url("**/login")
    # The other tab is told at once: no token renewal or reconnect needed to find out.
    await chat.page.wait_for_url("**/login?next=%2Fchat", timeout=5000)
    assert await chat.page.locator("#login-email, input[name=email]").count() == 1
    assert await chat.page.locator("header .who").count() == 0
    assert (await user.context.request.get(server.url + "/chat", max_redirects=0)).status == 302
    user.check_clean()


async def test_a_server_that_is_gone_reads_offline_and_no_promise_of_http(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat", allowed=SERVER_GONE)
    await chat.wait_status("Live")
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    page = chat.page
    cap = await page.evaluate("window.taskpulse.live.socket.io.reconnectionDelayMax()")
    assert cap == 3000                                  # the page is visible: retry often

    assert server.handle is not None
    started = time.monotonic()
    await server.handle.close()
    await chat.wait_status("Reconnecting", timeout=10_000)
    await chat.wait_status("Offline", timeout=20_000)    # not "Reconnecting" for ever
    assert 5 <= time.monotonic() - started <= 20
    notice = page.locator("#chat-notice")
    await page.wait_for_function(
        "() => document.getElementById('chat-notice').textContent.includes('cannot be reached')")
    assert "You can still chat" not in await notice.text_content()
    assert "cannot be reached" in await page.text_content("#conn-detail")
    await page.screenshot(path=screenshot_path("chat-offline.png"))
    # Every scheduled try waits at most the visible cap.
    delays = await page.evaluate("window.taskpulse.live.status.delayMs")
    assert 0 < delays <= 3000

    # Coming back to the tab tries at once, not when the backoff says.
    await page.wait_for_function(
        "() => (window.taskpulse.live.status.nextTryAt || 0) - Date.now() > 1500")
    async with page.expect_request(lambda r: "/socket.io/" in r.url, timeout=800):
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
    user.check_clean()


async def test_a_tab_that_missed_the_log_out_checks_when_it_is_shown_again(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    # The check is refused with 401, which the browser logs.
    board = await user.open("/tasks", allowed=("status of 401",))
    await board.wait_status("Live")
    await user.context.clear_cookies()              # the session ended while it slept
    # It asks at most every 10 s: shown again a little later than that.
    await board.page.evaluate("""() => {
        const now = Date.now();
        Date.now = () => now + 11_000;
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    await board.page.wait_for_url("**/login?next=%2Ftasks", timeout=5000)
    user.check_clean()

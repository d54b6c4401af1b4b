"""The live connection in a real browser: offline and back, token renewal, signal strength."""
from __future__ import annotations

import asyncio
import re

from aiohttp import ClientSession

from tests.browser.conftest import screenshot_path

OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "WebSocket connection", "Failed to load resource")


async def api_add_task(server, user, title: str) -> None:
    """Another device changes the board: the REST API with the user's own token."""
    async with ClientSession() as http:
        resp = await http.post(f"{server.url}/api/{user.user_id}/tasks", json={"title": title},
                               headers={"Authorization": f"Bearer {user.token}"})
        assert resp.status == 201, await resp.text()


async def test_offline_and_back_catches_up_without_reload(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    board = await user.open("/tasks", allowed=OFFLINE_NOISE)
    await board.wait_status("Live")
    await board.page.evaluate("window.__loadedOnce = true")

    await user.context.set_offline(True)
    await board.wait_status("Reconnecting")
    status = await board.status()
    assert re.fullmatch(r"Reconnecting \(attempt \d+, (next try in \d+ s|trying now)\)", status)
    await api_add_task(server, user, "added while you were away")
    await board.page.fill("#add-title", "typed while offline")    # cannot be saved: says so
    await board.page.click("#add-form button[type=submit]")
    await board.page.wait_for_selector("#board .form-error >> text=Could not reach the server")
    await board.page.wait_for_timeout(1200)                   # a retry or two fail
    await board.page.screenshot(path=screenshot_path("reconnecting.png"))
    assert await board.page.locator("text=added while you were away").count() == 0

    await user.context.set_offline(False)
    await board.wait_status("Live")
    row = board.page.locator("#task-list li.task", has_text="added while you were away")
    await row.wait_for(timeout=10_000)
    assert await board.page.is_hidden("#board .form-error")   # no stale "offline" error
    assert await board.page.input_value("#add-title") == "typed while offline"   # kept
    assert await board.page.evaluate("window.__loadedOnce") is True
    user.check_clean()


async def test_reconnecting_counts_attempts_with_growing_delays(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    board = await user.open("/tasks", allowed=OFFLINE_NOISE)
    await board.wait_status("Live")
    await user.context.set_offline(True)
    seen: dict[int, int] = {}                   # attempt -> the delay scheduled before it
    for _ in range(80):
        attempt, delay = await board.page.evaluate(
            "() => { const s = window.taskpulse.live.status; return [s.attempt, s.delayMs]; }")
        if delay:
            seen.setdefault(attempt, delay)
        if len(seen) >= 3:
            break
        await asyncio.sleep(0.2)
    await user.context.set_offline(False)
    attempts = sorted(seen)
    assert attempts[:3] == [attempts[0], attempts[0] + 1, attempts[0] + 2], seen
    delays = [seen[a] for a in attempts]
    # Exponential with jitter (1 s, 2 s, 4 s, each ±50%), capped at 3 s while the page is
    # visible (15 s in a background tab).
    assert all(0 < d <= 3_000 for d in delays)
    assert delays[2] > delays[0], seen
    await board.wait_status("Live")


async def test_the_socket_renews_its_short_lived_token_and_stays_live(start_server, new_user):
    server = await start_server(socket_token_ttl_seconds=3)
    user = await new_user(server)
    board = await user.open("/tasks")
    await board.wait_status("Live")
    first_sid = await board.page.evaluate("window.taskpulse.live.socket.id")
    # The server ends the connection when the 3-second token expires; the page renews it.
    await board.page.wait_for_function(
        "sid => window.taskpulse.live.connected && window.taskpulse.live.socket.id !== sid",
        arg=first_sid, timeout=15_000)
    await api_add_task(server, user, "after renewal")
    # Renewals keep happening every ~3 s meanwhile; the task must arrive through them.
    await board.page.locator("#task-list li", has_text="after renewal").wait_for(timeout=15_000)
    assert board.page.url.endswith("/tasks")
    user.check_clean()


async def test_a_session_ended_elsewhere_sends_the_page_to_log_in(start_server, new_user):
    server = await start_server(socket_token_ttl_seconds=3)
    user = await new_user(server)
    # The renewal request is refused with 401, which the browser logs.
    board = await user.open("/tasks", allowed=("status of 401",))
    await board.wait_status("Live")
    await user.context.clear_cookies()                        # logged out in another tab
    await board.page.wait_for_url("**/login?next=%2Ftasks", timeout=15_000)
    user.check_clean()


async def test_signal_strength_comes_from_real_ping_round_trips(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    fast = await user.open("/tasks")
    await fast.wait_status("Live")
    await fast.page.wait_for_selector("#conn-status .signal[data-rtt]")
    assert await fast.page.get_attribute("#conn-status .signal", "data-bars") == "4"
    # Not only a hover tooltip: the status takes keyboard focus and then shows the round
    # trip, which is also its description for screen readers.
    detail = fast.page.locator("#conn-status .conn-detail")
    assert not await detail.evaluate("d => d.getBoundingClientRect().width > 1")
    for _ in range(10):
        await fast.page.keyboard.press("Tab")
        if await fast.page.evaluate("document.activeElement.id") == "conn-status":
            break
    assert await fast.page.evaluate("document.activeElement.id") == "conn-status"
    assert await fast.page.get_attribute("#conn-status", "aria-describedby") == "conn-detail"
    assert re.fullmatch(r"Live over WebSocket, signal 4 of 4\. Round trip \d+ ms "
                        r"\(median of recent pings\)", await detail.text_content())
    assert await detail.evaluate("d => d.getBoundingClientRect().width > 100")

    slow_page = await user.context.new_page()

    async def delay_posts(route):
        if route.request.method == "POST":        # client -> server packets (the pings)
            await asyncio.sleep(0.7)
        await route.continue_()
    await slow_page.route("**/socket.io/**", delay_posts)
    await slow_page.goto(server.url + "/tasks?transport=polling")
    await slow_page.wait_for_selector("#conn-status .signal[data-rtt]", timeout=15_000)
    rtt = int(await slow_page.get_attribute("#conn-status .signal", "data-rtt"))
    bars = int(await slow_page.get_attribute("#conn-status .signal", "data-bars"))
    assert rtt >= 700 and bars <= 2
    assert re.fullmatch(r"Live over long-polling, signal [12] of 4\. Round trip \d+ ms \(median "
                        r"of recent pings\)", await slow_page.text_content("#conn-detail"))
    user.check_clean()


async def test_resync_reloads_the_board_when_missed_events_are_gone(start_server, new_user):
    # The server keeps only the newest event (older than a second): a long absence
    # cannot be replayed, so the page is told to resync and reloads over HTTP.
    server = await start_server(event_log_max_events=1, event_log_max_age_seconds=1)
    user = await new_user(server)
    board = await user.open("/tasks", allowed=OFFLINE_NOISE)
    await board.wait_status("Live")
    await board.page.evaluate("window.__loadedOnce = true")
    await api_add_task(server, user, "seen live")
    await board.page.locator("#task-list li", has_text="seen live").wait_for()
    await user.context.set_offline(True)
    await board.wait_status("Reconnecting")
    for title in ("missed one", "missed two"):
        await api_add_task(server, user, title)
    await asyncio.sleep(1.2)
    await api_add_task(server, user, "missed three")          # trims the log
    reloads: list[str] = []
    board.page.on("request", lambda r: reloads.append(r.url) if "/tasks?status=all" in r.url
                  else None)
    await user.context.set_offline(False)
    await board.wait_status("Live")
    for title in ("missed one", "missed two", "missed three"):
        await board.page.locator("#task-list li", has_text=title).wait_for(timeout=10_000)
    assert reloads, "the board did not reload over HTTP"
    assert await board.page.evaluate("window.__loadedOnce") is True
    user.check_clean()


async def test_a_resync_reload_keeps_tasks_that_arrive_while_it_loads(start_server, new_user):
    """A new user's first connection gets ``resync`` (nothing to catch up from), and the board
    reloads over HTTP. A task created while that request is in flight arrives live; the
    older snapshot must not wipe it out."""
    server = await start_server()
    user = await new_user(server)
    release = asyncio.Event()

    async def slow_reload(route):
        response = await route.fetch()             # the snapshot is taken now...
        await release.wait()
        await route.fulfill(response=response)     # ...and arrives late

    await user.context.route(re.compile(r".*/api/[^/]+/tasks\?status=all.*"), slow_reload)
    board = await user.open("/tasks")
    await board.wait_status("Live")
    await api_add_task(server, user, "made during the reload")
    await board.page.locator("#task-list li", has_text="made during the reload").wait_for()
    release.set()                                  # the snapshot (without it) lands now
    await board.page.wait_for_load_state("networkidle")
    await asyncio.sleep(0.3)
    assert await board.page.locator("#task-list li", has_text="made during the reload").count() == 1
    user.check_clean()


async def test_a_chat_resync_keeps_messages_that_arrive_while_it_reopens(start_server, new_user):
    """After a resync the chat page reopens its conversation over HTTP. Messages posted while
    that request is in flight arrive live; the older snapshot must neither drop nor repeat them."""
    server = await start_server(event_log_max_events=1, event_log_max_age_seconds=1)
    user = await new_user(server)
    chat = await user.open("/chat", allowed=OFFLINE_NOISE)
    await chat.wait_status("Live")
    await chat.page.fill("#chat-input", "add buy milk")
    await chat.page.press("#chat-input", "Enter")
    await chat.page.wait_for_selector(".msg-assistant:not(.streaming) .bubble:not(:empty)")
    conversation_id = await chat.page.evaluate("new URLSearchParams(location.search).get('c')")
    await user.context.set_offline(True)
    await chat.wait_status("Reconnecting")
    for title in ("missed one", "missed two"):
        await api_add_task(server, user, title)
    await asyncio.sleep(1.2)
    await api_add_task(server, user, "missed three")          # trims the log: resync on return

    snapshot_taken = asyncio.Event()
    release = asyncio.Event()

    async def slow_messages(route):
        response = await route.fetch()             # the snapshot is taken now...
        snapshot_taken.set()
        await release.wait()
        await route.fulfill(response=response)     # ...and arrives late

    await chat.page.route(re.compile(r".*/conversations/[^/]+/messages$"), slow_messages)
    await user.context.set_offline(False)
    await chat.wait_status("Live")
    await asyncio.wait_for(snapshot_taken.wait(), 10)
    async with ClientSession() as http:            # another device asks in the same chat
        resp = await http.post(f"{server.url}/api/{user.user_id}/chat",
                               json={"message": "add call mum", "conversation_id": conversation_id},
                               headers={"Authorization": f"Bearer {user.token}"})
        assert resp.status == 200, await resp.text()
    await chat.page.wait_for_selector(".msg-user >> text=add call mum")
    await chat.page.wait_for_selector(".msg-assistant .bubble >> text=call mum")
    release.set()                                  # the snapshot (without them) lands now
    await chat.page.wait_for_load_state("networkidle")
    await asyncio.sleep(0.3)
    users = await chat.page.locator(".msg-user .bubble").all_text_contents()
    assert users == ["add buy milk", "add call mum"]
    replies = await chat.page.locator(".msg-assistant .bubble").all_text_contents()
    assert len(replies) == 2 and "call mum" in replies[1], replies
    user.check_clean()

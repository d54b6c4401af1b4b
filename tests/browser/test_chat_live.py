"""Chat in a real browser: live steps, streaming replies, other tabs, forced long-polling."""
from __future__ import annotations

from tests.browser.conftest import PASSWORD, User, screenshot_path

CONVERSATIONS = "n => document.querySelectorAll('#conv-list li.conv').length === n"
MILK_STEPS = ["thinking:Processing your request...", "starting:Creating a new task...",
              "complete:Created: buy milk", "done:Done!"]


async def send(tab, text: str) -> None:
    await tab.page.wait_for_selector("#chat-input:not([disabled])")
    await tab.page.fill("#chat-input", text)
    await tab.page.press("#chat-input", "Enter")


async def wait_reply(tab, fragment: str, timeout: float = 15_000) -> None:
    await tab.page.wait_for_function(
        "f => [...document.querySelectorAll('.msg-assistant .bubble')]"
        ".some(b => b.textContent.includes(f) && !b.closest('.streaming'))",
        arg=fragment, timeout=timeout)


async def shown_steps(tab) -> list[str]:
    """The rows of the last run's panel: kind and text."""
    return list(await tab.page.evaluate("""() => {
        const runs = document.querySelectorAll('.msg-assistant .progress');
        return [...runs[runs.length - 1].querySelectorAll('li.step')].map(
            (row) => row.dataset.kind + ':' + row.querySelector('.step-text').textContent);
    }"""))


async def test_signup_then_chat_adds_a_task_live_in_another_tab(start_server, new_context):
    server = await start_server()
    user = User(await new_context(), server.url, "new@example.com", "", "")
    # Sign up the way a new user does: the form, then the board.
    signup = await user.open("/")
    await signup.page.wait_for_url("**/login")
    await signup.page.click("text=Create an account")
    await signup.page.fill("#signup-email", user.email)
    await signup.page.fill("#signup-password", PASSWORD)
    await signup.page.click("button[type=submit]")
    await signup.page.wait_for_url("**/tasks")
    board = signup
    await board.wait_status("Live")
    await board.page.evaluate("window.__loadedOnce = true")
    chat = await user.open("/chat")
    await chat.wait_status("Live")

    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')

    assert await chat.steps() == MILK_STEPS                       # each step as it happened
    replies = await chat.replies()
    assert len(replies) >= 2 and replies[-1].startswith('Added "buy milk"')
    assert all(replies[-1].startswith(r) for r in replies)        # it grew, chunk by chunk
    assert await chat.page.text_content(".run-summary summary") == "1 step"
    # The board tab, never reloaded, shows the new task with a highlight.
    row = board.page.locator("#task-list li.task", has_text="buy milk")
    await row.wait_for(timeout=5000)
    assert await board.page.evaluate("window.__loadedOnce") is True
    assert "Due " in await row.text_content()
    user.check_clean()


async def test_a_message_sent_in_one_tab_appears_with_its_progress_in_another(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    first = await user.open("/chat")
    await first.wait_status("Live")
    await send(first, "add water plants")
    await wait_reply(first, "water plants")
    # The second tab opens the same (newest) conversation.
    second = await user.open("/chat")
    await second.wait_status("Live")
    await second.page.wait_for_selector(".msg-user >> text=add water plants")

    await send(first, "add call mum")
    await second.page.wait_for_selector(".msg-user >> text=add call mum", timeout=10_000)
    await wait_reply(second, 'Added "call mum"')
    assert await second.steps() == ["thinking:Processing your request...",
                                    "starting:Creating a new task...",
                                    "complete:Created: call mum", "done:Done!"]
    assert (await second.replies())[-1] == (await first.replies())[-1]
    assert await second.page.locator(".msg-user").count() == 2
    assert await shown_steps(second) == await shown_steps(first)
    user.check_clean()


async def test_forced_long_polling_works_and_says_so(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    sockets: list[str] = []
    chat = await user.open("/chat?transport=polling")
    chat.page.on("websocket", lambda ws: sockets.append(ws.url))
    await chat.wait_status("Live")
    assert await chat.transport() == "polling"
    assert "long-polling" in str(await chat.page.text_content("#conn-detail"))
    board = await user.open("/tasks?transport=polling")
    await board.wait_status("Live")

    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    # Long-polling delivers events in batches, so the page may paint several at once:
    # the rows it ends with are the steps, in order.
    assert await shown_steps(chat) == MILK_STEPS[2:]
    await board.page.locator("#task-list li.task", has_text="buy milk").wait_for(timeout=5000)
    await chat.page.wait_for_timeout(1500)                       # no late upgrade either
    assert (await chat.status(), await chat.transport()) == ("Live", "polling")
    assert sockets == []
    # The choice lasts for the tab: a page it moves to connects the same way.
    await chat.page.click("header a[href='/tasks']")
    await chat.page.wait_for_url("**/tasks")
    await chat.wait_status("Live")
    await chat.page.wait_for_timeout(1000)
    assert await chat.transport() == "polling" and sockets == []
    user.check_clean()


async def test_polling_setting_in_config_forces_long_polling(start_server, new_user):
    server = await start_server(transport="polling")
    user = await new_user(server)
    board = await user.open("/tasks")
    await board.wait_status("Live")
    await board.page.wait_for_timeout(1000)
    assert (await board.status(), await board.transport()) == ("Live", "polling")
    user.check_clean()


async def test_chat_falls_back_to_http_when_the_socket_cannot_connect(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await user.context.route("**/socket.io/**", lambda route: route.abort())
    chat = await user.open("/chat", allowed=("socket.io", "Failed to load resource"))
    await chat.wait_status("Offline")
    await send(chat, "add buy milk tomorrow")
    notice = chat.page.locator("#chat-notice")
    await notice.wait_for()
    assert "Live progress is unavailable" in await notice.text_content()
    await wait_reply(chat, 'Added "buy milk"')
    assert await chat.page.locator(".msg-user >> text=add buy milk tomorrow").count() == 1
    # The steps of that answer are still there, fetched on demand.
    await chat.page.click(".run-summary summary")
    await chat.page.wait_for_selector(".run-summary .step-complete >> text=Created: buy milk")
    assert await chat.page.is_enabled("#chat-input")
    user.check_clean()


async def test_chat_at_phone_width_in_dark_mode(start_server, new_user):
    server = await start_server()
    user = await new_user(server, viewport={"width": 375, "height": 740},
                          color_scheme="dark")
    for words in ("what's still open on my list today?", "show me everything I finished"):
        resp = await user.context.request.post(f"{server.url}/api/{user.user_id}/chat",
                                               data={"message": words},   # 2 chats
                                               headers={"Authorization": f"Bearer {user.token}"})
        assert resp.ok, await resp.text()
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    width = await chat.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # The conversation strip scrolls on its own; it never widens the page past the screen.
    for selector in ("#send-btn", ".chat-main", ".msg-user .bubble"):
        box = await chat.page.locator(selector).last.bounding_box()
        assert box["x"] + box["width"] <= 375, selector
    background = await chat.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 19, 26)"                        # the dark palette
    await chat.page.screenshot(path=screenshot_path("chat-phone-dark.png"))
    board = await user.open("/tasks")
    assert await board.page.evaluate("document.documentElement.scrollWidth") <= 375
    user.check_clean()


async def test_conversations_new_switch_and_delete(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    await chat.page.click("#new-conv")
    assert await chat.page.locator("#messages li").count() == 0
    assert await chat.page.text_content("#chat-title") == "New chat"
    await send(chat, "add call mum")
    await wait_reply(chat, 'Added "call mum"')
    titles = chat.page.locator("#conv-list .conv-title")
    await chat.page.wait_for_function(CONVERSATIONS, arg=2)
    assert await titles.all_text_contents() == ["add call mum", "add buy milk tomorrow"]

    await chat.page.click("#conv-list .conv-open >> text=add buy milk tomorrow")
    await chat.page.wait_for_selector(".msg-user >> text=add buy milk tomorrow")
    assert await chat.page.locator(".msg-user >> text=add call mum").count() == 0
    assert "c=" in chat.page.url
    await chat.page.reload()                                      # the URL keeps the choice
    await chat.page.wait_for_selector(".msg-user >> text=add buy milk tomorrow")

    delete = chat.page.locator("#conv-list li.is-current .conv-delete")
    await delete.click()
    assert await delete.text_content() == "Delete?"              # asks once
    await delete.click()
    await chat.page.wait_for_function(CONVERSATIONS, arg=1)
    assert await chat.page.text_content("#chat-title") == "New chat"
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/conversations")
    assert [c["title"] for c in (await resp.json())["conversations"]] == ["add call mum"]
    user.check_clean()


async def test_each_event_id_is_applied_once(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    cid = chat.page.url.split("c=")[1]
    # A replay that overlaps what was already received: the same ids again.
    text = await chat.page.evaluate("""cid => {
        const live = window.taskpulse.live;
        const run = {run_id: 'r-replayed', conversation_id: cid, ts: ''};
        const events = [['agent_thinking', {...run, id: '9-1', seq: 1, message: 'Processing'}],
                        ['agent_token', {...run, id: '9-2', seq: 2, text: 'once '}]];
        for (const round of [1, 2]) for (const [name, e] of events) live.dispatch(name, e);
        return document.querySelector('li[data-run-id="r-replayed"] .bubble').textContent;
    }""", cid)
    assert text.strip() == "once"                # one copy (as a Markdown paragraph)
    user.check_clean()


async def test_history_shows_step_counts_and_loads_earlier_messages_in_place(
        start_server, new_user):
    server = await start_server(offline_chunk_delay_ms=0)
    user = await new_user(server, viewport={"width": 1000, "height": 700})
    said = ["add buy milk tomorrow"] + [f"thanks {i}" for i in range(24)] + ["add call mum"]
    cid = None
    for words in said:                                   # 52 messages: one page is 50
        resp = await user.context.request.post(
            f"{server.url}/api/{user.user_id}/chat",
            headers={"Authorization": f"Bearer {user.token}"},
            data={"message": words, **({"conversation_id": cid} if cid else {})})
        assert resp.ok, await resp.text()
        cid = (await resp.json())["conversation_id"]
    chat = await user.open(f"/chat?c={cid}")
    page = chat.page
    await page.wait_for_selector(".msg-user >> text=add call mum")
    # Each past answer says how many steps it took; answers without tool steps have no toggle.
    assert await page.locator(".run-summary summary").all_text_contents() == ["1 step"]
    last = page.locator(".msg-assistant").last
    await last.locator(".run-summary summary").click()
    await last.locator(".step-complete").first.wait_for()   # rows come with the toggle event
    assert await last.locator(".step-complete").all_text_contents() == ["✓Done: Created: call mum"]
    assert await page.locator("#messages > li").count() == 50
    assert await page.locator(".msg-user >> text=add buy milk tomorrow").count() == 0

    # Older messages load above, and what the reader was looking at stays put.
    more = page.locator("#load-earlier")
    await page.evaluate("document.getElementById('message-scroll').scrollTop = 0")
    first = page.locator("#messages > li").first
    first_id = await first.get_attribute("data-message-id")
    before = (await first.bounding_box())["y"]
    await more.click()
    await page.wait_for_selector(".msg-user >> text=add buy milk tomorrow")
    assert await page.locator("#messages > li").count() == 52
    kept = page.locator(f'#messages > li[data-message-id="{first_id}"]')
    assert abs((await kept.bounding_box())["y"] - before) < 2
    assert await page.is_hidden("#load-earlier")                # that was the oldest page
    assert await page.evaluate("document.activeElement.querySelector('.bubble').textContent") \
        == "add buy milk tomorrow"
    assert await page.locator(".run-summary summary").all_text_contents() == ["1 step", "1 step"]
    # The live region speaks a moment after the change (it is emptied first so a repeat is heard).
    await page.wait_for_function("() => document.getElementById('chat-live').textContent"
                                 ".includes('start of the conversation')")
    user.check_clean()

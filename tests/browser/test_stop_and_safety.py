"""Stopping a run from the page, and text that looks like HTML staying text."""
from __future__ import annotations

from aiohttp import ClientSession

from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply
from tests.fakes.scripted import ScriptedProvider, Turn

LONG_REPLY = ("You have three open tasks. Let me walk you through each of them, one at a "
              "time, with all the care they deserve, starting with the milk.")
XSS = "<img src=x onerror=alert(1)>"


async def add_tasks(server, user, *titles: str) -> None:
    async with ClientSession() as http:
        for title in titles:
            resp = await http.post(f"{server.url}/api/{user.user_id}/tasks",
                                   json={"title": title},
                                   headers={"Authorization": f"Bearer {user.token}"})
            assert resp.status == 201


async def test_stop_during_a_run_ends_it_as_cancelled_in_both_tabs(start_server, new_user):
    model = ScriptedProvider([Turn(text="Hello! Ask me about your tasks.")])
    server = await start_server(llm=model)
    user = await new_user(server)
    await add_tasks(server, user, "buy milk", "water plants", "call mum")
    first = await user.open("/chat")
    await first.wait_status("Live")
    await send(first, "hello")
    await wait_reply(first, "Hello!")
    second = await user.open("/chat")                       # the same conversation
    await second.wait_status("Live")
    await second.page.wait_for_selector(".msg-user >> text=hello")

    model.add(Turn(calls=[("list_tasks", {"status": "pending"})]),
              Turn(text=LONG_REPLY, delay=0.25, chunk_chars=8))
    await send(first, "what's still open?")
    for tab in (first, second):                              # mid-run, in both tabs
        await tab.page.wait_for_selector(".msg-assistant.streaming .bubble:not(:empty)",
                                         timeout=10_000)
        await tab.page.wait_for_selector("#stop-btn:visible")
        assert await tab.page.is_disabled("#chat-input")
    steps = await first.steps()
    run_steps = steps[steps.index("thinking:Processing your request...", 1):]
    assert run_steps == ["thinking:Processing your request...",
                         "starting:Searching your tasks...", "progress:Found 3 tasks #3",
                         "complete:Found 3 tasks"]
    assert await first.page.text_content(".streaming .progress") == "✓Done: Found 3 tasks"
    await first.page.screenshot(path=screenshot_path("chat-mid-run.png"))

    await first.page.click("#stop-btn")
    for tab in (first, second):
        await tab.page.wait_for_selector(".msg-assistant[data-status=cancelled]", timeout=10_000)
        summary = await tab.page.text_content(".msg-assistant[data-status=cancelled] summary")
        assert summary == "1 step · stopped"
        await tab.page.wait_for_selector("#chat-input:not([disabled])")
        assert await tab.page.is_hidden("#stop-btn")
        assert (await tab.steps())[-1] == "cancelled:Cancelled"
        partial = await tab.page.text_content(".msg-assistant[data-status=cancelled] .bubble")
        assert partial and LONG_REPLY.startswith(partial) and partial != LONG_REPLY
    run_id = await first.page.get_attribute(".msg-assistant[data-status=cancelled]",
                                            "data-run-id")
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/runs/{run_id}")
    assert (await resp.json())["run"]["status"] == "cancelled"
    user.check_clean()


async def test_a_task_titled_like_html_shows_as_text_and_runs_nothing(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await add_tasks(server, user, XSS)                          # rendered by the server
    board = await user.open("/tasks")
    await board.wait_status("Live")
    await add_tasks(server, user, "<svg onload=alert(2)>")     # rendered live by the script
    await board.page.locator("#task-list li", has_text="<svg onload=alert(2)>").wait_for()
    titles = await board.page.locator("#task-list .task-title").all_text_contents()
    assert sorted(titles) == sorted([XSS, "<svg onload=alert(2)>"])
    assert await board.page.locator("#task-list img, #task-list svg").count() == 0

    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "add <b>bold</b> <img src=y onerror=alert(3)>")
    await wait_reply(chat, "Added")
    assert await chat.page.locator("#messages b, #messages img").count() == 0
    assert "<b>bold</b>" in await chat.page.text_content(".msg-user .bubble")
    assert "<b>bold</b>" in (await chat.replies())[-1]
    await board.page.locator("#task-list li", has_text="<b>bold</b>").wait_for()
    assert await board.page.locator("#task-list b, #task-list img").count() == 0
    for tab in user.tabs:
        assert tab.dialogs == []
    user.check_clean()

"""The chat page with the keyboard alone: the message box a few Tab presses away however long
the conversation, arrow keys inside the messages and the conversation list, and the focus
somewhere sensible after Stop, after deleting a conversation and after a form error; the
status tooltip clear of "New chat"."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.test_chat_live import CONVERSATIONS, send, wait_reply
from tests.fakes.scripted import ScriptedProvider, Turn

FOCUSED = """() => { const a = document.activeElement;
    return a ? (a.id || a.className || a.tagName) : null; }"""
ANSWERS = 6


async def focused(page) -> str:
    return str(await page.evaluate(FOCUSED))


async def tabs_to(page, selector: str, limit: int = 60) -> int:
    """How many Tab presses from the top of the page reach ``selector``."""
    for presses in range(1, limit + 1):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{limit} Tab presses never reached {selector}")


async def chat_with_steps(start_server, new_user, answers: int = ANSWERS):
    """A conversation of `answers` answers, each with a step (a toggle to open)."""
    turns = []
    for n in range(answers):
        turns += [Turn(calls=[("list_tasks", {"status": "pending"})]),
                  Turn(text=f"Answer {n}: see [the help](https://example.com/{n}).")]
    server = await start_server(llm=ScriptedProvider(turns))
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    for n in range(answers):
        await send(chat, f"question {n}")
        await wait_reply(chat, f"Answer {n}")
    return user, chat


async def test_the_message_box_is_a_few_tab_presses_away_however_long_the_chat(
        start_server, new_user):
    user, chat = await chat_with_steps(start_server, new_user)
    page = chat.page
    await page.reload()                                    # past answers, from history
    await page.locator(".run-summary").nth(ANSWERS - 1).wait_for()
    toggles = await page.locator("#messages summary").count()
    assert toggles == ANSWERS
    # The first Tab stop is the skip link; Enter puts the focus in the message box.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to the message box"
    assert await page.is_visible("#skip-to-input")
    await page.keyboard.press("Enter")
    assert await focused(page) == "chat-input"
    # Without it: the messages are one Tab stop, whatever their number (it was 31 presses).
    await page.reload()
    await page.locator(".run-summary").nth(ANSWERS - 1).wait_for()
    presses = await tabs_to(page, "#chat-input")
    # Skip links, the header (5), New chat, the list, Rename, Notify me, the messages.
    assert presses <= 13, presses
    stops = await page.evaluate("""() => [...document.querySelectorAll('#messages *')]
        .filter((n) => n.tabIndex >= 0 && n.getClientRects().length).length""")
    assert stops == 1
    user.check_clean()


async def test_arrow_keys_reach_every_past_answers_steps_and_buttons(start_server, new_user):
    user, chat = await chat_with_steps(start_server, new_user, answers=3)
    page = chat.page
    await page.focus("#chat-input")
    await page.keyboard.press("Shift+Tab")          # back into the messages: the newest one
    assert await page.evaluate("document.activeElement.closest('li.msg') === "
                               "document.querySelector('#messages > li.msg:last-child')")
    tag = await page.evaluate("document.activeElement.tagName")
    assert tag == "SUMMARY"                         # its steps toggle comes first
    described = await page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert described == "messages-keys"
    await page.keyboard.press("ArrowRight")         # then its link, Copy, Retry
    assert await page.evaluate("document.activeElement.tagName") == "A"
    await page.keyboard.press("ArrowRight")
    assert await page.evaluate("document.activeElement.dataset.act") == "copy"
    await page.keyboard.press("ArrowUp")            # the message above: your last, Edit
    assert await page.evaluate("document.activeElement.dataset.act") == "edit"
    await page.keyboard.press("ArrowUp")            # the answer before (your earlier
    assert await page.evaluate("document.activeElement.tagName") == "SUMMARY"   # have none)
    await page.keyboard.press("Home")
    first = await page.evaluate("document.activeElement.closest('li.msg') === "
                                "document.querySelector('#messages > li.msg-assistant')")
    assert first
    await page.keyboard.press("Enter")              # the first answer's steps open
    await page.locator("#messages > li.msg-assistant").first.locator(
        "li.step-complete").wait_for()
    await page.keyboard.press("End")
    assert await page.evaluate("document.activeElement.dataset.act") == "retry"
    await page.keyboard.press("Tab")                # Tab leaves the list for the box
    assert await focused(page) == "chat-input"
    await page.keyboard.press("Shift+Tab")          # and comes back to where it was
    assert await page.evaluate("document.activeElement.dataset.act") == "retry"
    user.check_clean()


async def test_stop_keeps_the_focus_then_hands_it_to_the_message_box(start_server, new_user):
    model = ScriptedProvider.slow("Thinking about it very slowly, word by word, on and on.",
                                  delay=0.3)
    server = await start_server(llm=model)
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await send(chat, "take your time")
    await page.wait_for_selector(".msg-assistant.streaming .bubble:not(:empty)", timeout=10_000)
    await page.focus("#stop-btn")
    assert await focused(page) == "stop-btn"
    await page.keyboard.press("Enter")
    seen = set()
    while await page.is_disabled("#chat-input"):
        seen.add(await focused(page))
        await page.wait_for_timeout(20)
    await page.wait_for_function("() => document.activeElement.id === 'chat-input'", timeout=5000)
    assert seen <= {"stop-btn", "chat-input"}, seen   # never the page body
    assert await page.is_hidden("#stop-btn")
    user.check_clean()


async def test_deleting_conversations_moves_the_focus_to_the_next_then_the_box(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    for words in ("add first thing", "add second thing", "add third thing"):
        resp = await user.context.request.post(f"{server.url}/api/{user.user_id}/chat",
                                               data={"message": words},
                                               headers={"Authorization": f"Bearer {user.token}"})
        assert resp.ok, await resp.text()
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await page.wait_for_function(CONVERSATIONS, arg=3)
    titles = page.locator("#conv-list .conv-title")
    assert await titles.all_text_contents() == ["add third thing", "add second thing",
                                                "add first thing"]
    # The list is one Tab stop, on the open conversation; Right goes to its Delete.
    await page.focus("#new-conv")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.getAttribute('aria-current')") == "true"
    await page.keyboard.press("ArrowDown")          # the second conversation
    await page.keyboard.press("ArrowRight")         # its Delete
    assert "second" in await page.evaluate("document.activeElement.getAttribute('aria-label')")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")              # pressed twice: deleted
    await page.wait_for_function(CONVERSATIONS, arg=2)
    text = await page.evaluate("document.activeElement.closest('li.conv').textContent")
    assert text.startswith("add first thing")       # the next one
    assert await page.evaluate("document.activeElement.classList.contains('conv-open')")
    for left in (1, 0):                             # the rest, the open one last
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("Enter")
        await page.keyboard.press("Enter")
        await page.wait_for_function(CONVERSATIONS, arg=left)
        if left:
            assert await page.evaluate("document.activeElement.classList.contains('conv-open')")
    await page.wait_for_function("() => document.activeElement.id === 'chat-input'")
    assert await page.text_content("#chat-title") == "New chat"
    user.check_clean()


async def test_form_errors_put_the_focus_on_the_field_to_fix(start_server, new_user, new_context):
    server = await start_server()
    user = await new_user(server)
    page = await (await new_context()).new_page()
    await page.goto(server.url + "/login")
    assert await focused(page) == "login-email"
    await page.keyboard.type(user.email)
    await page.keyboard.press("Tab")
    await page.keyboard.type("not the password")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".form-error")
    assert await focused(page) == "login-password"      # the email was right: type again
    await page.click("button[type=submit]")            # no password
    await page.wait_for_selector("#login-password[aria-invalid=true]")
    assert await focused(page) == "login-password"
    await page.fill("#login-email", "")
    await page.fill("#login-password", PASSWORD)
    await page.click("button[type=submit]")            # no email
    await page.wait_for_selector(".form-error")
    assert await focused(page) == "login-email"
    await page.goto(server.url + "/signup")
    await page.fill("#signup-email", user.email)        # taken
    await page.fill("#signup-password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#signup-email[aria-invalid=true]")
    assert await focused(page) == "signup-email"


def apart(a: dict, b: dict) -> bool:
    return (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width", [375, 700, 900, 1200, 1500, 1920])
async def test_the_status_tooltip_never_covers_new_chat(start_server, new_user, width):
    server = await start_server()
    user = await new_user(server, viewport={"width": width, "height": 700})
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    tip = page.locator("#conn-detail")
    await page.hover("#conn-status")
    await page.wait_for_selector("#conn-detail.is-open")
    assert "Live over WebSocket" in await tip.text_content()
    assert await tip.get_attribute("role") == "tooltip"
    new_chat = await page.locator("#new-conv").bounding_box()
    box = await tip.bounding_box()
    assert apart(box, new_chat), (box, new_chat)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    await page.keyboard.press("Escape")                  # dismissible
    assert not await page.locator("#conn-detail.is-open").count()
    await page.mouse.move(width - 5, 690)
    await page.focus("#new-conv")                        # the keyboard: Shift+Tab back to it
    for _ in range(3):
        await page.keyboard.press("Shift+Tab")
        if await focused(page) == "conn-status":
            break
    assert await focused(page) == "conn-status"
    await page.wait_for_selector("#conn-detail.is-open")
    assert apart(await tip.bounding_box(), new_chat)
    await page.keyboard.press("Tab")
    assert not await page.locator("#conn-detail.is-open").count()
    user.check_clean()

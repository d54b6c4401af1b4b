"""A 375 px phone: a one-row header that keeps the user's name, no "Enter sends" on a touch
screen (its Enter adds a line there), conversation titles that read as more than two words."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply

PHONE = {"width": 375, "height": 740}
LONG_TITLE = "what's still open on my list today?"
# Words of a conversation title that are shown (not clipped by the chip or its line clamp).
SHOWN_WORDS = """(title) => {
    const box = title.getBoundingClientRect();
    const text = title.firstChild;
    const words = [];
    for (const match of text.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const r = range.getBoundingClientRect();
        if (r.width && r.right <= box.right + 1 && r.bottom <= box.bottom + 1) words.push(match[0]);
    }
    return words;
}"""


async def start_chats(server, user, *messages: str) -> None:
    for words in messages:
        resp = await user.context.request.post(
            f"{server.url}/api/{user.user_id}/chat", data={"message": words},
            headers={"Authorization": f"Bearer {user.token}"})
        assert resp.ok, await resp.text()


@pytest.mark.parametrize("path", ["/chat", "/tasks"])
async def test_the_phone_header_is_one_row_and_keeps_the_name(start_server, new_user, path):
    server = await start_server()
    user = await new_user(server, viewport=PHONE)
    tab = await user.open(path)
    await tab.wait_status("Live")
    page = tab.page
    header = await page.locator("header.topbar").bounding_box()
    assert header["height"] <= 60, header
    tops = await page.evaluate("""() => [...document.querySelectorAll('header.topbar > *')]
        .filter((n) => n.getClientRects().length).map((n) => n.getBoundingClientRect())
        .map((r) => [r.top, r.bottom])""")
    assert len(tops) == 4                          # brand, pages, status, the user
    first_bottom = min(bottom for _, bottom in tops)
    assert all(top < first_bottom for top, _ in tops), tops      # side by side: one row
    name = page.locator("header .who-name")
    assert await name.is_visible() and (await name.bounding_box())["width"] >= 30
    assert user.email.startswith(await name.text_content())
    assert await page.text_content("header .avatar") == user.email[0].upper()
    assert await page.is_visible("header form.logout button[type=submit]")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    user.check_clean()


async def test_conversation_titles_on_a_phone_show_more_than_two_words(start_server, new_user):
    server = await start_server()
    user = await new_user(server, viewport=PHONE)
    await start_chats(server, user, LONG_TITLE, "show me everything I finished this week")
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    titles = page.locator("#conv-list .conv-title")
    await page.wait_for_function("() => document.querySelectorAll('#conv-list .conv').length === 2")
    shown = await titles.nth(1).evaluate(SHOWN_WORDS)
    assert len(shown) >= 5, shown
    assert " ".join(shown) in LONG_TITLE
    await page.screenshot(path=screenshot_path("chat-phone-light.png"))
    user.check_clean()


async def test_a_touch_screen_gets_no_enter_sends_hint_and_enter_adds_a_line(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server, viewport=PHONE, has_touch=True, is_mobile=True)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    assert await page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    await page.wait_for_selector("#chat-input:not([disabled])")
    assert await page.get_attribute("#chat-input", "placeholder") == "Message"
    assert "Enter" not in (await page.get_attribute("#chat-input", "title") or "")
    assert "Enter" not in await page.text_content("#composer-hint")
    await page.tap("#chat-input")
    await page.keyboard.type("add buy milk")
    await page.keyboard.press("Enter")                # the on-screen keyboard's Enter
    await page.keyboard.type("tomorrow")
    assert await page.input_value("#chat-input") == "add buy milk\ntomorrow"
    assert await page.locator("#messages li").count() == 0
    await page.tap("#send-btn")
    await wait_reply(chat, "Added")
    user.check_clean()


async def test_a_keyboard_and_mouse_get_the_enter_sends_hint(start_server, new_user):
    server = await start_server()
    user = await new_user(server, viewport=PHONE)       # narrow, but a mouse: the hint stays
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await page.wait_for_selector("#chat-input:not([disabled])")
    assert await page.get_attribute("#chat-input", "placeholder") == "Message (Enter sends)"
    assert await page.text_content("#composer-hint") == "Enter sends, Shift+Enter adds a line."
    await send(chat, "add buy milk")
    await wait_reply(chat, "Added")
    user.check_clean()

"""Sending too fast: "Try again in N s" counts down each second just above the message box,
covers no message, and Send works again at 0."""
from __future__ import annotations

from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply

LEFT = "() => Number(document.getElementById('limit-notice').dataset.left || 0)"
LAST_MESSAGE_IN_VIEW = """() => {
    const box = document.getElementById('message-scroll').getBoundingClientRect();
    const last = [...document.querySelectorAll('#messages > li')].at(-1).getBoundingClientRect();
    return last.top >= box.top - 1 && last.bottom <= box.bottom + 1;
}"""


def apart(a: dict, b: dict) -> bool:
    return a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]


async def test_the_rate_limit_notice_counts_down_above_the_box_and_then_goes(
        start_server, new_user):
    server = await start_server(chat_per_minute=2)
    user = await new_user(server, viewport={"width": 1200, "height": 560})
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    for task in ("buy milk", "call mum"):
        await send(chat, f"add {task}")
        await wait_reply(chat, f'Added "{task}"')
    await send(chat, "add water plants")               # the third within a minute
    notice = page.locator("#limit-notice")
    await notice.wait_for()
    text = await notice.text_content()
    assert "too quickly" in text and "Try again in" in text
    assert await page.input_value("#chat-input") == "add water plants"     # kept
    assert await page.locator(".msg-user >> text=add water plants").count() == 0
    assert await page.is_disabled("#send-btn")

    # Covers nothing: it sits between the messages and the box, the last answer in view.
    box = await notice.bounding_box()
    last = await page.locator("#messages > li").last.bounding_box()
    composer = await page.locator("#composer").bounding_box()
    assert apart(box, last) and box["y"] + box["height"] <= composer["y"] + 1
    assert await page.evaluate(LAST_MESSAGE_IN_VIEW)
    await page.screenshot(path=screenshot_path("chat-rate-limit.png"))

    # It counts down, a second at a time; Enter meanwhile sends nothing.
    first = await page.evaluate(LEFT)
    assert 50 <= first <= 60
    # Screen readers get the sentence once; the ticking copy is hidden from them.
    said = await page.text_content("#limit-notice [data-said]")
    assert said.endswith(" seconds.") and "Try again in" in said
    assert await page.get_attribute("#limit-notice [data-ticking]", "aria-hidden") == "true"
    ticks = [first]
    while len(ticks) < 3:
        await page.wait_for_function(f"n => ({LEFT})() < n", arg=ticks[-1], timeout=2500)
        ticks.append(await page.evaluate(LEFT))
    assert ticks == [first, first - 1, first - 2], ticks
    assert (await page.text_content("#limit-notice [data-ticking]")).endswith(
        f"Try again in {first - 2} s")
    await page.press("#chat-input", "Enter")
    assert await page.locator(".msg-user >> text=add water plants").count() == 0

    # At 0 it goes, and Send works again (the minute passes: the page's clock moves on).
    await page.evaluate("""() => { const real = Date.now; Date.now = () => real() + 61_000; }""")
    await notice.wait_for(state="hidden", timeout=3000)
    assert await page.is_enabled("#send-btn")
    await page.wait_for_function(
        "() => document.getElementById('chat-live').textContent === 'You can send again.'")
    user.check_clean()

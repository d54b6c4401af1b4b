"""What a newcomer meets first: sign-up opens on its first field and, after an error, on
the field to fix; an empty chat sidebar says what will appear there."""
from __future__ import annotations

from tests.browser.conftest import PASSWORD


async def focused_id(page) -> str:
    return str(await page.evaluate("document.activeElement && document.activeElement.id"))


async def test_signup_focuses_its_first_field_then_the_field_to_fix(start_server, new_context):
    server = await start_server()
    context = await new_context()
    page = await context.new_page()
    await page.goto(server.url + "/signup")
    assert await focused_id(page) == "signup-name"
    await page.fill("#signup-email", "not-an-email")
    await page.fill("#signup-password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#signup-email[aria-invalid=true]")
    assert await focused_id(page) == "signup-email"
    await page.fill("#signup-email", "first-use@example.com")
    await page.fill("#signup-password", "short")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#signup-password[aria-invalid=true]")
    assert await focused_id(page) == "signup-password"


async def test_an_empty_chat_sidebar_says_what_will_appear_there(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    empty = chat.page.locator("#conv-list .conv-empty")
    await empty.wait_for()
    assert await empty.text_content() == "No conversations yet. Send a message to start one."
    user.check_clean()

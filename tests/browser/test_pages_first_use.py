"""What a newcomer meets first: sign-up opens on its first field and, after an error, on
the field to fix; an empty chat sidebar says what will appear there."""
from __future__ import annotations

from tests.browser.conftest import PASSWORD
from tests.browser.test_stop_and_safety import add_tasks


async def task_list(server, user) -> list[dict]:
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/tasks",
                                          headers={"Authorization": f"Bearer {user.token}"})
    return (await resp.json())["tasks"]


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


async def test_a_suggestion_sends_itself_and_the_first_two_means_the_boards_first_two(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await add_tasks(server, user, "water the plants", "call mum", "buy milk")
    board = [t["title"] for t in await task_list(server, user)]        # the board's order
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await chat.page.click("button.chip[data-suggest='mark the first two done']")
    mine = chat.page.locator(".msg-user .bubble").last
    await mine.wait_for()
    assert await mine.text_content() == "mark the first two done"
    await chat.page.locator(".msg-assistant .bubble", has_text="done").last.wait_for()
    done = {t["title"] for t in await task_list(server, user) if t["completed"]}
    assert done == set(board[:2])
    assert await chat.page.input_value("#composer textarea") == ""
    user.check_clean()

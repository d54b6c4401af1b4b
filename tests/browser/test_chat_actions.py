"""Everyday actions on the chat page: rename a conversation, edit and retry the last message."""
from __future__ import annotations

from tests.browser.test_chat_live import send, wait_reply


async def focused(page) -> str:
    return str(await page.evaluate("document.activeElement.id || document.activeElement.className"))


async def test_rename_a_conversation_with_the_keyboard(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    assert await page.is_hidden("#rename-conv")                  # a new chat has no title yet
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    await page.wait_for_selector("#rename-conv:visible")

    await page.focus("#rename-conv")
    await page.keyboard.press("Enter")
    assert await focused(page) == "rename-input"
    await page.keyboard.type("Groceries")                        # replaces the selected title
    await page.keyboard.press("Escape")                          # ... or not
    assert await page.text_content("#chat-title") == "add buy milk tomorrow"
    assert await focused(page) == "rename-conv"

    await page.keyboard.press("Enter")
    await page.keyboard.type("  Groceries ")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "() => document.getElementById('chat-title').textContent === 'Groceries'")
    assert await page.is_visible("#chat-title") and await page.is_hidden("#rename-form")
    assert await focused(page) == "rename-conv"
    assert await page.locator("#conv-list .conv-title").all_text_contents() == ["Groceries"]
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/conversations")
    assert [c["title"] for c in (await resp.json())["conversations"]] == ["Groceries"]

    # A blank title is refused in place; the old one stays.
    await page.keyboard.press("Enter")
    await page.fill("#rename-input", "   ")
    await page.keyboard.press("Enter")
    assert await page.is_visible("#rename-error")
    assert await page.get_attribute("#rename-input", "aria-invalid") == "true"
    await page.keyboard.press("Escape")
    assert await page.text_content("#chat-title") == "Groceries"

    other = await user.open("/chat")                            # another tab reads it too
    await other.page.wait_for_function(
        "() => document.getElementById('chat-title').textContent === 'Groceries'")
    user.check_clean()


async def test_edit_puts_the_last_message_back_and_retry_sends_it_again(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await send(chat, "add buy milk tomorrow")
    await wait_reply(chat, 'Added "buy milk"')
    await send(chat, "add call mum")
    await wait_reply(chat, 'Added "call mum"')
    # Only the last message of yours can be edited, only the last answer retried.
    assert await page.locator(".act-edit:visible").count() == 1
    assert await page.locator(".act-retry:visible").count() == 1
    assert await page.locator(".act-copy:visible").count() == 2

    await page.locator(".msg-user").last.locator(".act-edit").click()
    assert await page.input_value("#chat-input") == "add call mum"
    assert await focused(page) == "chat-input"
    await page.fill("#chat-input", "add call dad")
    await page.keyboard.press("Enter")
    await wait_reply(chat, 'Added "call dad"')

    await page.locator(".msg-assistant").last.locator(".act-retry").click()
    await page.wait_for_function("() => document.querySelectorAll('.msg-user').length === 4")
    await page.wait_for_function(
        "() => !document.querySelector('.msg-assistant.streaming') && "
        "document.querySelectorAll('.msg-assistant').length === 4")
    said = await page.locator(".msg-user .bubble").all_text_contents()
    assert said == ["add buy milk tomorrow", "add call mum", "add call dad", "add call dad"]
    assert await page.locator(".act-retry:visible").count() == 1
    user.check_clean()

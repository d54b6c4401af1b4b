"""Answers are Markdown, rendered safely (also while they stream); your own words stay text."""
from __future__ import annotations

from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply
from tests.fakes.scripted import ScriptedProvider, Turn

ANSWER = ("Here is **bold** and *soft*:\n\n"
          "- first item\n- second item\n\n"
          "Run `make setup`, see [the docs](https://example.com/docs) "
          "or [this](javascript:alert(1)).\n\n"
          "```\ncode block\n```\n\n"
          "<script>alert('s')</script><img src=x onerror=alert('i')> "
          "<a href=\"https://evil.example\" onclick=\"alert('a')\">raw link</a>")
MINE = "**not bold** <i>nor italic</i> `nor code`"


async def test_answers_render_markdown_safely_and_your_words_stay_text(start_server, new_user):
    model = ScriptedProvider([Turn(text=ANSWER, delay=0.05, chunk_chars=12)])
    server = await start_server(llm=model)
    user = await new_user(server, permissions=["clipboard-read", "clipboard-write"])
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, MINE)
    page = chat.page
    # While it streams, what has come so far is already Markdown.
    await page.wait_for_selector(".msg-assistant.streaming .bubble strong", timeout=10_000)
    await wait_reply(chat, "first item")
    answer = page.locator(".msg-assistant .bubble").last

    assert await answer.locator("strong").all_text_contents() == ["bold"]
    assert await answer.locator("em").all_text_contents() == ["soft"]
    assert await answer.locator("ul > li").all_text_contents() == ["first item", "second item"]
    assert await answer.locator("p code").all_text_contents() == ["make setup"]
    assert (await answer.locator("pre code").text_content()).strip() == "code block"
    link = answer.locator("a", has_text="the docs")
    assert await link.get_attribute("href") == "https://example.com/docs"
    assert await link.get_attribute("target") == "_blank"
    assert await link.get_attribute("rel") == "noopener noreferrer"
    assert await answer.locator("a", has_text="this").get_attribute("href") is None
    # Raw HTML in an answer is shown as text: nothing runs, nothing loads.
    assert await answer.locator("script, img, [onerror], [onclick], [style]").count() == 0
    text = await answer.text_content()
    assert "<script>alert('s')</script>" in text and "<img src=x onerror=" in text
    assert "raw link</a>" in text and await answer.locator("a[href*=evil]").count() == 0
    await page.wait_for_timeout(300)
    assert chat.dialogs == []

    mine = page.locator(".msg-user .bubble").last              # your words: as typed
    assert await mine.text_content() == MINE
    assert await mine.locator("*").count() == 0

    # Copy puts the Markdown itself on the clipboard.
    copy = page.locator(".msg-assistant .act-copy").last
    await copy.click()
    await page.locator(".msg-assistant .act-copy", has_text="Copied").wait_for()
    assert await page.evaluate("navigator.clipboard.readText()") == ANSWER

    # Each message says when it was sent (relative; the exact time on hover).
    for selector in (".msg-user .msg-time", ".msg-assistant .msg-time", "#conv-list .conv-time"):
        stamp = page.locator(selector).first
        assert await stamp.text_content() == "just now", selector
        assert (await stamp.get_attribute("datetime")).endswith("Z")
        assert len(await stamp.get_attribute("title")) > 12
    await page.screenshot(path=screenshot_path("chat-markdown.png"))
    user.check_clean()


async def test_a_reloaded_answer_is_markdown_too(start_server, new_user):
    model = ScriptedProvider([Turn(text="1. **one**\n2. two\n\n> quoted")])
    server = await start_server(llm=model)
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "list it")
    await wait_reply(chat, "quoted")
    await chat.page.reload()
    answer = chat.page.locator(".msg-assistant .bubble").last
    await answer.locator("ol > li").first.wait_for()
    assert await answer.locator("ol > li").all_text_contents() == ["one", "two"]
    assert await answer.locator("ol strong").all_text_contents() == ["one"]
    assert (await answer.locator("blockquote").text_content()).strip() == "quoted"
    user.check_clean()

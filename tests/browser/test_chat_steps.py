"""The steps of an answer: no empty box, failures visible when folded, the same after a reload."""
from __future__ import annotations

from tests.browser.test_chat_live import send, wait_reply
from tests.fakes.scripted import ScriptedProvider, Turn

VISIBLE_PANELS = """() => [...document.querySelectorAll('.msg-assistant .progress')]
    .filter((p) => p.getBoundingClientRect().height > 0).length"""


async def test_no_empty_step_box_while_a_reply_without_tools_streams(start_server, new_user):
    model = ScriptedProvider([Turn(text="Hello there, nothing to do with tasks at all.",
                                   delay=0.15, chunk_chars=6)])
    server = await start_server(llm=model)
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "hello")
    await chat.page.wait_for_selector(".msg-assistant.streaming .bubble:not(:empty)",
                                      timeout=10_000)
    visible = []
    while await chat.page.locator(".msg-assistant.streaming").count():
        visible.append(await chat.page.evaluate(VISIBLE_PANELS))
        await chat.page.wait_for_timeout(100)
    assert len(visible) >= 3 and set(visible) == {0}, visible
    await wait_reply(chat, "nothing to do")
    assert await chat.page.evaluate(VISIBLE_PANELS) == 0
    assert await chat.page.locator(".run-summary, .run-note").count() == 0
    user.check_clean()


async def test_a_failed_step_shows_when_folded_and_the_end_row_survives_a_reload(
        start_server, new_user):
    model = ScriptedProvider([Turn(calls=[("complete_task", {"task": "no such task"})]),
                              Turn(text="I could not find that task.")])
    server = await start_server(llm=model)
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "finish the thing")
    await wait_reply(chat, "could not find")
    page = chat.page
    summary = page.locator(".msg-assistant .run-summary")
    assert await summary.locator("summary").text_content() == "✗1 step · failed"
    assert "is-error" in await summary.get_attribute("class")
    await summary.locator("summary").click()
    live_rows = await summary.locator("li.step").evaluate_all(
        "rows => rows.map((r) => r.dataset.kind)")
    assert live_rows == ["error", "done"]

    await page.reload()                         # the same from history, Done! row included
    summary = page.locator(".msg-assistant .run-summary")
    await summary.wait_for()
    assert await summary.locator("summary").text_content() == "✗1 step · failed"
    await summary.locator("summary").click()
    await summary.locator("li.step-done").wait_for()
    rows = await summary.locator("li.step").evaluate_all(
        "rows => rows.map((r) => r.dataset.kind + ':' + r.querySelector('.step-text').textContent)")
    assert rows[0].startswith("error:") and rows[1:] == ["done:Done!"]
    user.check_clean()


async def test_an_answer_stopped_before_any_step_is_a_line_with_nothing_to_open(
        start_server, new_user):
    model = ScriptedProvider.slow("Thinking about it very slowly, word by word, on and on.",
                                  delay=0.3)
    server = await start_server(llm=model)
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "take your time")
    await chat.page.wait_for_selector(".msg-assistant.streaming .bubble:not(:empty)",
                                      timeout=10_000)
    await chat.page.click("#stop-btn")
    for attempt in ("live", "reloaded"):
        note = chat.page.locator(".msg-assistant[data-run-id] .run-note")
        await note.wait_for(timeout=10_000)
        assert await note.text_content() == "■Stopped before any step", attempt
        assert await chat.page.locator(".run-summary, details").count() == 0, attempt
        if attempt == "live":
            await chat.page.reload()
    user.check_clean()

"""The task board in a real browser: filters, inline edit, keyboard-only use, live in two tabs."""
from __future__ import annotations

from datetime import date, timedelta

from tests.browser.conftest import screenshot_path
from tests.browser.test_stop_and_safety import add_tasks


async def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def row(tab, title: str):
    return tab.page.locator("#task-list li.task", has_text=title)


async def test_changes_in_one_tab_appear_in_another_with_a_highlight(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    one = await user.open("/tasks")
    two = await user.open("/tasks")
    for tab in (one, two):
        await tab.wait_status("Live")
    await two.page.evaluate("window.__loadedOnce = true")
    # The empty board points to the assistant (a real link, also once scripts took over).
    assert await two.page.get_attribute("#task-empty a", "href") == "/chat"
    # Record every row that gets highlighted in the watching tab.
    await two.page.evaluate("""() => { window.__flashed = [];
        new MutationObserver((rs) => rs.forEach((r) => {
          if (r.target.classList && r.target.classList.contains('is-flash'))
            window.__flashed.push(r.target.querySelector('.task-title')?.textContent); }))
          .observe(document.getElementById('task-list'),
                   {subtree: true, attributes: true, attributeFilter: ['class'],
                    childList: true}); }""")

    await one.page.fill("#add-title", "buy milk")
    await one.page.click("#add-form button[type=submit]")
    await row(two, "buy milk").wait_for()
    await row(one, "buy milk").locator(".check").click()
    await two.page.wait_for_selector("#task-list li.task.is-done >> text=buy milk")
    await row(one, "buy milk").locator("text=Edit").click()
    await one.page.fill("#task-list .inline-edit input[aria-label=Title]", "buy oat milk")
    await one.page.fill("#task-list .inline-edit textarea[aria-label=Notes]", "2 litres")
    await one.page.click("#task-list .inline-edit button[type=submit]")
    await row(two, "buy oat milk").wait_for()
    await two.page.wait_for_selector("#task-list .task-desc >> text=2 litres")
    await row(one, "buy oat milk").locator("text=Delete").click()
    await row(two, "buy oat milk").wait_for(state="detached")

    flashed = await two.page.evaluate("window.__flashed")
    assert "buy milk" in flashed and "buy oat milk" in flashed
    assert await two.page.text_content("#task-counts") == "0 open · 0 done"
    assert await two.page.evaluate("window.__loadedOnce") is True
    user.check_clean()


async def test_filters_switch_without_reload_and_keep_the_url(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await add_tasks(server, user, "open one", "done one")
    board = await user.open("/tasks")
    await board.wait_status("Live")
    await row(board, "done one").locator(".check").click()
    await board.page.wait_for_selector("#task-list li.is-done")
    await board.page.click(".filters >> text=Done")
    assert board.page.url.endswith("/tasks?status=completed")
    assert await board.page.locator("#task-list .task-title").all_text_contents() == ["done one"]
    await board.page.click(".filters >> text=Open")
    assert await board.page.locator("#task-list .task-title").all_text_contents() == ["open one"]
    await add_tasks(server, user, "arrives open")                 # live, under a filter
    await row(board, "arrives open").wait_for()
    await board.page.reload()                                     # the server agrees
    assert sorted(await board.page.locator("#task-list .task-title").all_text_contents()) == \
        ["arrives open", "open one"]
    user.check_clean()


async def test_the_board_works_with_the_keyboard_alone(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    board = await user.open("/tasks")
    await board.wait_status("Live")
    page = board.page
    await tab_to(page, "#add-title")
    await page.keyboard.type("pay rent")
    await page.keyboard.press("Enter")
    await row(board, "pay rent").wait_for()
    assert await page.evaluate("document.activeElement.id") == "add-title"

    await tab_to(page, "#task-list .check")
    await page.keyboard.press("Space")
    await page.wait_for_selector("#task-list li.is-done >> text=pay rent")
    await tab_to(page, "#task-list .task-actions button:first-child")
    await page.keyboard.press("Enter")
    await page.keyboard.type("pay the rent")                      # the title is selected
    await page.keyboard.press("Enter")
    await row(board, "pay the rent").wait_for()
    await tab_to(page, "#task-list .task-actions button:first-child")
    await page.keyboard.press("Enter")
    await page.keyboard.type("never saved")
    await page.keyboard.press("Escape")
    assert await page.locator("#task-list .task-title").all_text_contents() == ["pay the rent"]
    await tab_to(page, "#task-list .task-actions .btn-danger")
    await page.keyboard.press("Enter")
    await row(board, "pay the rent").wait_for(state="detached")
    assert await page.is_visible("#task-empty")
    user.check_clean()


async def test_chat_composer_enter_sends_and_shift_enter_adds_a_line(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await chat.page.wait_for_selector("#chat-input:not([disabled])")
    await tab_to(chat.page, "#chat-input")
    await chat.page.keyboard.type("add buy milk")
    await chat.page.keyboard.press("Shift+Enter")
    await chat.page.keyboard.type("and bread")
    assert await chat.page.input_value("#chat-input") == "add buy milk\nand bread"
    assert await chat.page.locator(".msg-user").count() == 0
    await chat.page.keyboard.press("Enter")
    await chat.page.wait_for_selector(".msg-user")
    assert await chat.page.text_content(".msg-user .bubble") == "add buy milk\nand bread"
    await chat.page.wait_for_selector(".msg-assistant:not(.streaming) .bubble:not(:empty)")
    user.check_clean()


async def test_task_board_screenshot(start_server, new_user):
    server = await start_server()
    user = await new_user(server, viewport={"width": 1100, "height": 640})
    board = await user.open("/tasks")
    await board.wait_status("Live")
    today = date.today()
    for title, due, priority in (("Renew passport", (today - timedelta(2)).isoformat(), "high"),
                                 ("Buy milk", (today + timedelta(1)).isoformat(), "medium"),
                                 ("Water the plants", "", "low"),
                                 ("Call mum", "", "medium")):
        await board.page.fill("#add-title", title)
        await board.page.click("#add-form summary")
        await board.page.fill("#add-due", due)
        await board.page.select_option("#add-priority", priority)
        await board.page.click("#add-form button[type=submit]")
        await row(board, title).wait_for()
        await board.page.click("#add-form summary")                # fold the options again
    await row(board, "Call mum").locator(".check").click()
    await board.page.wait_for_selector("#task-list li.is-done")
    # Due dates in words; a past one that is still open says so.
    assert await row(board, "Buy milk").locator(".due").text_content() == "Due tomorrow"
    overdue = row(board, "Renew passport").locator(".due.is-overdue")
    assert (await overdue.text_content()).startswith("Overdue · ")
    await board.page.mouse.move(0, 0)
    await board.page.wait_for_timeout(2000)                        # earlier highlights fade
    await add_tasks(server, user, "Book the dentist")              # arrives live, highlighted
    await row(board, "Book the dentist").wait_for()
    await board.page.wait_for_timeout(200)
    await board.page.screenshot(path=screenshot_path("task-board.png"), full_page=True)
    phone = await user.open("/tasks")
    await phone.page.set_viewport_size({"width": 375, "height": 740})
    assert await phone.page.evaluate("document.documentElement.scrollWidth") <= 375
    user.check_clean()


async def test_the_board_works_with_javascript_turned_off(start_server, new_user):
    server = await start_server()
    user = await new_user(server, java_script_enabled=False)
    board = await user.open("/tasks", allowed=("status of 422",))   # the inline-error page
    page = board.page
    await page.fill("#add-title", "")
    await page.click("#add-form button[type=submit]")                 # inline error, no save
    assert await page.text_content("#add-title-error") == "This field is required."
    await page.fill("#add-title", "paper form")
    await page.click("#add-form button[type=submit]")
    await row(board, "paper form").wait_for()
    await row(board, "paper form").locator(".check").click()
    await page.wait_for_selector("#task-list li.is-done >> text=paper form")
    await row(board, "paper form").locator("summary").click()          # <details> editor
    await row(board, "paper form").locator("input[name=title]").fill("paper form, signed")
    await row(board, "paper form").locator("button:text('Save')").click()
    await row(board, "paper form, signed").wait_for()
    await row(board, "paper form, signed").locator("button:text('Delete')").click()
    await page.wait_for_selector("#task-empty:visible")
    assert await page.is_hidden("#conn-status")          # no script, no live status to show
    user.check_clean()


async def test_a_deleted_task_can_be_undone_from_the_toast_in_every_tab(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    tomorrow = (date.today() + timedelta(1)).isoformat()
    resp = await user.context.request.post(
        f"{server.url}/api/{user.user_id}/tasks", headers={"Authorization": f"Bearer {user.token}"},
        data={"title": "buy milk", "priority": "high", "due_date": tomorrow,
              "description": "2 litres"})
    assert resp.status == 201
    one = await user.open("/tasks")
    two = await user.open("/tasks")
    for tab in (one, two):
        await tab.wait_status("Live")
    page = one.page
    toast = page.locator("#board .undo-toast")
    assert await toast.get_attribute("aria-live") == "polite"

    # The delete is real at once: the other tab sees the task go.
    await row(one, "buy milk").locator("text=Delete").click()
    await toast.locator("text=Deleted “buy milk”.").wait_for()
    await row(two, "buy milk").wait_for(state="detached")
    await toast.locator("button", has_text="Undo").click()
    for tab in (one, two):                                         # back, fields and all
        await row(tab, "buy milk").wait_for()
        assert await row(tab, "buy milk").locator(".prio").text_content() == "high"
        assert await row(tab, "buy milk").locator(".task-desc").text_content() == "2 litres"
        assert await row(tab, "buy milk").locator(".due").text_content() == "Due tomorrow"
    assert await toast.evaluate("t => t.children.length") == 0

    # From the keyboard: Delete with Enter puts the focus on Undo; Enter restores.
    await page.evaluate("document.activeElement.blur()")
    await tab_to(page, "#task-list .task-actions .btn-danger")
    await page.keyboard.press("Enter")
    await row(one, "buy milk").wait_for(state="detached")
    assert await page.evaluate("document.activeElement.textContent") == "Undo"
    await page.wait_for_timeout(300)
    await page.keyboard.press("Enter")
    await row(one, "buy milk").wait_for()
    assert await page.evaluate("document.activeElement.matches('#task-list .check')")

    # Left alone, the toast goes away and the deletion stands.
    await page.evaluate("window.taskpulse.board.undo.ms = 300")
    await row(one, "buy milk").locator("text=Delete").click()
    await toast.locator("button").wait_for()
    await page.mouse.move(0, 0)
    await page.wait_for_function(
        "() => document.querySelector('#board .undo-toast').children.length === 0")
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/tasks")
    assert (await resp.json())["tasks"] == []
    await row(two, "buy milk").wait_for(state="detached")
    user.check_clean()


async def test_undo_restores_the_recent_deletions_newest_first(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await add_tasks(server, user, "first", "second", "third")
    board = await user.open("/tasks")
    await board.wait_status("Live")
    page = board.page
    toast = page.locator("#board .undo-toast")
    undo = toast.locator("button", has_text="Undo")

    for title in ("first", "second"):                             # two quick deletions
        await row(board, title).locator("text=Delete").click()
        await row(board, title).wait_for(state="detached")
    await toast.locator("text=Deleted “second”.").wait_for()
    assert await toast.locator(".toast-more").text_content() == "+1 more"
    await undo.click()                                             # the newest comes back...
    await row(board, "second").wait_for()
    assert await row(board, "first").count() == 0
    await toast.locator("text=Deleted “first”.").wait_for()
    assert await toast.locator(".toast-more").count() == 0
    assert " ".join((await toast.inner_text()).split()) == "Deleted “first”. Undo"
    await undo.click()                                             # ...then the one before
    await row(board, "first").wait_for()
    assert await toast.evaluate("t => t.children.length") == 0

    # From the keyboard, Undo keeps the focus while there is more to undo.
    for title in ("third", "first"):
        await row(board, title).locator("text=Delete").click()
        await row(board, title).wait_for(state="detached")
    await undo.focus()
    await page.keyboard.press("Enter")
    await row(board, "first").wait_for()
    await page.wait_for_function("document.activeElement.textContent === 'Undo'")
    await page.keyboard.press("Enter")
    await row(board, "third").wait_for()
    assert await page.evaluate("document.activeElement.matches('#task-list .check')")
    resp = await user.context.request.get(f"{server.url}/api/{user.user_id}/tasks")
    assert sorted(t["title"] for t in (await resp.json())["tasks"]) == ["first", "second", "third"]
    user.check_clean()


async def test_a_due_time_is_set_from_the_board_and_shown_in_every_tab(start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    one, two = await user.open("/tasks"), await user.open("/tasks")
    for tab in (one, two):
        await tab.wait_status("Live")
    page = one.page
    await page.fill("#add-title", "call the vet")
    await page.click("#add-form summary")
    await page.fill("#add-time", "09:30")                 # a time without a date: refused
    await page.click("#add-form button[type=submit]")
    assert await page.text_content("#add-time-error") == "Pick a due date for this time."
    assert await page.evaluate("document.activeElement.id") == "add-time"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await page.fill("#add-due", tomorrow)
    await page.click("#add-form button[type=submit]")
    shown = row(two, "call the vet").locator("time.due")
    await shown.wait_for()
    assert await shown.text_content() == "Due tomorrow at 09:30"
    assert await shown.get_attribute("datetime") == f"{tomorrow}T09:30"

    await row(one, "call the vet").locator("text=Edit").click()
    await page.fill("#task-list .inline-edit input[name=due_time]", "17:00")
    await page.click("#task-list .inline-edit button[type=submit]")
    await two.page.wait_for_selector("#task-list time.due >> text=Due tomorrow at 17:00")
    await row(one, "call the vet").locator("text=Edit").click()
    await page.fill("#task-list .inline-edit input[name=due_date]", "")   # the time alone
    await page.click("#task-list .inline-edit button[type=submit]")
    assert await page.text_content("#task-list .inline-edit .field-error") == (
        "Pick a due date for this time.")
    user.check_clean()


async def test_a_due_time_is_set_with_javascript_turned_off(start_server, new_user):
    server = await start_server()
    user = await new_user(server, java_script_enabled=False)
    board = await user.open("/tasks", allowed=("status of 422",))
    page = board.page
    await page.fill("#add-title", "dentist")
    await page.click("#add-form summary")
    await page.fill("#add-time", "15:00")
    await page.click("#add-form button[type=submit]")               # no date: inline error
    assert await page.text_content("#add-time-error") == "Pick a due date for this time."
    await page.fill("#add-due", (date.today() + timedelta(days=2)).isoformat())
    await page.click("#add-form button[type=submit]")
    await row(board, "dentist").wait_for()
    assert (await row(board, "dentist").locator("time.due").text_content()).endswith(
        "at 15:00")
    user.check_clean()

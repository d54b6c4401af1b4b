"""axe-core on every page (chat, tasks, log-in and sign-up with their errors, log-out), light
and dark, desktop and phone: no serious or critical violation. axe-core comes from npm
(package.json devDependencies); without it, this skips."""
from __future__ import annotations

import pytest

from taskpulse.config import ROOT
from tests.browser.conftest import screenshot_path
from tests.browser.test_chat_live import send, wait_reply
from tests.fakes.scripted import ScriptedProvider, Turn

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ANSWER = ("You have **2** open tasks:\n\n- buy milk (due `tomorrow`)\n- call mum\n\n"
          "More in [the help](https://example.com/help).")


async def serious_violations(page) -> list[str]:
    # Colours are measured once the rows have faded in (the endless pulses go on).
    await page.wait_for_function("""() => document.getAnimations().every((a) =>
        a.effect.getTiming().iterations === Infinity || a.playState === 'finished')""")
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
          .map((v) => v.id + ": " + v.nodes.map(
            (n) => n.target.join(" ") + " " + n.failureSummary).join(", "));
    }""")
    return list(found)


@pytest.mark.parametrize("scheme,width", [("light", 1200), ("dark", 1200), ("light", 375),
                                          ("dark", 375)])
async def test_the_chat_page_has_no_serious_accessibility_violations(
        start_server, new_user, scheme, width):
    if not AXE.is_file():
        pytest.skip("node_modules/axe-core is missing (npm ci)")
    model = ScriptedProvider([Turn(calls=[("list_tasks", {"status": "pending"})]),
                              Turn(text=ANSWER),
                              Turn(calls=[("complete_task", {"task": "no such task"})]),
                              Turn(text="I could not find that one.")])
    server = await start_server(llm=model)
    user = await new_user(server, color_scheme=scheme, bypass_csp=True,
                          viewport={"width": width, "height": 800})
    await user.context.grant_permissions(["notifications"], origin=server.url)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    await send(chat, "what's open?")
    await wait_reply(chat, "open tasks")
    await send(chat, "finish the thing")
    await wait_reply(chat, "could not find")
    await chat.page.locator(".run-summary summary").last.click()
    assert await serious_violations(chat.page) == []
    await chat.page.screenshot(path=screenshot_path(f"chat-{scheme}-{width}.png"))
    await chat.page.click("#rename-conv")                      # the title being edited
    assert await serious_violations(chat.page) == []
    await chat.page.keyboard.press("Escape")
    await chat.page.click("#notify-toggle")                    # notifications on (pressed)
    await chat.page.locator("#notify-toggle[aria-pressed=true]").wait_for()
    await chat.page.hover("#conn-status")                      # the status tooltip open
    await chat.page.wait_for_selector("#conn-detail.is-open")
    assert await serious_violations(chat.page) == []
    user.check_clean()


@pytest.mark.parametrize("scheme,width", [("light", 1200), ("dark", 1200), ("light", 375),
                                          ("dark", 375)])
async def test_the_other_pages_have_no_serious_accessibility_violations(
        start_server, new_user, new_context, scheme, width):
    if not AXE.is_file():
        pytest.skip("node_modules/axe-core is missing (npm ci)")
    server = await start_server()
    options = {"color_scheme": scheme, "bypass_csp": True,
               "viewport": {"width": width, "height": 800}}
    visitor = await (await new_context(**options)).new_page()
    await visitor.goto(server.url + "/login")
    assert await serious_violations(visitor) == [], "login"
    await visitor.fill("#login-email", "nobody@example.com")
    await visitor.fill("#login-password", "wrong password")
    await visitor.click("button[type=submit]")                # with its error shown
    await visitor.wait_for_selector(".form-error")
    assert await serious_violations(visitor) == [], "login, error"
    await visitor.goto(server.url + "/signup")
    assert await serious_violations(visitor) == [], "signup"
    await visitor.fill("#signup-email", "not-an-email")
    await visitor.click("button[type=submit]")
    await visitor.wait_for_selector("#signup-email[aria-invalid=true]")
    assert await serious_violations(visitor) == [], "signup, errors"

    user = await new_user(server, **options)
    for title in ("buy milk", "call mum"):
        resp = await user.context.request.post(f"{server.url}/api/{user.user_id}/tasks",
                                               data={"title": title},
                                               headers={"Authorization": f"Bearer {user.token}"})
        assert resp.status == 201
    board = await user.open("/tasks")
    await board.wait_status("Live")
    await board.page.locator("#task-list li.task").nth(1).wait_for()
    await board.page.hover("#conn-status")                     # the status tooltip open
    await board.page.wait_for_selector("#conn-detail.is-open")
    assert await serious_violations(board.page) == [], "tasks"
    await board.page.click("#add-form summary")                # date, time, priority, notes
    await board.page.locator("#task-list li.task").first.locator("text=Edit").click()
    await board.page.wait_for_selector("#task-list .inline-edit input[name=due_time]")
    assert await serious_violations(board.page) == [], "tasks, forms open"
    confirm = await user.open("/logout")
    assert await serious_violations(confirm.page) == [], "logout"
    user.check_clean()

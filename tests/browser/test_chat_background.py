"""Answers that finish while the tab is in the background: a count in the tab title, and a
notification with the start of the answer — only after the reader opted in, and the
browser's permission asked for on that click, never on page load."""
from __future__ import annotations

from tests.fakes.scripted import ScriptedProvider, Turn

# Records permission requests and notifications; plays the browser's prompt (the reader
# allows: the context has the permission, the page sees "default" until it asks); lets the
# test put the tab in the background.
SPY = """
(() => {
  window.__asked = 0;
  window.__notes = [];
  if (typeof window.Notification !== 'function') return;
  const Real = window.Notification;
  class Spy extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notes.push({ title, ...options });
    }
  }
  const allowed = () => localStorage.getItem('test-allowed') === '1';
  Spy.requestPermission = async () => {
    window.__asked += 1;
    localStorage.setItem('test-allowed', '1');
    return Real.permission;
  };
  Object.defineProperty(Spy, 'permission',
    { get: () => (allowed() ? Real.permission : 'default') });
  window.Notification = Spy;
  window.__hidden = false;
  Object.defineProperty(Document.prototype, 'hidden',
    { get: () => window.__hidden, configurable: true });
  Object.defineProperty(Document.prototype, 'visibilityState',
    { get: () => (window.__hidden ? 'hidden' : 'visible'), configurable: true });
})();
"""
HIDE = "() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }"
SHOW = "() => { window.__hidden = false; document.dispatchEvent(new Event('visibilitychange')); }"
ANSWER = ("You have **3** open tasks: buy milk, call mum and water the plants. "
          "The milk is due tomorrow; the others have no date. Shall I set dates for them, "
          "or mark any of them done?")


async def chat_elsewhere(server, user, words: str) -> None:
    """A message from another device (the REST API): its run ends in this tab's background."""
    resp = await user.context.request.post(f"{server.url}/api/{user.user_id}/chat",
                                           data={"message": words},
                                           headers={"Authorization": f"Bearer {user.token}"})
    assert resp.ok, await resp.text()


async def test_an_answer_that_ends_in_the_background_notifies_after_opt_in(
        start_server, new_user):
    model = ScriptedProvider([Turn(calls=[("list_tasks", {"status": "pending"})]),
                              Turn(text=ANSWER)], default=Turn(text="Second answer."))
    server = await start_server(llm=model)
    user = await new_user(server)
    await user.context.grant_permissions(["notifications"], origin=server.url)
    await user.context.add_init_script(SPY)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    toggle = page.locator("#notify-toggle")
    await toggle.wait_for()
    assert await page.evaluate("window.__asked") == 0          # not on page load
    assert await toggle.get_attribute("aria-pressed") == "false"
    await toggle.click()                                        # opt in: asked now
    await page.wait_for_function("() => window.__asked === 1")
    assert await toggle.get_attribute("aria-pressed") == "true"

    await page.evaluate(HIDE)
    await chat_elsewhere(server, user, "what's open?")
    await page.wait_for_function("() => window.__notes.length === 1")
    note = (await page.evaluate("window.__notes"))[0]
    assert note["body"].startswith("You have 3 open tasks: buy milk")   # Markdown dropped
    assert len(note["body"]) <= 140 and note["body"].endswith("…")
    assert note["title"] == "what's open?"                     # the conversation
    assert await page.title() == "(1) Chat · Taskpulse"
    await chat_elsewhere(server, user, "and now?")
    await page.wait_for_function("() => document.title === '(2) Chat · Taskpulse'")
    await page.wait_for_function("() => window.__notes.length === 2")
    assert (await page.evaluate("window.__notes"))[1]["body"] == "Second answer."

    await page.evaluate(SHOW)                                   # seen: the count clears
    assert await page.title() == "Chat · Taskpulse"
    await chat_elsewhere(server, user, "while you look")       # in view: nothing
    await page.wait_for_function("""() => [...window.taskpulse.runs.values()]
        .filter((run) => !run.running).length === 3""")
    await page.wait_for_timeout(300)
    assert len(await page.evaluate("window.__notes")) == 2
    assert await page.title() == "Chat · Taskpulse"
    await page.reload()                                         # the choice is remembered
    await page.locator("#notify-toggle[aria-pressed=true]").wait_for()
    assert await page.evaluate("window.__asked") == 0
    user.check_clean()


async def test_without_opt_in_there_is_no_notification_but_the_title_counts(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)
    await user.context.grant_permissions(["notifications"], origin=server.url)
    await user.context.add_init_script(SPY)
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await page.evaluate(HIDE)
    await chat_elsewhere(server, user, "add buy milk")
    await page.wait_for_function("() => document.title === '(1) Chat · Taskpulse'")
    assert await page.evaluate("[window.__asked, window.__notes.length]") == [0, 0]
    await page.evaluate(SHOW)
    assert await page.title() == "Chat · Taskpulse"
    user.check_clean()


async def test_a_refused_permission_leaves_notifications_off_and_says_how_to_allow(
        start_server, new_user):
    server = await start_server()
    user = await new_user(server)                  # no permission granted: the browser says no
    chat = await user.open("/chat")
    await chat.wait_status("Live")
    page = chat.page
    await page.click("#notify-toggle")
    await page.wait_for_function(
        "() => document.getElementById('chat-notice').textContent.includes('blocked')")
    assert await page.get_attribute("#notify-toggle", "aria-pressed") == "false"
    assert await page.evaluate("localStorage.getItem('tp-notify')") == "off"
    user.check_clean()

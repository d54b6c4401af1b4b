// The line under each message: when it was sent, and what can be done with it.
//
// - Copy (every answer): its Markdown source to the clipboard.
// - Retry (the last answer, when it is the end of the conversation): sends the last message
//   of yours again, as a new message; the earlier answer stays where it was.
// - Edit (your last message): puts its words in the box to change and send as a new message.
// Retry and Edit are hidden while the conversation is busy (a run or a send going on).
import { el } from "./dom.js";
import { setTime, timeElement } from "./times.js";
import { sourceOf } from "./markdown.js";

const ACTIONS = {
  copy: { text: "Copy", label: "Copy this answer" },
  retry: { text: "Retry", label: "Retry: send your last message again for a new answer" },
  edit: { text: "Edit", label: "Edit this message and send it again" },
};

function actionButton(name) {
  const { text, label } = ACTIONS[name];
  return el("button", { type: "button", class: `msg-act act-${name}`, text, hidden: true,
                        title: label, data: { act: name }, attrs: { "aria-label": label } });
}

/** The meta line of a message item (made on first use). */
export function metaOf(li) {
  let meta = li.querySelector(":scope > .msg-meta");
  if (!meta) {
    const user = li.classList.contains("msg-user");
    meta = el("div", { class: "msg-meta" }, timeElement(null, "msg-time"),
      ...(user ? [actionButton("edit")] : [actionButton("copy"), actionButton("retry")]));
    li.append(meta);
  }
  return meta;
}

export function setMessageTime(li, iso) {
  setTime(metaOf(li).querySelector("time"), iso);
}

/** Show the actions that apply now. `busy`: the open conversation has a run or send going. */
export function refreshActions(list, busy) {
  const items = [...list.children].filter((li) => li.classList.contains("msg"));
  const lastUser = items.filter((li) => li.classList.contains("msg-user") && li.dataset.messageId).at(-1);
  const last = items.at(-1);
  for (const li of items) {
    const meta = metaOf(li);
    if (li.classList.contains("msg-user")) {
      meta.querySelector(".act-edit").hidden = busy || li !== lastUser;
      continue;
    }
    const done = !li.classList.contains("streaming") && li.querySelector(".bubble").textContent !== "";
    meta.querySelector(".act-copy").hidden = !done;
    meta.querySelector(".act-retry").hidden = busy || !done || li !== last || !lastUser;
  }
}

/** One click handler for all of them: handlers.copy(li), retry(li), edit(li). */
export function bindActions(list, handlers) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button || !list.contains(button)) return;
    const handler = handlers[button.dataset.act];
    if (handler) handler(button.closest("li.msg"), button);
  });
}

/** Your last message's words (what Retry sends again). */
export function lastUserText(list) {
  const mine = list.querySelectorAll(":scope > li.msg-user[data-message-id] .bubble");
  return mine.length ? mine[mine.length - 1].textContent : "";
}

/** Copy an answer's Markdown; true when the clipboard took it. */
export async function copyAnswer(li, button) {
  try {
    await navigator.clipboard.writeText(sourceOf(li.querySelector(".bubble")));
    confirmCopied(button);
    return true;
  } catch {
    confirmCopied(button, false);
    return false;
  }
}

/** Say "Copied" on the button for a moment (its label stays what it does). */
export function confirmCopied(button, ok = true) {
  button.textContent = ok ? "Copied" : "Not copied";
  button.classList.toggle("is-done", ok);
  clearTimeout(button.copiedTimer);
  button.copiedTimer = setTimeout(() => {
    button.textContent = ACTIONS.copy.text;
    button.classList.remove("is-done");
  }, 2000);
}

// The message list of the open conversation: messages, streaming replies, run panels.
// Answers are Markdown (rendered and sanitised by markdown.js); your own words stay text.
import { el } from "./dom.js";
import { historySteps } from "./progress.js";
import { renderMarkdown } from "./markdown.js";
import { metaOf, refreshActions, setMessageTime } from "./message_actions.js";

const sel = (value) => CSS.escape(value);

export class ChatView {
  constructor(list, hint, loadRun, scroller = list) {
    this.list = list;
    this.hint = hint;
    this.loadRun = loadRun;     // run id -> Promise<run> (steps of past answers)
    this.scroller = scroller;   // the scrolling box around the list
    this.busy = false;          // the open conversation has a run or a send going on
    // Something above or below the messages took room (a notice, a taller box): the reader
    // who was at the end stays at the end, the last message in view.
    this.atEnd = true;
    scroller.addEventListener("scroll", () => { this.atEnd = this.nearBottom(); }, { passive: true });
    new ResizeObserver(() => { if (this.atEnd) this.scrollToEnd(true); }).observe(scroller);
  }

  /** Show only the message actions that apply (Retry and Edit wait while busy). */
  setBusy(busy) {
    this.busy = busy;
    refreshActions(this.list, busy);
  }

  nearBottom() {
    const box = this.scroller;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  scrollToEnd(force = false) {
    if (force || this.stick) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Run a DOM change, keeping the view pinned to the end if it was there. */
  change(fn) {
    this.stick = this.nearBottom();
    const out = fn();
    this.hint.hidden = this.list.children.length > 0;
    refreshActions(this.list, this.busy);
    this.scrollToEnd();
    return out;
  }

  /** Replace everything with a conversation's history (and its live runs). */
  render(messages, runs) {
    this.list.replaceChildren();
    for (const message of messages) this.addMessage(message, runs.get(message.run_id));
    for (const run of runs.values()) if (run.running) this.attachRun(run);
    this.hint.hidden = this.list.children.length > 0;
    refreshActions(this.list, this.busy);
    this.scrollToEnd(true);
  }

  /** Older messages (a previous page) go above the ones shown. Returns them, oldest first. */
  prepend(messages, runs) {
    const shown = [...this.list.children];
    this.list.replaceChildren();
    for (const message of messages) this.place(message, runs.get(message.run_id));
    const added = [...this.list.children];
    this.list.append(...shown);
    this.hint.hidden = this.list.children.length > 0;
    refreshActions(this.list, this.busy);
    return added;
  }

  /** Run a change above the reader's place, keeping what they were looking at where it was. */
  keepPlace(fn) {
    const anchor = this.list.firstElementChild;
    const top = anchor ? anchor.getBoundingClientRect().top : 0;
    const out = fn();
    if (anchor && anchor.isConnected) this.scroller.scrollTop += anchor.getBoundingClientRect().top - top;
    return out;
  }

  find(selector) { return this.list.querySelector(selector); }

  /** A user message: its words as plain text, never markup. */
  bubble(role, text) {
    const li = el("li", { class: `msg msg-${role}` }, el("div", { class: "bubble", text }));
    metaOf(li);
    return li;
  }

  /** A user message sent from this tab, shown at once and confirmed by message_created. */
  addPending(text) {
    return this.change(() => {
      const li = this.bubble("user", text);
      li.classList.add("is-pending");
      li.dataset.pending = "1";
      this.list.append(li);
      return li;
    });
  }

  dropPending(li) { this.change(() => li.remove()); }

  addMessage(message, run = null) {
    if (this.find(`li[data-message-id="${sel(message.id)}"]`)) return;
    this.change(() => this.place(message, run));
  }

  /** Put one message in the list (no scrolling). */
  place(message, run = null) {
    if (message.role === "assistant" && message.run_id) {
      const li = this.runItem(message.run_id, run, message);
      li.dataset.messageId = message.id;
      setMessageTime(li, message.created_at);
      if (!run || !run.running) {
        renderMarkdown(li.querySelector(".bubble"), message.content);
        li.classList.remove("streaming");
      }
      return;
    }
    const pending = [...this.list.querySelectorAll("li[data-pending]")]
      .find((li) => li.querySelector(".bubble").textContent === message.content);
    const li = pending || this.bubble(message.role, message.content);
    li.classList.remove("is-pending");
    delete li.dataset.pending;
    li.dataset.messageId = message.id;
    setMessageTime(li, message.created_at);
    if (message.run_id) li.dataset.runId = message.run_id;
    if (!pending) this.list.append(li);
  }

  /** The assistant item of a run (created after its user message if missing). */
  runItem(runId, run, message = null) {
    let li = this.find(`li.msg-assistant[data-run-id="${sel(runId)}"]`);
    if (!li) {
      li = el("li", { class: "msg msg-assistant", data: { runId } }, el("div", { class: "bubble" }));
      metaOf(li);
      const asked = this.find(`li.msg-user[data-run-id="${sel(runId)}"]`);
      if (asked) asked.after(li); else this.list.append(li);
    }
    const holder = li.querySelector(".run, details.run-summary, .run-note");
    if (run && run.node.parentNode !== li) {
      if (holder) holder.remove();
      li.prepend(run.node);
    } else if (!run && !holder) {
      const steps = historySteps(message, () => this.loadRun(runId));
      if (steps) li.prepend(steps);
    }
    return li;
  }

  /** Show a live run (progress panel + streaming reply). */
  attachRun(run) {
    this.change(() => {
      const li = this.runItem(run.runId, run);
      this.paintRun(li, run);
    });
  }

  updateRun(run) {
    const li = this.find(`li.msg-assistant[data-run-id="${sel(run.runId)}"]`);
    if (!li) { this.attachRun(run); return; }
    this.change(() => this.paintRun(li, run));
  }

  paintRun(li, run) {
    li.classList.toggle("streaming", run.running);
    const bubble = li.querySelector(".bubble");
    const text = run.text || (run.running ? "" : run.errorText || (run.status === "cancelled" ? "Stopped." : ""));
    renderMarkdown(bubble, text);       // again as it grows: the streamed text so far
    li.classList.toggle("is-failed", run.status === "error");
    li.dataset.status = run.status;
  }
}

// The conversation list: newest first, when each was last active, open, delete (click
// twice to confirm; the focus then goes to the next conversation, or the message box when
// none is left), running dot.
import { el } from "./dom.js";
import { api } from "./api.js";
import { timeElement } from "./times.js";

export class ConversationList {
  constructor(list, base, { open, deleted, isRunning, error, empty }) {
    this.error = error;
    this.empty = empty;
    this.list = list;
    this.base = base;
    this.open = open;
    this.deleted = deleted;
    this.isRunning = isRunning;
    this.items = new Map();
    this.current = null;
    this.reloadTimer = null;
  }

  has(id) { return this.items.has(id); }
  get(id) { return this.items.get(id); }
  title(id) { return this.items.get(id)?.title || "Conversation"; }

  /** The title of `id`, from the server when the list does not have it yet (a new chat). */
  async fetchTitle(id) {
    if (!this.has(id)) await this.reload().catch(() => {});
    return this.title(id);
  }

  newest() {
    const sorted = this.sorted();
    return sorted.length ? sorted[0].id : null;
  }

  sorted() {
    return [...this.items.values()].sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  }

  async reload() {
    const data = await api("GET", `${this.base}/conversations`);
    this.items = new Map((data.conversations || []).map((c) => [c.id, c]));
    this.render();
  }

  reloadSoon() {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.reload().catch(() => {}), 250);
  }

  touch(id, when) {
    const item = this.items.get(id);
    if (item && when && when > item.updated_at) { item.updated_at = when; this.render(); }
  }

  remove(id) { this.items.delete(id); this.render(); }

  /** A conversation as the server now has it (e.g. renamed). */
  update(conversation) {
    const item = this.items.get(conversation.id);
    if (!item || (item.title === conversation.title && item.updated_at === conversation.updated_at)) return;
    Object.assign(item, conversation);
    this.render();
  }

  select(id) {
    this.current = id;
    for (const li of this.list.querySelectorAll("li.conv")) {
      const on = li.dataset.id === id;
      li.classList.toggle("is-current", on);
      const button = li.querySelector(".conv-open");
      if (on) button.setAttribute("aria-current", "true"); else button.removeAttribute("aria-current");
    }
  }

  refreshRunning() {
    for (const li of this.list.querySelectorAll("li.conv")) {
      const dot = li.querySelector(".conv-running");
      const running = this.isRunning(li.dataset.id);
      if (running && !dot) li.querySelector(".conv-open").after(
        el("span", { class: "conv-running", title: "The assistant is working here", attrs: { role: "img", "aria-label": "working" } }));
      if (!running && dot) dot.remove();
    }
  }

  render() {
    const focused = document.activeElement && this.list.contains(document.activeElement)
      ? document.activeElement.closest("li")?.dataset.id : null;
    const items = this.sorted().map((c) => this.item(c));
    this.list.replaceChildren(...(items.length ? items : [el("li", {
      class: "conv-empty", text: "No conversations yet. Send a message to start one." })]));
    this.select(this.current);
    this.refreshRunning();
    if (focused) this.list.querySelector(`li[data-id="${CSS.escape(focused)}"] .conv-open`)?.focus();
  }

  item(conversation) {
    const id = conversation.id;
    const remove = el("button", {
      type: "button", class: "conv-delete", text: "✕",
      attrs: { "aria-label": `Delete conversation: ${conversation.title}` },
    });
    remove.addEventListener("click", () => this.confirmDelete(id, remove, conversation.title));
    return el("li", { class: "conv", data: { id } },
      el("button", { type: "button", class: "conv-open", title: conversation.title,
                     on: { click: () => this.open(id) } },
        el("span", { class: "conv-title", text: conversation.title }),
        timeElement(conversation.updated_at, "conv-time")),
      remove);
  }

  async confirmDelete(id, button, title) {
    if (button.dataset.armed !== "1") {
      button.dataset.armed = "1";
      button.textContent = "Delete?";
      button.setAttribute("aria-label", `Press again to delete: ${title}`);
      setTimeout(() => {
        if (!button.isConnected) return;
        button.dataset.armed = "";
        button.textContent = "✕";
        button.setAttribute("aria-label", `Delete conversation: ${title}`);
      }, 3000);
      return;
    }
    button.disabled = true;
    try {
      await api("DELETE", `${this.base}/conversations/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error.status !== 404) { button.disabled = false; this.error(error.message); return; }
    }
    const row = button.closest("li");
    const next = (row?.nextElementSibling || row?.previousElementSibling)?.dataset.id;
    this.remove(id);
    this.deleted(id);
    const target = next && this.list.querySelector(`li[data-id="${CSS.escape(next)}"] .conv-open`);
    if (target) target.focus(); else this.empty?.();
  }
}

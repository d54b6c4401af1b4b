// "Deleted “…”. Undo" for a few seconds after a task is deleted on the board.
//
// The delete happens at once: every tab sees the task go, and nothing is lost or left
// half-done if this tab closes. Undo creates the task again with the same fields, which
// every tab then sees arrive (a new task: new id and creation time). The toast is a polite
// live region; from the keyboard its button is focused; the clock stops while the pointer
// or the focus is on it, and Escape closes it.
import { el } from "./dom.js";

export const UNDO_MS = 6000;

export class UndoToast {
  /** restore(task) -> Promise<focus target>; fallback() -> where focus goes if nowhere. */
  constructor(parent, { restore, failed, fallback }) {
    this.restore = restore;
    this.failed = failed;
    this.fallback = fallback;
    this.ms = UNDO_MS;
    this.pending = null;        // {task, after, timer}: the last deletion, while undoable
    this.node = el("div", { class: "undo-toast", attrs: { role: "status", "aria-live": "polite" } });
    parent.append(this.node);
    const hold = () => { if (this.pending) clearTimeout(this.pending.timer); };
    this.node.addEventListener("mouseenter", hold);
    this.node.addEventListener("focusin", hold);
    this.node.addEventListener("mouseleave", () => {
      if (!this.node.contains(document.activeElement)) this.arm();
    });
    this.node.addEventListener("focusout", (e) => {
      if (!this.node.contains(e.relatedTarget) && !this.node.matches(":hover")) this.arm();
    });
    this.node.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); this.dismiss(); }
    });
  }

  get button() { return this.node.querySelector("button"); }

  /** Offer to undo the deletion of `task`; `after` is where focus goes when it closes. */
  offer(task, after) {
    this.dismiss(false);
    this.node.replaceChildren(
      el("span", { class: "toast-text", text: `Deleted “${task.title}”.` }),
      el("button", { type: "button", class: "btn btn-quiet", text: "Undo",
                     attrs: { "aria-label": `Undo: restore ${task.title}` },
                     on: { click: () => this.undo() } }));
    this.pending = { task, after, timer: null };
    this.arm();
  }

  arm() {
    if (!this.pending) return;
    clearTimeout(this.pending.timer);
    this.pending.timer = setTimeout(() => this.dismiss(), this.ms);
  }

  /** Close the toast; if the focus was in it, put it back in the list. */
  dismiss(restoreFocus = true) {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    const hadFocus = this.node.contains(document.activeElement);
    this.pending = null;
    this.node.replaceChildren();
    if (restoreFocus && hadFocus) (pending.after?.isConnected ? pending.after : this.fallback()).focus();
  }

  async undo() {
    const pending = this.pending;
    if (!pending) return;
    const button = this.button;
    button.disabled = true;
    try {
      const target = await this.restore(pending.task);
      this.dismiss(false);
      (target || this.fallback()).focus();
    } catch (error) {
      button.disabled = false;
      this.failed(error);
    }
  }
}

// "Deleted “…”. Undo" for a few seconds after a task is deleted on the board.
//
// The delete happens at once: every tab sees the task go, and nothing is lost or left
// half-done if this tab closes. Undo creates the task again with the same fields, which
// every tab then sees arrive (a new task: new id and creation time). The toast is a polite
// live region; from the keyboard its button is focused; the clock stops while the pointer
// or the focus is on it, and Escape closes it.
//
// It keeps the recent deletions (up to UNDO_DEPTH): each Undo restores the newest one left,
// so deleting two tasks quickly and pressing Undo twice brings both back. Every deletion or
// Undo starts the clock again; when it runs out, all of them stand.
import { el } from "./dom.js";

export const UNDO_MS = 6000;
export const UNDO_DEPTH = 5;

export class UndoToast {
  /** restore(task) -> Promise<focus target>; fallback() -> where focus goes if nowhere. */
  constructor(parent, { restore, failed, fallback }) {
    this.restore = restore;
    this.failed = failed;
    this.fallback = fallback;
    this.ms = UNDO_MS;
    this.depth = UNDO_DEPTH;
    this.stack = [];            // [{task, after}], oldest first: the deletions still undoable
    this.timer = null;
    this.busy = false;          // a restore is in flight
    this.node = el("div", { class: "undo-toast", attrs: { role: "status", "aria-live": "polite" } });
    parent.append(this.node);
    const hold = () => clearTimeout(this.timer);
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
    this.stack.push({ task, after });
    if (this.stack.length > this.depth) this.stack.shift();
    this.render();
    this.arm();
  }

  /** Show the newest deletion (and how many older ones can be undone after it). */
  render() {
    const { task } = this.stack.at(-1);
    const more = this.stack.length - 1;
    const parts = [
      el("span", { class: "toast-text", text: `Deleted “${task.title}”.` }),
      more ? el("span", { class: "toast-more", text: `+${more} more` }) : null,
      el("button", { type: "button", class: "btn btn-quiet", text: "Undo", disabled: this.busy,
                     attrs: { "aria-label": `Undo: restore ${task.title}` },
                     on: { click: () => this.undo() } })];
    this.node.replaceChildren(...parts.filter(Boolean));   // (a null would read "null")
  }

  arm() {
    if (!this.stack.length) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.dismiss(), this.ms);
  }

  /** Close the toast; if the focus was in it, put it back in the list. */
  dismiss(restoreFocus = true) {
    clearTimeout(this.timer);
    const hadFocus = this.node.contains(document.activeElement);
    const after = this.stack.map((d) => d.after).reverse().find((a) => a?.isConnected);
    this.stack = [];
    this.node.replaceChildren();
    if (restoreFocus && hadFocus) (after || this.fallback()).focus();
  }

  /** Restore the newest deletion. While more are left, Undo keeps the focus (press it again);
   *  after the last one, the focus goes to the restored task. */
  async undo() {
    const entry = this.stack.at(-1);
    if (!entry || this.busy) return;
    const hadFocus = this.node.contains(document.activeElement);   // disabling drops it
    this.busy = true;
    this.button.disabled = true;
    try {
      const target = await this.restore(entry.task);
      this.stack = this.stack.filter((d) => d !== entry);
      this.busy = false;
      if (!this.stack.length) {
        this.dismiss(false);
        (target || this.fallback()).focus();
        return;
      }
      this.render();
      if (hadFocus) this.button.focus();
      if (!hadFocus && !this.node.matches(":hover")) this.arm();
    } catch (error) {
      this.busy = false;
      if (this.button) this.button.disabled = false;
      if (hadFocus) this.button?.focus();
      this.failed(error);
    }
  }
}

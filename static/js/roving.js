// One Tab stop for a whole list of controls (a "roving tabindex"): Tab enters the list once,
// on the control used last; the arrow keys move inside it — Up and Down from row to row
// (a message, a conversation), Left and Right through every control in order — and Home
// and End go to its ends. Tab again leaves the list. The controls stay ordinary buttons,
// links and summaries, so a screen reader's own reading keys reach each of them as before.
//
// The list may change at any time (answers stream in, buttons show and hide): a mutation
// observer keeps exactly one shown control in the Tab order.

const CONTROLS = "a[href], button, summary, input, select, textarea";

function usable(node) {
  return !node.disabled && node.getClientRects().length > 0;    // shown (not in a closed <details>)
}

export class RovingFocus {
  /**
   * rows: the selector of a row (its controls move together with Up and Down).
   * preferred(controls): the control that takes the Tab stop when the last one is gone.
   * hint: the id of a text that says how to move (the Tab stop is described by it).
   * column: Up and Down keep the column (rows alike, as conversations); else they go to a
   * row's first control (rows unlike, as messages).
   */
  constructor(container, { rows, preferred = (controls) => controls[0], hint = "", column = false }) {
    this.container = container;
    this.rows = rows;
    this.column = column;
    this.preferred = preferred;
    this.hint = hint;
    this.stop = null;
    this.used = false;            // the stop is one the reader went to (else: the preferred)
    container.addEventListener("focusin", (e) => {
      if (this.controls().includes(e.target)) { this.used = true; this.setStop(e.target); }
    });
    container.addEventListener("keydown", (e) => this.onKey(e));
    new MutationObserver(() => this.refresh()).observe(container, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["hidden", "disabled", "open", "class"] });
    this.refresh();
  }

  controls() {
    return [...this.container.querySelectorAll(CONTROLS)].filter(usable);
  }

  /** Keep one control (the last used, while it is there) in the Tab order. */
  refresh() {
    const controls = this.controls();
    if (!this.used || !controls.includes(this.stop)) {
      this.used = this.used && controls.includes(this.stop);
      this.stop = controls.length ? this.preferred(controls) || controls[0] : null;
    }
    for (const node of this.container.querySelectorAll(CONTROLS)) {
      const index = node === this.stop ? "0" : "-1";
      if (node.getAttribute("tabindex") !== index) node.setAttribute("tabindex", index);
    }
    this.describe();
  }

  setStop(node) {
    if (this.stop === node) return;
    if (this.stop) this.stop.setAttribute("tabindex", "-1");
    this.stop = node;
    node.setAttribute("tabindex", "0");
    this.describe();
  }

  describe() {
    if (!this.hint) return;
    for (const node of this.container.querySelectorAll(`[aria-describedby="${this.hint}"]`)) {
      if (node !== this.stop) node.removeAttribute("aria-describedby");
    }
    if (this.stop && !this.stop.hasAttribute("aria-describedby")) {
      this.stop.setAttribute("aria-describedby", this.hint);
    }
  }

  onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const controls = this.controls();
    const at = controls.indexOf(e.target);
    if (at < 0) return;
    let to = null;
    switch (e.key) {
      case "ArrowRight": to = controls[at + 1]; break;
      case "ArrowLeft": to = controls[at - 1]; break;
      case "ArrowDown": to = this.inRow(controls, at, 1); break;
      case "ArrowUp": to = this.inRow(controls, at, -1); break;
      case "Home": to = controls[0]; break;
      case "End": to = controls.at(-1); break;
      default: return;
    }
    e.preventDefault();
    if (!to) return;
    this.setStop(to);
    to.focus();
    to.scrollIntoView({ block: "nearest" });
  }

  /** The control of the next (step 1) or previous (-1) row with controls. */
  inRow(controls, at, step) {
    const rowOf = (node) => node.closest(this.rows) || node;
    const row = rowOf(controls[at]);
    const column = this.column ? controls.filter((c) => rowOf(c) === row).indexOf(controls[at]) : 0;
    for (let i = at + step; i >= 0 && i < controls.length; i += step) {
      const other = rowOf(controls[i]);
      if (other === row) continue;
      const mine = controls.filter((c) => rowOf(c) === other);
      return mine[Math.min(column, mine.length - 1)];
    }
    return null;
  }
}

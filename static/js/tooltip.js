// A tooltip that shows while its owner is hovered or has keyboard focus, stays while the
// pointer moves onto it, and hides on Escape (WCAG 1.4.13). It goes beside its owner when
// the room up to the next element is enough (the header's free middle: it covers nothing);
// else below it, inside the window, and clear of every element marked `data-keep-clear`
// ("New chat"): beside such an element when there is room, else below it.

const GAP = 6;
const EDGE = 8;
const NARROWEST = 160;
const BESIDE_AT_LEAST = 300;      // px free beside the owner to go there (else below it)
const BESIDE_AT_MOST = 600;
const HIDE_AFTER_MS = 150;

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

export class Tooltip {
  constructor(owner, tip) {
    this.owner = owner;
    this.tip = tip;
    this.hideTimer = null;
    tip.setAttribute("role", "tooltip");
    owner.addEventListener("mouseenter", () => this.show());
    owner.addEventListener("mouseleave", () => this.hideSoon());
    owner.addEventListener("focus", () => { if (owner.matches(":focus-visible")) this.show(); });
    owner.addEventListener("blur", () => this.hide());
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && this.open) this.hide(); });
    window.addEventListener("resize", () => this.place());
    window.addEventListener("scroll", () => this.place(), { passive: true });
  }

  get open() { return this.tip.classList.contains("is-open"); }

  show() {
    clearTimeout(this.hideTimer);
    this.tip.classList.add("is-open");
    this.place();
  }

  hideSoon() {
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => { if (document.activeElement !== this.owner) this.hide(); },
      HIDE_AFTER_MS);
  }

  hide() {
    clearTimeout(this.hideTimer);
    this.tip.classList.remove("is-open");
  }

  /** Put the (open) tooltip where it fits and covers nothing it must not. */
  place() {
    if (!this.open) return;
    const tip = this.tip;
    const room = document.documentElement.clientWidth;
    tip.style.maxWidth = `${Math.min(352, room - 2 * EDGE)}px`;
    const anchor = this.owner.getBoundingClientRect();
    const next = this.owner.nextElementSibling?.getBoundingClientRect();
    const end = next && next.left > anchor.right ? next.left - GAP : room - EDGE;
    const beside = end - anchor.right - GAP;
    let box;
    let left;
    let top;
    if (beside >= BESIDE_AT_LEAST) {
      tip.style.maxWidth = `${Math.min(BESIDE_AT_MOST, beside)}px`;
      box = tip.getBoundingClientRect();
      left = anchor.right + GAP;
      top = Math.max(EDGE / 2, anchor.top + (anchor.height - box.height) / 2);
    } else {
      box = tip.getBoundingClientRect();
      left = Math.min(Math.max(anchor.left, EDGE), room - box.width - EDGE);
      top = anchor.bottom + GAP;
    }
    for (const keep of document.querySelectorAll("[data-keep-clear]")) {
      const clear = keep.getBoundingClientRect();
      if (!clear.width) continue;
      const at = { left, top, right: left + box.width, bottom: top + box.height };
      if (!overlaps(at, clear)) continue;
      const besideLeft = clear.right + GAP;
      if (room - EDGE - besideLeft >= NARROWEST) {         // beside it, narrower if need be
        left = besideLeft;
        tip.style.maxWidth = `${room - EDGE - besideLeft}px`;
        box = tip.getBoundingClientRect();
      } else {
        top = clear.bottom + GAP;                            // or below it
      }
    }
    tip.style.left = `${Math.round(left)}px`;
    tip.style.top = `${Math.round(top)}px`;
  }
}

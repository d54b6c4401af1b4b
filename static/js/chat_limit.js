// A send refused for going too fast (`rate_limited`, with `retry_after` seconds): the
// notice sits just above the message box, in the flow (the messages above it shrink, they
// are never covered), and counts down each second — "Try again in 42 s". Send waits until
// it reaches 0; then the notice goes and Send works again. What was typed stays in the box.
//
// Screen readers hear the sentence once (and "You can send again" at the end), not a number
// every second: the ticking copy is hidden from them.

const REASON_END = /\s*Try again in [^.]*\.?\s*$/i;

function spoken(seconds) {
  if (seconds < 90) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds / 3600)} hours`;
}

export function shown(seconds) {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

export class SendLimit {
  /** changed(): Send's state may have changed; announce(text): a polite live region. */
  constructor(node, { changed, announce }) {
    this.node = node;
    this.said = node.querySelector("[data-said]");
    this.ticking = node.querySelector("[data-ticking]");
    this.changed = changed;
    this.announce = announce;
    this.until = 0;
    this.reason = "";
    this.timer = null;
  }

  get active() { return this.until > Date.now(); }

  left() { return Math.max(0, Math.ceil((this.until - Date.now()) / 1000)); }

  /** A failed send: true when it was the rate limit (and the countdown has started). */
  handle(error) {
    const seconds = Number(error?.retry_after ?? error?.body?.error?.retry_after);
    if (error?.code !== "rate_limited" || !(seconds > 0)) return false;
    this.reason = String(error.message || "You're sending messages too quickly.").replace(REASON_END, "");
    this.until = Date.now() + seconds * 1000;
    this.said.textContent = `${this.reason} Try again in ${spoken(seconds)}.`;
    this.node.hidden = false;
    this.tick();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000);
    this.changed();
    return true;
  }

  /** A send while the countdown runs: not sent; the notice is pointed out again. */
  refuses() {
    if (!this.active) return false;
    this.node.classList.remove("is-nudged");
    void this.node.offsetWidth;       // restart the animation
    this.node.classList.add("is-nudged");
    return true;
  }

  tick() {
    const left = this.left();
    if (left <= 0) { this.end(); return; }
    this.ticking.textContent = `${this.reason} Try again in ${shown(left)}`;
    this.node.dataset.left = String(left);
  }

  end() {
    clearInterval(this.timer);
    this.timer = null;
    this.until = 0;
    this.node.hidden = true;
    this.said.textContent = "";
    delete this.node.dataset.left;
    this.announce("You can send again.");
    this.changed();
  }
}

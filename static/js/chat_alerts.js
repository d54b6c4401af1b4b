// Answers that finish while this tab is in the background:
// - the tab title counts them, "(2) Chat · Taskpulse", until the tab is seen again;
// - a system notification with the start of the answer, once the reader has turned them on
//   with the "Notify me" button. The browser's permission is asked for on that click only,
//   never when the page opens. The choice is kept for this browser (localStorage).
// Clicking a notification brings the tab forward on that conversation.

const KEY = "tp-notify";
const BODY_CHARS = 140;

function remembered() {
  try { return localStorage.getItem(KEY) === "on"; } catch { return false; }
}

function remember(on) {
  try { localStorage.setItem(KEY, on ? "on" : "off"); } catch { /* storage blocked */ }
}

/** The start of an answer as plain words (its Markdown marks dropped). */
export function answerStart(markdown) {
  const text = String(markdown || "")
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`#>~|]+/g, "")
    .replace(/^\s*[-+]\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS - 1).trimEnd()}…` : text;
}

export class BackgroundAlerts {
  /** titleOf(conversationId): Promise of its title; open(conversationId): show it;
   *  say(text): the page's notice. */
  constructor(button, { titleOf, open, say }) {
    this.button = button;
    this.titleOf = titleOf;
    this.open = open;
    this.say = say;
    this.baseTitle = document.title;
    this.unseen = 0;
    this.supported = typeof window.Notification === "function";
    this.on = this.supported && remembered() && Notification.permission === "granted";
    if (this.supported && button) {
      button.hidden = false;
      button.addEventListener("click", () => this.toggle());
      this.paint();
    }
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.seen(); });
    window.addEventListener("focus", () => this.seen());
  }

  paint() {
    this.button.setAttribute("aria-pressed", String(this.on));
    this.button.title = this.on ? "Notifications are on for answers that finish while this tab is in the background"
      : "Get a notification when an answer finishes while this tab is in the background";
  }

  async toggle() {
    if (this.on) { this.on = false; remember(false); this.paint(); return; }
    let permission = Notification.permission;
    if (permission === "default") {
      try { permission = await Notification.requestPermission(); } catch { permission = "denied"; }
    }
    this.on = permission === "granted";
    remember(this.on);
    this.paint();
    if (permission === "denied") {
      this.say("Notifications are blocked for this site. Allow them in the browser's site settings, then press Notify me again.");
    }
  }

  /** A run ended (any conversation of this user, from any tab). */
  ended(run) {
    if (!document.hidden || run.status === "cancelled") return;
    this.unseen += 1;
    document.title = `(${this.unseen}) ${this.baseTitle}`;
    if (this.on && Notification.permission === "granted") this.notify(run);
  }

  async notify(run) {
    const failed = run.status !== "done";
    const body = failed ? `The answer failed: ${run.errorText || run.text || "no reply"}` : answerStart(run.text);
    const title = await this.titleOf(run.conversationId);
    try {
      const note = new Notification(title, {
        body, tag: `run-${run.runId}`, icon: "/static/favicon.svg" });
      note.addEventListener("click", () => {
        window.focus();
        this.open(run.conversationId);
        note.close();
      });
    } catch { /* a browser that only allows them from a service worker: the title still counts */ }
  }

  seen() {
    if (document.hidden || !this.unseen) return;
    this.unseen = 0;
    document.title = this.baseTitle;
  }
}

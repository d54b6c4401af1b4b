// The notice above the messages, and what it says while the live connection is down.
//
// With the socket down the page can still chat over HTTP, but only if HTTP works: before
// saying so it asks the server (`GET /healthz`, at most every few seconds while the socket
// is down). If the server cannot be reached at all, the notice says that instead.

const PROBE_EVERY_MS = 3000;
const OVER_HTTP = "Live progress is unavailable right now. You can still chat: messages go "
  + "over HTTP and the answer appears when it is ready.";
const UNREACHABLE = "The server cannot be reached right now, so messages cannot be sent. "
  + "This page reconnects by itself; what you type stays in the box.";

export class ChatNotice {
  constructor(node) {
    this.node = node;
    this.probing = null;
    this.probedAt = 0;
    this.httpUp = null;            // null: not known; true/false: the last probe's answer
  }

  get kind() { return this.node.dataset.kind || ""; }

  /** Show `text` (none: hide); kind "offline" notices clear once the socket is back. */
  say(text, kind = "") {
    this.node.textContent = text || "";
    this.node.hidden = !text;
    if (kind) this.node.dataset.kind = kind; else delete this.node.dataset.kind;
  }

  /** Clear a notice about sending (not one about the connection). */
  clearUnlessOffline() { if (this.kind !== "offline") this.say(""); }

  /** The live connection changed: say what works now. */
  connection(live) {
    if (live.connected) {
      this.httpUp = null;
      if (this.kind === "offline") this.say("");
      return;
    }
    const state = live.status.state;
    if (state !== "offline" && state !== "reconnecting") return;
    if (this.kind && this.kind !== "offline") return;     // a send error is showing
    if (this.httpUp !== null) this.say(this.httpUp ? OVER_HTTP : UNREACHABLE, "offline");
    this.probe(live);
  }

  /** Ask whether HTTP works (not more often than every few seconds). */
  probe(live) {
    if (this.probing || Date.now() - this.probedAt < PROBE_EVERY_MS) return;
    this.probedAt = Date.now();
    this.probing = fetch("/healthz", { cache: "no-store", headers: { Accept: "application/json" } })
      .then((response) => response.ok, () => false)
      .then((up) => {
        this.probing = null;
        this.httpUp = up;
        if (!live.connected && (!this.kind || this.kind === "offline")) {
          this.say(up ? OVER_HTTP : UNREACHABLE, "offline");
        }
      });
  }

  /** A send over HTTP found the network down: say so (and remember it). */
  unreachable() {
    this.httpUp = false;
    this.say("Could not reach the server, so the message was not sent. It is back in the "
      + "box: send it again once you are online.", "offline");
  }
}

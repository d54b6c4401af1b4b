// The Stop button of the open conversation's run. While the cancel is on its way it reads
// "Stopping…" and keeps the focus: it is marked aria-disabled rather than disabled, since a
// disabled button drops the focus to the page body. When the run ends the button hides and
// the page puts the focus back in the message box (chat.js, updateComposer).
import { CLIENT } from "/js/protocol.js";

export class StopButton {
  /** runId(): the open conversation's running run (or null); say(text): the page's notice. */
  constructor(button, { live, runId, say }) {
    this.button = button;
    this.live = live;
    this.runId = runId;
    this.say = say;
    this.stopping = null;         // the run whose cancel was asked for
    button.addEventListener("click", () => this.stop());
  }

  get unusable() { return this.button.getAttribute("aria-disabled") === "true"; }

  /** Shown while `runId` runs; usable while connected and not already stopping it. */
  update(runId) {
    if (runId !== this.stopping) this.stopping = null;
    this.button.hidden = !runId;
    if (!this.live.connected || this.stopping) this.button.setAttribute("aria-disabled", "true");
    else this.button.removeAttribute("aria-disabled");
    const text = this.stopping ? "Stopping…" : "Stop";
    if (this.button.textContent !== text) this.button.textContent = text;
  }

  async stop() {
    const runId = this.runId();
    if (!runId || this.unusable) return;
    this.stopping = runId;
    this.update(runId);
    try {
      const ack = await this.live.request(CLIENT.run_cancel, { run_id: runId });
      if (ack.error) { this.stopping = null; this.say(ack.error.message); }
    } catch {
      this.stopping = null;
      this.say("Could not reach the server to stop the run.");
    }
    this.update(this.runId());
  }
}

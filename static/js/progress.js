// The progress panel of one agent run: a row per step, as it happens, then a summary.
//
// Icons as in the original UI: … thinking, ▶ starting, ⏳ progress (with a count badge),
// ✓ complete / done (green), ✗ error (red). While the run is active the panel is a polite
// live region; when it ends it collapses into "N steps", expandable on the message.
import { EV } from "/js/protocol.js";
import { append, el } from "./dom.js";

const KINDS = {
  thinking: { icon: "…", said: "Working" },
  starting: { icon: "▶", said: "Starting" },
  progress: { icon: "⏳", said: "In progress" },
  complete: { icon: "✓", said: "Done" },
  error: { icon: "✗", said: "Failed" },
  done: { icon: "✓", said: "Finished" },
  cancelled: { icon: "■", said: "Stopped" },
};

function stepRow(kind, text, badge) {
  const row = el("li", { class: `step step-${kind}`, data: { kind } });
  fillRow(row, kind, text, badge);
  return row;
}

function fillRow(row, kind, text, badge) {
  row.className = `step step-${kind}`;
  row.dataset.kind = kind;
  row.replaceChildren();
  append(row,
    el("span", { class: "step-icon", text: KINDS[kind].icon, attrs: { "aria-hidden": "true" } }),
    el("span", { class: "visually-hidden", text: `${KINDS[kind].said}: ` }),
    el("span", { class: "step-text", text }),
    badge ? el("span", { class: "badge", text: badge, attrs: { "aria-label": `count ${badge}` } }) : null);
}

function stepsLabel(n) { return n === 1 ? "1 step" : `${n} steps`; }

/** "2 steps", "1 step · failed", "3 steps · 1 failed · stopped": what the folded panel says. */
export function summaryLabel(n, failed, status) {
  const parts = [stepsLabel(n)];
  if (failed) parts.push(failed === n ? "failed" : `${failed} failed`);
  if (status === "cancelled") parts.push("stopped");
  else if (status === "error" && !failed) parts.push("failed");
  else if (status === "interrupted") parts.push("interrupted");
  return parts.join(" · ");
}

/** The last row of a finished run, as the live panel ends: ✓ Done!, ■ Cancelled, ✗ … */
const END_ROWS = {
  done: ["done", "Done!"], cancelled: ["cancelled", "Cancelled"],
  error: ["error", "The answer failed"], interrupted: ["error", "Interrupted"],
};

/** A run that ended without any tool step: a plain line, nothing to open. */
function endNote(status) {
  const [kind, text] = END_ROWS[status] || END_ROWS.error;
  return el("p", { class: `run-note run-note-${kind}` },
    el("span", { class: "step-icon", text: KINDS[kind].icon, attrs: { "aria-hidden": "true" } }),
    el("span", { text: status === "cancelled" ? "Stopped before any step" : text }));
}

function summaryDetails(label, failed, list) {
  return el("details", { class: "run-summary" + (failed ? " is-error" : "") },
    el("summary", {}, failed ? el("span", { class: "summary-icon", text: KINDS.error.icon,
      attrs: { "aria-hidden": "true" } }) : null, el("span", { class: "summary-text", text: label })),
    list);
}

export class RunView {
  constructor(runId, conversationId) {
    this.runId = runId;
    this.conversationId = conversationId;
    this.status = "running";
    this.text = "";
    this.calls = new Map();     // call_id -> {row, count}
    this.thinking = null;
    this.panel = el("ol", { class: "progress", attrs: { "aria-live": "polite", "aria-label": "Progress" } });
    this.node = el("div", { class: "run", data: { runId } }, this.panel);
    this.listeners = new Set();
  }

  get running() { return this.status === "running"; }

  onChange(fn) { this.listeners.add(fn); }

  changed(what) { for (const fn of this.listeners) fn(what, this); }

  /** Apply one run event. */
  apply(name, e) {
    if (!this.running) return;
    switch (name) {
      case EV.agent_thinking:
        if (!this.thinking) { this.thinking = stepRow("thinking", e.message); this.panel.append(this.thinking); }
        break;
      case EV.tool_starting: this.step(e, "starting", e.message); break;
      case EV.tool_progress: this.step(e, "progress", e.message, true); break;
      case EV.tool_complete: this.step(e, "complete", e.message); break;
      case EV.tool_error: this.step(e, "error", e.message); break;
      case EV.agent_token:
        this.dropThinking();
        this.text += e.text;
        this.changed("text");
        return;
      case EV.agent_done: this.finish("done", e.message, e.content); return;
      case EV.agent_cancelled: this.finish("cancelled", e.message || "Cancelled", e.content); return;
      case EV.agent_error: this.finish("error", e.message, null, e.message); return;
      default: return;
    }
    this.changed("steps");
  }

  dropThinking() {
    if (this.thinking) { this.thinking.remove(); this.thinking = null; }
  }

  step(e, kind, text, counting = false) {
    this.dropThinking();
    let call = this.calls.get(e.call_id);
    if (!call) {
      call = { row: stepRow(kind, text), count: 0 };
      this.calls.set(e.call_id, call);
      this.panel.append(call.row);
    }
    let badge = null;
    if (counting) {
      call.count += 1;
      const count = e.count ?? call.count;
      badge = e.total ? `${count}/${e.total}` : String(count);
    }
    fillRow(call.row, kind, text, badge);
  }

  finish(status, message, content, errorText = null) {
    this.dropThinking();
    this.status = status;
    if (typeof content === "string" && content) this.text = content;
    if (errorText && !this.text) this.errorText = errorText;
    this.panel.append(stepRow(status === "done" ? "done" : status === "error" ? "error" : "cancelled", message));
    this.collapse();
    this.changed("end");
  }

  /** Fold the finished panel into a one-line summary that expands on demand. */
  collapse() {
    const n = this.calls.size;
    if (n === 0) {           // nothing to open: no box for a plain answer, a line otherwise
      this.node.replaceChildren(...(this.status === "done" ? [] : [endNote(this.status)]));
      return;
    }
    const failed = [...this.calls.values()].filter((c) => c.row.dataset.kind === "error").length;
    const failedRun = this.status === "error" && !failed;
    this.panel.removeAttribute("aria-live");
    this.node.replaceChildren(summaryDetails(summaryLabel(n, failed, this.status),
      failed || failedRun, this.panel));
  }
}

function historyRows(steps, status) {
  const rows = steps.map((s) => stepRow(s.ok ? "complete" : "error",
    s.ok ? s.message : (s.message || s.error || "Failed")));
  const [kind, text] = END_ROWS[status] || END_ROWS.done;
  return [...rows, stepRow(kind, text)];
}

/**
 * A finished run from history, as "N steps" that expands into its steps. The messages API
 * sends each answer's steps (`steps`, `run_status`): nothing to show for a finished answer
 * without tool steps (null, as a live run folds away). An answer that came without them
 * (an event from a run this tab never saw) loads them over HTTP when opened.
 */
export function historySteps(message, loadRun) {
  if (Array.isArray(message?.steps)) {
    const status = message.run_status || "done";
    const steps = message.steps;
    if (!steps.length) return status === "done" ? null : endNote(status);
    const failed = steps.filter((s) => !s.ok).length;
    const list = el("ol", { class: "progress" });
    const details = summaryDetails(summaryLabel(steps.length, failed, status),
      failed || status === "error", list);
    details.addEventListener("toggle", () => {           // rows only when asked for
      if (details.open && !list.children.length) list.append(...historyRows(steps, status));
    });
    return details;
  }
  const list = el("ol", { class: "progress" });
  const details = summaryDetails("Steps", 0, list);
  const label = details.querySelector(".summary-text");
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    list.replaceChildren(stepRow("thinking", "Loading…"));
    try {
      const run = await loadRun();
      const steps = run.steps || [];
      const failed = steps.filter((s) => !s.ok).length;
      list.replaceChildren(...historyRows(steps, run.status));
      label.textContent = summaryLabel(steps.length, failed, run.status);
      details.classList.toggle("is-error", Boolean(failed) || run.status === "error");
    } catch (error) {
      loaded = false;
      list.replaceChildren(stepRow("error", error.message));
    }
  });
  return details;
}

// The connection indicator in the header: state, transport, retry countdown, signal bars.
// Its detail (transport, round trip) is a tooltip for the mouse and the keyboard alike
// (see tooltip.js): placed so that it never covers "New chat" or another control below.
import { Tooltip } from "./tooltip.js";

const TRANSPORT_NAMES = { websocket: "WebSocket", polling: "long-polling" };

export function describe(status, now = Date.now()) {
  const retry = status.nextTryAt
    ? `next try in ${Math.max(0, Math.ceil((status.nextTryAt - now) / 1000))} s` : "trying now";
  switch (status.state) {
    case "live":
      return "Live";        // the transport is in the tooltip: most people need not know
    case "reconnecting":
      return `Reconnecting (attempt ${status.attempt || 1}, ${retry})`;
    case "offline":
      return status.nextTryAt ? `Offline (${retry})` : "Offline";
    default:
      return "Connecting…";
  }
}

/** Keep #conn-status in step with a Live connection. */
export function mountStatus(live, root = document.getElementById("conn-status")) {
  if (!root) return;
  root.hidden = false;                  // shown only where a script keeps it true
  const label = root.querySelector(".conn-label");
  const announcer = root.querySelector("[role=status]");
  const signal = root.querySelector(".signal");
  const detail = root.querySelector(".conn-detail");
  let ticker = null;
  let announced = "";
  const tooltip = detail ? new Tooltip(root, detail) : null;

  function render(status) {
    root.dataset.state = status.state;
    root.dataset.transport = status.transport || "";
    root.dataset.attempt = String(status.attempt || 0);
    const text = describe(status);
    if (label.textContent !== text) label.textContent = text;
    // Screen readers hear state changes, not every second of the countdown.
    const spoken = status.state === "reconnecting"
      ? `Reconnecting, attempt ${status.attempt || 1}` : text.replace(/ \(next try.*\)$/, "");
    if (spoken !== announced) { announced = spoken; announcer.textContent = spoken; }
    signal.dataset.bars = String(status.bars || 0);
    let detailText;
    const over = TRANSPORT_NAMES[status.transport] || status.transport || "the network";
    if (status.state === "live" && Number.isFinite(status.medianMs)) {
      const ms = Math.round(status.medianMs);
      detailText = `Live over ${over}, signal ${status.bars || 0} of 4. `
        + `Round trip ${ms} ms (median of recent pings)`;
      signal.dataset.rtt = String(ms);
    } else if (status.state === "live") {
      detailText = `Live over ${over}`;
      delete signal.dataset.rtt;
    } else {
      const reason = status.reason || (status.state === "offline" && live.everConnected
        ? "The server cannot be reached. This page keeps trying by itself." : "");
      detailText = reason ? `${text}: ${reason}` : text;
      delete signal.dataset.rtt;
    }
    // The same detail for the pointer, the keyboard and screen readers (the description).
    if (detail && detail.textContent !== detailText) {
      detail.textContent = detailText;
      tooltip.place();
    }
    const counting = Boolean(status.nextTryAt) && status.state !== "live";
    if (counting && !ticker) ticker = setInterval(() => render(live.status), 1000);
    if (!counting && ticker) { clearInterval(ticker); ticker = null; }
  }

  live.onStatus(render);
}

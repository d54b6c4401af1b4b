// Times as people read them: "3 minutes ago" on the page, the exact time on hover (title)
// and in the <time datetime> for assistive tech. The server sends ISO 8601 UTC
// (protocol/timestamps.py); the browser's own Intl formats them in the reader's locale.
import { el } from "./dom.js";

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const EXACT = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const SHORT_DATE = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const LONG_DATE = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const REFRESH_MS = 30_000;
const UNITS = [["year", 365 * 86400], ["month", 30 * 86400], ["week", 7 * 86400],
  ["day", 86400], ["hour", 3600], ["minute", 60]];

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago" (a date past a month). */
export function relativeTime(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const ago = Math.abs(seconds);
  if (ago < 45) return "just now";
  if (ago >= 30 * 86400) {
    const sameYear = date.getFullYear() === new Date(now).getFullYear();
    return (sameYear ? SHORT_DATE : LONG_DATE).format(date);
  }
  for (const [unit, size] of UNITS) {
    if (ago >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  }
  return RELATIVE.format(Math.round(seconds / 60), "minute");
}

export function exactTime(date) { return EXACT.format(date); }

function parse(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Point a <time> element at `iso` (nothing shown for a missing or unreadable time). */
export function setTime(node, iso) {
  const date = iso ? parse(iso) : null;
  node.hidden = !date;
  if (!date) return node;
  node.dateTime = iso;
  node.title = exactTime(date);
  node.textContent = relativeTime(date);
  node.dataset.relative = "1";
  return node;
}

export function timeElement(iso, className = "") {
  return setTime(el("time", { class: className }), iso);
}

/** Keep every relative time on the page current (each half minute, and on return). */
export function keepTimesFresh(root = document) {
  const refresh = () => {
    for (const node of root.querySelectorAll("time[data-relative]")) {
      const date = parse(node.dateTime);
      if (date) {
        const text = relativeTime(date);
        if (node.textContent !== text) node.textContent = text;
      }
    }
  };
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  return refresh;
}

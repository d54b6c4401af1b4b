// Logging out in one tab logs out every tab of this browser: the others go to the log-in
// page at once, instead of showing "Live" and a name that no longer has a session.
//
// The tab that logs out posts the form itself (fetch), so it knows the cookie is gone before
// it tells the others (BroadcastChannel; the `storage` event where that is missing): a tab
// that went to /login before the cookie was cleared would be sent straight back.
// If the fetch fails, the form is submitted the ordinary way.
// A tab that missed the message (asleep, or the browser froze it) asks when it is shown
// again whether its session still stands (`GET /api/auth/me`), and goes to log in if not.
import { goToLogin } from "./api.js";

const CHANNEL = "taskpulse-session";
const STORAGE_KEY = "tp-logged-out";
const CHECK_GAP_MS = 10_000;
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
let checkedAt = Date.now();

function loggedOutElsewhere() {
  if (location.pathname === "/login" || location.pathname === "/signup") return;
  window.taskpulse?.live?.socket?.disconnect();
  goToLogin();
}

function tellOtherTabs() {
  if (channel) { channel.postMessage({ type: "logged-out" }); return; }
  try { localStorage.setItem(STORAGE_KEY, String(Date.now())); } catch { /* storage blocked */ }
}

if (channel) {
  channel.addEventListener("message", (e) => { if (e.data?.type === "logged-out") loggedOutElsewhere(); });
} else {
  window.addEventListener("storage", (e) => { if (e.key === STORAGE_KEY && e.newValue) loggedOutElsewhere(); });
}

async function checkSession() {
  if (document.hidden || Date.now() - checkedAt < CHECK_GAP_MS) return;
  checkedAt = Date.now();
  try {
    const response = await fetch("/api/auth/me", {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    if (response.status === 401) loggedOutElsewhere();
  } catch { /* offline: the connection status says so; ask again next time */ }
}
document.addEventListener("visibilitychange", checkSession);

for (const form of document.querySelectorAll('form[action="/logout"]')) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    let ok = false;
    try {
      const response = await fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
      });
      ok = response.ok;
    } catch { /* the network: submit the ordinary way below */ }
    if (!ok) { form.submit(); return; }      // the server's own answer (a 403 page, say)
    tellOtherTabs();
    location.assign("/login");
  });
}

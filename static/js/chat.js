// The chat page: conversations, sending (socket, or HTTP when the socket is down), Stop,
// and every run of the user shown live — including those started in other tabs.
import { EV, CLIENT } from "/js/protocol.js";
import { api } from "./api.js";
import { $, announce } from "./dom.js";
import { Live } from "./live.js";
import { mountStatus } from "./status.js";
import { RunView } from "./progress.js";
import { ChatView } from "./chat_view.js";
import { ConversationList } from "./conversations.js";
import { EarlierMessages } from "./earlier.js";
import { ChatNotice } from "./chat_notice.js";
import { ChatTitle } from "./chat_title.js";
import { Composer } from "./chat_composer.js";
import { bindActions, copyAnswer, lastUserText } from "./message_actions.js";
import { keepTimesFresh } from "./times.js";
import { StopButton } from "./chat_stop.js";
import { SendLimit } from "./chat_limit.js";
import { BackgroundAlerts } from "./chat_alerts.js";
import { focusComposer, setUpKeyboard } from "./chat_keys.js";

const live = new Live();
const base = `/api/${encodeURIComponent(live.userId)}`;
const input = $("#chat-input");
const composer = new Composer($("#composer"), { send: (text) => send(text) });
const sendButton = $("#send-btn");
const stopButton = $("#stop-btn");
const notice = new ChatNotice($("#chat-notice"));
const say = (text, kind) => notice.say(text, kind);
const stop = new StopButton(stopButton, { live, say, runId: () => current && active.get(current) });
const limit = new SendLimit($("#limit-notice"), {
  changed: () => updateComposer(), announce: (text) => announce($("#chat-live"), text) });
const alerts = new BackgroundAlerts($("#notify-toggle"), {
  titleOf: (id) => conversations.fetchTitle(id), open: (id) => openConversation(id), say });
const title = new ChatTitle($("#chat"), {
  save: async (id, text) => {
    const data = await api("PATCH", `${base}/conversations/${encodeURIComponent(id)}`, { title: text });
    conversations.update(data.conversation);
    return data.conversation;
  },
});

const runs = new Map();          // run id -> RunView (this page's lifetime)
const active = new Map();        // conversation id -> running run id
const sending = new Set();       // conversation keys with a send in flight ("" = new chat)
let current = null;              // open conversation id (null: a new chat)
let newChatText = null;          // the first message of a new chat, while it is being sent
let loadSeq = 0;
let wasBusy = false;             // the composer was disabled (a run or a send going on)
let loading = null;              // {id, arrived: message id -> message} while a conversation loads

const view = new ChatView($("#messages"), $("#chat-empty"),
  (runId) => api("GET", `${base}/runs/${encodeURIComponent(runId)}`).then((d) => d.run || d),
  $("#message-scroll"));
const earlier = new EarlierMessages($("#load-earlier"), view, {
  fetchPage: (id, before) => api("GET", messagesUrl(id, before)),
  runsOf: (id) => runsOf(id),
  announce: (text) => announce($("#chat-live"), text),
  error: (message) => say(message),
});
const conversations = new ConversationList($("#conv-list"), base, {
  open: (id) => openConversation(id),
  deleted: (id) => { if (id === current) openConversation(null); },
  empty: () => focusComposer(input, stopButton),
  isRunning: (id) => active.has(id),
  error: (message) => say(message),
});

function setUrl(id) {
  const params = new URLSearchParams(location.search);
  if (id) params.set("c", id); else params.delete("c");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

/** Input is disabled only while the open conversation has a run (or a send) in progress. */
function updateComposer() {
  const key = current || "";
  const runId = current ? active.get(current) : null;
  const busy = Boolean(runId) || sending.has(key);
  // Disabling the box (or hiding Stop) drops the focus: when the run ends, it goes back to
  // the box, unless the reader has moved it somewhere else meanwhile.
  const focused = document.activeElement;
  const lost = focused === stopButton || !focused || focused === document.body;
  input.disabled = busy;
  sendButton.disabled = busy || limit.active;
  stop.update(runId);
  view.setBusy(busy);
  if (!busy && wasBusy && lost) input.focus();
  wasBusy = busy;
}

async function openConversation(id) {
  const seq = ++loadSeq;
  current = id;
  setUrl(id);
  conversations.select(id);
  title.show(id, conversations.title(id));
  updateComposer();
  earlier.reset(null);
  if (!id) { view.render([], new Map()); input.focus(); return; }
  const arrived = new Map();     // live messages newer than the snapshot requested below
  loading = { id, arrived };
  try {
    const data = await api("GET", messagesUrl(id));
    if (seq !== loadSeq) return;                        // the user switched again
    const mine = runsOf(id);
    view.render([...(data.messages || []), ...arrived.values()], mine);   // each id once
    earlier.reset(id, data.has_more ? data.next_before : null);
    const info = conversations.get(id);
    if (info && info.active_run_id && !mine.has(info.active_run_id)) markRunning(id, info.active_run_id);
    if (data.conversation) conversations.update(data.conversation);
    title.show(id, data.conversation?.title || conversations.title(id));
  } catch (error) {
    if (seq !== loadSeq) return;
    if (error.status === 404) { conversations.remove(id); openConversation(null); return; }
    say(error.message);
  } finally {
    if (loading?.arrived === arrived) loading = null;
  }
}

function messagesUrl(id, before = null) {
  const url = `${base}/conversations/${encodeURIComponent(id)}/messages`;
  return before ? `${url}?before=${encodeURIComponent(before)}` : url;
}

function runsOf(id) { return new Map([...runs].filter(([, r]) => r.conversationId === id)); }

function markRunning(conversationId, runId) {
  if (active.get(conversationId) === runId) return;
  active.set(conversationId, runId);
  const run = runOf(runId, conversationId);
  if (conversationId === current) view.attachRun(run);
  conversations.refreshRunning();
  updateComposer();
}

function runOf(runId, conversationId) {
  let run = runs.get(runId);
  if (!run) {
    run = new RunView(runId, conversationId);
    run.onChange((what) => {
      if (run.conversationId === current) view.updateRun(run);
      if (what === "end") {
        alerts.ended(run);
        if (run.conversationId === current) {
          announce($("#chat-live"), `Assistant: ${run.text || run.errorText || "stopped"}`);
        }
        if (active.get(run.conversationId) === run.runId) active.delete(run.conversationId);
        conversations.refreshRunning();
        updateComposer();
      }
    });
    runs.set(runId, run);
  }
  return run;
}

function onRunEvent(name, e) {
  const run = runOf(e.run_id, e.conversation_id);
  if (run.running && !active.has(e.conversation_id)) markRunning(e.conversation_id, e.run_id);
  run.apply(name, e);
}

function onMessage(e) {
  const message = e.message;
  if (!conversations.has(message.conversation_id)) conversations.reloadSoon();
  else conversations.touch(message.conversation_id, message.created_at);
  if (current === null && message.role === "user" && newChatText === message.content) {
    adopt(message.conversation_id);     // our new chat: show its run live, before the ack
  }
  if (loading?.id === message.conversation_id) loading.arrived.set(message.id, message);
  if (message.conversation_id === current) view.addMessage(message, runs.get(message.run_id));
}

/** The conversation this tab's first message just created becomes the open one. */
function adopt(id) {
  current = id;
  newChatText = null;
  setUrl(id);
  conversations.select(id);
  title.show(id, conversations.has(id) ? conversations.title(id) : "New chat");   // until listed
  updateComposer();
}

async function send(text) {
  const key = current || "";
  if (sending.has(key) || (current && active.has(current)) || limit.refuses()) return;
  sending.add(key);
  updateComposer();
  const pending = view.addPending(text);
  composer.clear();
  try {
    if (live.connected) await sendLive(text, pending);
    else await sendOverHttp(text, pending);
  } catch (error) {
    view.dropPending(pending);
    composer.giveBack(text);
    if (error.code === "network") {
      notice.unreachable();
    } else if (!limit.handle(error)) {
      say(error.message || "The message could not be sent.");
    }
  } finally {
    sending.delete(key);
    updateComposer();
    if (!input.disabled) input.focus();
  }
}

async function sendLive(text, pending) {
  const conversationId = current;
  if (!conversationId) newChatText = text;
  let ack;
  try {
    ack = await live.request(CLIENT.chat_send, {
      message: text, conversation_id: conversationId, client_msg_id: crypto.randomUUID() });
  } finally {
    newChatText = null;
  }
  if (ack.error) throw Object.assign(new Error(ack.error.message), ack.error);
  pending.dataset.runId = ack.run_id;
  notice.clearUnlessOffline();
  if (!conversationId && current === null) adopt(ack.conversation_id);
  if (!conversationId) {
    await conversations.reload();
    if (current === ack.conversation_id) {
      conversations.select(current);
      title.show(current, conversations.title(current));
    }
  }
  if (runs.get(ack.run_id)?.running !== false) markRunning(ack.conversation_id, ack.run_id);
}

async function sendOverHttp(text, pending) {
  say("Live progress is unavailable right now; sending over HTTP — the answer appears when it is ready.", "offline");
  let conversationId;
  try {
    const reply = await api("POST", `${base}/chat`, { message: text, conversation_id: current || undefined });
    conversationId = reply.conversation_id;
  } catch (error) {
    // The run failed after the message was saved: show the conversation and the reason.
    conversationId = error.body && error.body.error && error.body.error.conversation_id;
    if (!conversationId) throw error;
    say(error.message);
  }
  await conversations.reload();
  view.dropPending(pending);
  await openConversation(conversationId);
}

bindActions($("#messages"), {
  copy: async (li, button) => {
    if (await copyAnswer(li, button)) announce($("#chat-live"), "Answer copied");
    else say("Could not copy: the browser did not allow it. Select the text and copy it instead.");
  },
  retry: () => { const text = lastUserText($("#messages")); if (text) send(text); },
  edit: (li) => composer.fill(li.querySelector(".bubble").textContent),
});

// ---- wiring ---------------------------------------------------------------------------

setUpKeyboard({ skip: $("#skip-to-input"), input, stop: stopButton,
  messages: $("#messages"), conversations: $("#conv-list") });
$("#new-conv").addEventListener("click", () => openConversation(null));

const RUN_EVENTS = [EV.agent_thinking, EV.tool_starting, EV.tool_progress, EV.tool_complete,
  EV.tool_error, EV.agent_token, EV.agent_done, EV.agent_error, EV.agent_cancelled];
for (const name of RUN_EVENTS) live.on(name, (e) => onRunEvent(name, e));
live.on(EV.message_created, onMessage);
live.on(EV.resync, async () => {
  await conversations.reload();
  if (current) openConversation(current);
});
live.onStatus(() => { notice.connection(live); updateComposer(); });
mountStatus(live);
live.start();
keepTimesFresh();
// Back to this tab: the list may have changed elsewhere (a rename, a delete, a new chat).
document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  conversations.reload().then(() => title.show(current, conversations.title(current)), () => {});
});

(async () => {
  try {
    await conversations.reload();
  } catch (error) {
    say(error.message);
  }
  const wanted = new URLSearchParams(location.search).get("c");
  await openConversation(wanted && conversations.has(wanted) ? wanted : conversations.newest());
  updateComposer();
})();

window.taskpulse = { live, runs, active, view, conversations };

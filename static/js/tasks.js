// The task board page: the server-rendered list, enhanced and kept live.
import { EV } from "/js/protocol.js";
import { Live } from "./live.js";
import { mountStatus } from "./status.js";
import { Board } from "./board.js";

const live = new Live();
const board = new Board(document.getElementById("board"), live.userId);
board.load(JSON.parse(document.getElementById("tasks-data").textContent));
mountStatus(live);
live.onStatus((status) => { if (status.state === "live") board.clearNetworkError(); });

live
  .on(EV.task_created, (e) => board.upsert(e.task, { highlight: true, remote: true }))
  .on(EV.task_updated, (e) => board.upsert(e.task, { highlight: true, remote: true }))
  .on(EV.task_deleted, (e) => board.remove(e.task_id, { remote: true }))
  .on(EV.resync, () => board.reload().catch((error) => board.showError(error.message)))
  .start();

window.taskpulse = { live, board };   // for the browser tests and the curious

// Connects to /chat with the official socket.io-client and prints what happens as JSON lines.
// Usage: node listen.mjs '{"url": "http://127.0.0.1:PORT", "auth": {"token": "..."},
//                          "transports": ["websocket"], "stream": 3, "timeoutMs": 10000}'
// Exits 0 after `stream` stream events (events with an id), 1 on connect_error or timeout.
import { io } from "socket.io-client";

const opts = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const socket = io(`${opts.url}/chat`, {
  auth: opts.auth,
  transports: opts.transports ?? ["polling", "websocket"],
  reconnection: false,
});
// The client's own view of its transport: it upgrades from long-polling by itself.
socket.io.on("open", () => {
  socket.io.engine.on("upgrade", (transport) => print({ type: "upgrade", transport: transport.name }));
});
let streamed = 0;
const timer = setTimeout(() => { print({ type: "timeout" }); socket.close(); process.exit(1); },
  opts.timeoutMs ?? 10000);

socket.on("connect_error", (err) => {
  print({ type: "connect_error", message: err.message, data: err.data ?? null });
  clearTimeout(timer);
  socket.close();
  process.exit(1);
});
socket.onAny((name, data) => {
  print({ type: "event", name, data });
  if (name === "connection_established") {
    socket.emit("ping", (ack) => print({ type: "ack", name: "ping", data: ack }));
  }
  if (data && data.id && ++streamed >= (opts.stream ?? 0)) {
    clearTimeout(timer);
    socket.close();
    process.exit(0);
  }
});

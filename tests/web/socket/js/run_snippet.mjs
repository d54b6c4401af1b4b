// Runs the JavaScript example of docs/realtime.md against a real server, unchanged except
// for its SERVER_URL and token lines. console.* output is printed as JSON lines.
// Usage: node run_snippet.mjs <docs/realtime.md> <server url> <token>
import { io } from "socket.io-client";
import fs from "node:fs";

const [docPath, url, token] = process.argv.slice(2);
const markdown = fs.readFileSync(docPath, "utf8");
const block = markdown.match(/```js\n([\s\S]*?)```/);
if (!block) throw new Error("no ```js block in " + docPath);
let code = block[1];
const swaps = [
  [/^import \{ io \} from "socket\.io-client";$/m, ""],
  [/^const SERVER_URL = .*$/m, `const SERVER_URL = ${JSON.stringify(url)};`],
  [/^let token = .*$/m, `let token = ${JSON.stringify(token)};`],
];
for (const [pattern, replacement] of swaps) {
  if (!pattern.test(code)) throw new Error("the snippet has no line matching " + pattern);
  code = code.replace(pattern, replacement);
}
const print = (...args) => process.stdout.write(JSON.stringify({ type: "log", args }) + "\n");
const shim = { log: print, error: print, warn: print, info: print };
const run = new Function("io", "console", code + "\nreturn socket;");
run(io, shim);
setTimeout(() => process.exit(0), 30000);   // the test kills it long before

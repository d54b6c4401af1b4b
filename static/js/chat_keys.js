// The chat page with the keyboard alone: a skip link to the message box (the page's first
// Tab stop), and the conversation list and the messages as one Tab stop each (arrow keys
// inside, see roving.js) — past answers' step toggles, Copy, Retry and Edit no longer
// stand between the top of the page and the message box.
import { RovingFocus } from "./roving.js";

/** Where "Skip to the message box" goes: the box, or Stop while a run keeps it disabled. */
export function focusComposer(input, stop) {
  if (!input.disabled) input.focus();
  else if (!stop.hidden) stop.focus();
  else input.closest("form")?.querySelector("button:not([disabled])")?.focus();
}

export function setUpKeyboard({ skip, input, stop, messages, conversations }) {
  skip?.addEventListener("click", (e) => {
    e.preventDefault();
    focusComposer(input, stop);
  });
  new RovingFocus(messages, {
    rows: "li.msg",
    hint: "messages-keys",
    // The newest message's first control: what one most often wants (Copy, Retry, Edit).
    preferred: (controls) => {
      const last = controls.at(-1).closest("li.msg");
      return controls.find((c) => c.closest("li.msg") === last);
    },
  });
  new RovingFocus(conversations, {
    rows: "li.conv",
    hint: "conv-keys",
    column: true,
    preferred: (controls) => controls.find((c) => c.getAttribute("aria-current") === "true"),
  });
}

// The message box: Enter sends, Shift+Enter adds a line, it grows with what is typed;
// a suggestion chip sends its words; Edit and Retry of the message actions fill or send
// from it.
// On a touch screen (no hover, a coarse pointer) there is no "Enter sends" hint: the
// on-screen keyboard's Enter adds a line there, and the Send button sends.
import { $ } from "./dom.js";

const MAX_HEIGHT_PX = 160;
const TOUCH = window.matchMedia("(hover: none) and (pointer: coarse)");
const KEYS_HINT = "Enter sends, Shift+Enter adds a line.";

export class Composer {
  /** send(text): the page's send; called with the trimmed text when the box is submitted. */
  constructor(form, { send }) {
    this.form = form;
    this.input = $("textarea", form);
    this.send = send;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (text && !this.input.disabled) this.send(text);
    });
    this.hint = document.getElementById(this.input.getAttribute("aria-describedby"));
    this.showHints();
    TOUCH.addEventListener("change", () => this.showHints());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !TOUCH.matches) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener("input", () => this.fit());
    for (const chip of document.querySelectorAll("[data-suggest]")) {   // as if typed and sent
      chip.addEventListener("click", () => {
        if (this.input.disabled) this.fill(chip.dataset.suggest);
        else this.send(chip.dataset.suggest);
      });
    }
  }

  get value() { return this.input.value; }

  /** "Enter sends" where Enter sends (a keyboard), nothing about it on a touch screen. */
  showHints() {
    const keys = !TOUCH.matches;
    this.input.placeholder = keys ? "Message (Enter sends)" : "Message";
    this.input.title = keys ? KEYS_HINT.replace(/\.$/, "") : "";
    this.input.enterKeyHint = keys ? "send" : "enter";
    if (this.hint) this.hint.textContent = keys ? KEYS_HINT : "";
  }

  fit() {
    const input = this.input;
    input.style.height = "";       // CSSOM, which the page's CSP allows (no style attribute)
    if (input.value) input.style.height = `${Math.min(input.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
  }

  clear() { this.input.value = ""; this.fit(); }

  /** Give words back after a failed send (unless something new was typed meanwhile). */
  giveBack(text) {
    if (!this.input.value) this.input.value = text;
    this.fit();
  }

  /** Put `text` in the box to change and send, the caret at its end. */
  fill(text) {
    this.input.value = text;
    this.fit();
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }
}

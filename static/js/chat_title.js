// The open conversation's title, and renaming it in place: "Rename" turns the heading into
// a field (Enter or Save keeps it, Escape or Cancel leaves it as it was).
import { $ } from "./dom.js";

const MAX_TITLE = 200;

export class ChatTitle {
  /** save(id, title) -> Promise<conversation>; the server's answer is what is shown. */
  constructor(root, { save }) {
    this.heading = $("#chat-title", root);
    this.button = $("#rename-conv", root);
    this.form = $("#rename-form", root);
    this.input = $("#rename-input", root);
    this.error = $("#rename-error", root);
    this.save = save;
    this.id = null;
    this.input.maxLength = MAX_TITLE;
    this.button.addEventListener("click", () => this.edit());
    $("#rename-cancel", root).addEventListener("click", () => this.close(true));
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    this.form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); this.close(true); }
    });
  }

  /** Show the title of conversation `id` (null: a new chat, nothing to rename). */
  show(id, title) {
    if (this.id !== id && !this.form.hidden) this.close(false);
    this.id = id;
    this.heading.textContent = id ? title : "New chat";
    this.button.hidden = !id || !this.form.hidden;
    this.button.setAttribute("aria-label", id ? `Rename conversation: ${title}` : "Rename");
  }

  edit() {
    if (!this.id) return;
    this.input.value = this.heading.textContent;
    this.setError("");
    this.form.hidden = false;
    this.heading.hidden = true;
    this.button.hidden = true;
    this.input.focus();
    this.input.select();
  }

  close(focusButton) {
    this.form.hidden = true;
    this.heading.hidden = false;
    this.button.hidden = !this.id;
    this.setError("");
    if (focusButton && this.id) this.button.focus();
  }

  setError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
    if (text) this.input.setAttribute("aria-invalid", "true");
    else this.input.removeAttribute("aria-invalid");
  }

  async submit() {
    const title = this.input.value.trim();
    if (!title) { this.setError("Give the conversation a title."); this.input.focus(); return; }
    if (title === this.heading.textContent) { this.close(true); return; }
    const id = this.id;
    const buttons = this.form.querySelectorAll("button");
    for (const b of buttons) b.disabled = true;
    try {
      const conversation = await this.save(id, title);
      if (this.id !== id) return;
      this.show(id, conversation.title);
      this.close(true);
    } catch (error) {
      if (this.id === id) {
        this.setError(error.fields?.title || error.message || "The title could not be saved.");
        this.input.focus();
      }
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }
}

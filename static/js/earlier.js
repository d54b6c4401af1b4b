// "Load earlier messages": pages back through a conversation, keeping the reader's place.
// The messages API answers the newest page first and says when older ones exist
// (`has_more`, `next_before`); each click asks for the page before the oldest shown.

const LABEL = "Load earlier messages";

export class EarlierMessages {
  constructor(button, view, { fetchPage, runsOf, announce, error }) {
    this.button = button;
    this.view = view;
    this.fetchPage = fetchPage;   // (conversation id, before) -> Promise<messages page>
    this.runsOf = runsOf;         // conversation id -> Map(run id -> RunView)
    this.announce = announce;
    this.error = error;
    this.id = null;
    this.cursor = null;
    this.generation = 0;
    button.addEventListener("click", () => this.load());
  }

  /** A conversation was (re)loaded: older pages start at `cursor` (null: none). */
  reset(conversationId, cursor = null) {
    this.generation += 1;
    this.id = conversationId;
    this.cursor = cursor || null;
    this.button.hidden = !this.cursor;
    this.button.disabled = false;
    this.button.textContent = LABEL;
  }

  async load() {
    if (!this.id || !this.cursor || this.button.disabled) return;
    const generation = this.generation;
    this.button.disabled = true;
    this.button.textContent = "Loading…";
    try {
      const page = await this.fetchPage(this.id, this.cursor);
      if (generation !== this.generation) return;      // switched or reloaded meanwhile
      const more = page.has_more ? page.next_before : null;
      const added = this.view.keepPlace(() => {
        const items = this.view.prepend(page.messages || [], this.runsOf(this.id));
        if (!more && items.length) {                   // the control goes: focus what came
          items[0].tabIndex = -1;
          items[0].focus({ preventScroll: true });
        }
        this.reset(this.id, more);
        return items;
      });
      const n = added.length;
      this.announce(`Loaded ${n} earlier message${n === 1 ? "" : "s"}`
        + (more ? "." : ". This is the start of the conversation."));
    } catch (error) {
      if (generation !== this.generation) return;
      this.button.disabled = false;
      this.button.textContent = LABEL;
      this.error(error.message);
    }
  }
}

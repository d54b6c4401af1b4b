// The task board: its tasks (loaded, reloaded, kept live), filters, adding, inline edit.
import { el, flash, announce } from "./dom.js";
import { api, ApiError } from "./api.js";
import { UndoToast } from "./undo.js";
import { FILTER_TEST, EMPTY_TEXT, byDueThenNewest, taskRow, editForm } from "./board_rows.js";

const TIME_NEEDS_DATE = "Pick a due date for this time.";

export class Board {
  constructor(root, userId) {
    this.root = root;
    this.base = `/api/${encodeURIComponent(userId)}/tasks`;
    this.list = root.querySelector("#task-list");
    this.empty = root.querySelector("#task-empty");
    this.counts = root.querySelector("#task-counts");
    this.liveRegion = root.querySelector("#board-live");
    this.addForm = root.querySelector("#add-form");
    this.error = el("p", { class: "form-error", attrs: { role: "alert" }, hidden: true });
    this.addForm.after(this.error);
    this.status = FILTER_TEST[root.dataset.status] ? root.dataset.status : "all";
    this.tasks = new Map();
    this.deleted = new Set();
    this.changedDuringReload = null;
    this.editing = new Set();
    this.undo = new UndoToast(root, { restore: (task) => this.restore(task),
                                      failed: (error) => this.showError(error),
                                      fallback: () => this.addForm.elements.title });
    this.wireFilters();
    this.addForm.addEventListener("submit", (e) => { e.preventDefault(); this.add(); });
  }

  // ---- data -----------------------------------------------------------------------

  load(tasks) {
    this.tasks = new Map(tasks.map((t) => [t.id, t]));
    this.renderAll();
  }

  /** Reload over HTTP (after a resync). Live changes that land while the request is in
   *  flight are newer than its snapshot: they are kept on top of it, never wiped out. */
  async reload() {
    const during = this.changedDuringReload = new Map();   // id -> task, or null if deleted
    try {
      const data = await api("GET", `${this.base}?status=all&limit=500`);
      const tasks = new Map(data.tasks.map((t) => [t.id, t]));
      for (const [id, task] of during) {
        const snap = tasks.get(id);
        if (task === null) tasks.delete(id);
        else if (!snap || snap.updated_at < task.updated_at) tasks.set(id, task);
      }
      for (const id of this.deleted) tasks.delete(id);
      this.tasks = tasks;
      this.renderAll();
    } finally {
      if (this.changedDuringReload === during) this.changedDuringReload = null;
    }
  }

  /** Apply a task from the API or an event; older versions never overwrite newer ones. */
  upsert(task, { highlight = false, remote = false } = {}) {
    if (this.deleted.has(task.id)) return;
    const known = this.tasks.get(task.id);
    if (known && known.updated_at >= task.updated_at) return;   // applied already, or older
    this.tasks.set(task.id, task);
    if (this.changedDuringReload) this.changedDuringReload.set(task.id, task);
    this.place(task, highlight);
    this.refreshCounts();
    if (remote) announce(this.liveRegion, known ? `Task updated: ${task.title}` : `Task added: ${task.title}`);
  }

  remove(taskId, { remote = false } = {}) {
    const task = this.tasks.get(taskId);
    this.deleted.add(taskId);
    this.tasks.delete(taskId);
    if (this.changedDuringReload) this.changedDuringReload.set(taskId, null);
    this.editing.delete(taskId);
    const row = this.row(taskId);
    if (row) {
      row.classList.add("is-removing");
      setTimeout(() => { row.remove(); this.refreshCounts(); }, 200);
    }
    this.refreshCounts();
    if (remote && task) announce(this.liveRegion, `Task deleted: ${task.title}`);
  }

  // ---- rendering ------------------------------------------------------------------

  row(taskId) { return this.list.querySelector(`li[data-id="${CSS.escape(taskId)}"]`); }

  visible() {
    return [...this.tasks.values()].filter(FILTER_TEST[this.status]).sort(byDueThenNewest);
  }

  renderAll() {
    this.list.replaceChildren(...this.visible().map((t) => this.renderRow(t)));
    this.refreshCounts();
  }

  /** Insert, replace or drop one row, keeping the list order. */
  place(task, highlight) {
    const old = this.row(task.id);
    if (!FILTER_TEST[this.status](task)) { if (old) old.remove(); return; }
    if (old && this.editing.has(task.id)) return;   // never clobber an open editor
    const row = this.renderRow(task);
    const order = this.visible();
    const next = order[order.findIndex((t) => t.id === task.id) + 1];
    const anchor = next ? this.row(next.id) : null;
    if (old) old.remove();
    this.list.insertBefore(row, anchor && anchor !== old ? anchor : null);
    if (highlight) flash(row);
  }

  refreshCounts() {
    let done = 0;
    for (const t of this.tasks.values()) if (t.completed) done += 1;
    this.counts.textContent = `${this.tasks.size - done} open · ${done} done`;
    const shown = this.list.querySelectorAll("li.task:not(.is-removing)").length;
    this.empty.hidden = shown > 0;
    if (this.empty.dataset.status !== this.status) {
      this.empty.dataset.status = this.status;
      this.empty.replaceChildren(...EMPTY_TEXT[this.status]());
    }
  }

  renderRow(task) {
    return taskRow(task, { toggle: (check) => this.toggle(task.id, check),
                           edit: () => this.startEdit(task.id),
                           destroy: (byKeyboard) => this.destroy(task.id, byKeyboard) });
  }

  // ---- actions --------------------------------------------------------------------

  /** Show an error under the add form (a message, or an error: network ones clear on reconnect). */
  showError(error) {
    const message = typeof error === "string" ? error : error.message;
    this.error.textContent = message;
    this.error.hidden = !message;
    this.error.dataset.kind = error instanceof ApiError && error.code === "network" ? "network" : "";
  }

  /** The connection is back: an "offline" error is no longer true. */
  clearNetworkError() {
    if (this.error.dataset.kind === "network") this.showError("");
  }

  async add() {
    const form = this.addForm;
    const title = form.elements.title.value.trim();
    const body = { title, priority: form.elements.priority.value || "medium",
                   description: form.elements.description.value,
                   due_date: form.elements.due_date.value || null,
                   due_time: form.elements.due_time.value || null };
    this.setFieldErrors(form, {});
    if (!title) { this.setFieldErrors(form, { title: "Give the task a title." }); return; }
    if (body.due_time && !body.due_date) {
      form.querySelector("details.more").open = true;
      this.setFieldErrors(form, { due_time: TIME_NEEDS_DATE });
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = await api("POST", this.base, body);
      this.showError("");
      form.reset();
      this.upsert(data.task, { highlight: true });
      form.elements.title.focus();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) this.setFieldErrors(form, error.fields);
      else this.showError(error);
    } finally {
      button.disabled = false;
    }
  }

  setFieldErrors(form, errors) {
    for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      const message = errors[input.name] || "";
      const field = input.closest(".field");
      let note = field && field.querySelector(".field-error");
      if (field && !note && message) { note = el("p", { class: "field-error" }); field.append(note); }
      if (note) { note.textContent = message; note.hidden = !message; if (!note.id) note.id = `${input.id}-error`; }
      field && field.classList.toggle("has-error", Boolean(message));
      if (message) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", note.id); }
      else { input.removeAttribute("aria-invalid"); }
    }
    const first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  async toggle(taskId, button) {
    const task = this.tasks.get(taskId);
    if (!task) return;
    button.disabled = true;
    try {
      const data = await api("PATCH", `${this.base}/${taskId}/complete`, { completed: !task.completed });
      this.showError("");
      this.upsert(data.task);
      const again = this.row(taskId);
      if (again) again.querySelector(".check").focus();
    } catch (error) {
      this.showError(error);
      button.disabled = false;
    }
  }

  async destroy(taskId, byKeyboard = false) {
    const row = this.row(taskId);
    const next = row && (row.nextElementSibling || row.previousElementSibling);
    try {
      const data = await api("DELETE", `${this.base}/${taskId}`);
      this.showError("");
      this.remove(taskId);
      const after = next ? next.querySelector(".check") : this.addForm.elements.title;
      this.undo.offer(data.task, after);
      // From the keyboard, Undo is the next thing in reach; a mouse user stays in the list.
      (byKeyboard ? this.undo.button : after).focus();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.remove(taskId);
      else this.showError(error);
    }
  }

  /** Undo (from the toast): create the deleted task again; the focus goes to its row. */
  async restore(task) {
    const { title, description, due_date, due_time, priority, completed } = task;
    const data = await api("POST", this.base, { title, description, due_date, due_time: due_time ?? null,
                                                priority, completed });
    this.showError("");
    this.upsert(data.task, { highlight: true });
    announce(this.liveRegion, `Task restored: ${title}`);
    return this.row(data.task.id)?.querySelector(".check");
  }

  startEdit(taskId) {
    const task = this.tasks.get(taskId);
    const row = this.row(taskId);
    if (!task || !row || this.editing.has(taskId)) return;
    this.editing.add(taskId);
    const { form, title } = editForm(task, { save: (form, note) => this.saveEdit(taskId, form, note),
                                             cancel: () => this.endEdit(taskId) });
    row.querySelector(".task-body").replaceChildren(form);
    row.querySelector(".task-actions").hidden = true;
    title.focus();
    title.select();
  }

  endEdit(taskId) {
    this.editing.delete(taskId);
    const task = this.tasks.get(taskId);
    const old = this.row(taskId);
    if (!task || !old) return;
    const row = this.renderRow(task);
    old.replaceWith(row);
    row.querySelector(".task-actions .btn").focus();
  }

  async saveEdit(taskId, form, note) {
    const { title, due_date: due, due_time: time, priority, description } = form.elements;
    const body = { title: title.value.trim(), due_date: due.value || null, due_time: time.value || null,
                   priority: priority.value, description: description.value };
    if (!body.title) { note.textContent = "Give the task a title."; note.hidden = false; title.focus(); return; }
    if (body.due_time && !body.due_date) {
      note.textContent = TIME_NEEDS_DATE; note.hidden = false; due.focus(); return;
    }
    try {
      const data = await api("PATCH", `${this.base}/${taskId}`, body);
      this.editing.delete(taskId);
      this.upsert(data.task);
      // The live event may have come first (while the editor was open): show the newest.
      if (this.tasks.has(taskId)) this.place(this.tasks.get(taskId), true);
      const row = this.row(taskId);
      if (row) row.querySelector(".task-actions .btn").focus();
    } catch (error) {
      note.textContent = error.message;
      note.hidden = false;
    }
  }

  wireFilters() {
    const nav = this.root.querySelector(".filters");
    nav.addEventListener("click", (e) => {
      const link = e.target.closest("a[data-filter]");
      if (!link) return;
      e.preventDefault();
      this.status = link.dataset.filter;
      for (const a of nav.querySelectorAll("a[data-filter]")) {
        if (a === link) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
      }
      history.replaceState(null, "", link.getAttribute("href"));
      this.renderAll();
    });
  }
}

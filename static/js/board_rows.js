// What the board shows: filters, order, due labels, one task's row and its inline editor.
// Pure DOM building; the Board (board.js) owns the tasks and passes in what clicks do.
import { el } from "./dom.js";

export const FILTER_TEST = {
  all: () => true,
  pending: (t) => !t.completed,
  completed: (t) => t.completed,
};
export const EMPTY_TEXT = {
  all: () => ["No tasks yet. Add one above, or ", el("a", { href: "/chat", text: "ask the assistant" }), "."],
  pending: () => ["Nothing open. Nice."],
  completed: () => ["Nothing done yet."],
};
const PRIORITIES = ["low", "medium", "high"];
const DAY_MS = 86_400_000;

/** "Due tomorrow", "Due Fri", "Overdue · Nov 20" (the same words as web/pages_tasks.py). */
export function dueLabel(due, completed, today = new Date()) {
  if (!due) return null;
  const [y, m, d] = due.split("-").map(Number);
  const day = new Date(y, m - 1, d);
  const delta = Math.round((day - new Date(today.getFullYear(), today.getMonth(), today.getDate())) / DAY_MS);
  let when;
  if (delta >= -1 && delta <= 1) when = ["yesterday", "today", "tomorrow"][delta + 1];
  else if (delta > 1 && delta < 7) when = day.toLocaleDateString("en-US", { weekday: "short" });
  else when = day.toLocaleDateString("en-US", { month: "short", day: "numeric" })
    + (y !== today.getFullYear() ? `, ${y}` : "");
  const overdue = delta < 0 && !completed;
  return { text: overdue ? `Overdue · ${when}` : `Due ${when}`, overdue, iso: due };
}

export function byDueThenNewest(a, b) {
  if (a.due_date !== b.due_date) {
    if (!a.due_date) return 1;
    if (!b.due_date) return -1;
    return a.due_date < b.due_date ? -1 : 1;
  }
  const [at, bt] = [a.due_time || "24:00", b.due_time || "24:00"];   // no time: last that day
  if (a.due_date && at !== bt) return at < bt ? -1 : 1;
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0;
}

/** A task's row; on: {toggle(checkButton), edit(), destroy(byKeyboard)}. */
export function taskRow(task, on) {
  const row = el("li", { class: "task" + (task.completed ? " is-done" : ""),
                         id: `task-${task.id}`, data: { id: task.id } });
  const check = el("button", {
    type: "button", class: "check", text: "✓",
    attrs: { "aria-pressed": String(task.completed),
             "aria-label": `${task.completed ? "Reopen" : "Complete"} ${task.title}` },
    on: { click: () => on.toggle(check) },
  });
  const due = dueLabel(task.due_date, task.completed);
  const meta = el("span", { class: "task-meta" },
    due ? el("time", { class: "due" + (due.overdue ? " is-overdue" : ""),
                       text: due.text + (task.due_time ? ` at ${task.due_time}` : ""),
                       title: due.iso + (task.due_time ? ` ${task.due_time}` : ""),
                       attrs: { datetime: due.iso + (task.due_time ? `T${task.due_time}` : "") } }) : null,
    el("span", { class: `prio prio-${task.priority}`, text: task.priority }));
  const body = el("div", { class: "task-body" },
    el("span", { class: "task-title", text: task.title }), meta,
    task.description ? el("p", { class: "task-desc", text: task.description }) : null);
  const actions = el("div", { class: "task-actions" },
    el("button", { type: "button", class: "btn btn-quiet", text: "Edit",
                   attrs: { "aria-label": `Edit ${task.title}` },
                   on: { click: () => on.edit() } }),
    el("button", { type: "button", class: "btn btn-quiet btn-danger", text: "Delete",
                   attrs: { "aria-label": `Delete ${task.title}` },
                   // detail 0: pressed with the keyboard (Enter/Space), not clicked
                   on: { click: (e) => on.destroy(e.detail === 0) } }));
  row.append(check, body, actions);
  row.addEventListener("dblclick", (e) => {
    if (e.target.closest(".task-title")) on.edit();
  });
  return row;
}

/** The inline editor of a task; on: {save(form, note), cancel()}. Returns {form, title}. */
export function editForm(task, on) {
  const title = el("input", { name: "title", value: task.title, maxLength: 255, attrs: { "aria-label": "Title" } });
  const due = el("input", { name: "due_date", type: "date", value: task.due_date || "",
                            attrs: { "aria-label": "Due date" } });
  const time = el("input", { name: "due_time", type: "time", value: task.due_time || "",
                             attrs: { "aria-label": "Due time (optional)" } });
  const priority = el("select", { name: "priority", attrs: { "aria-label": "Priority" } },
    PRIORITIES.map((p) => el("option", { value: p, text: p[0].toUpperCase() + p.slice(1), selected: p === task.priority })));
  const description = el("textarea", { name: "description", value: task.description || "", rows: 2,
                                       maxLength: 2000, placeholder: "Notes",
                                       attrs: { "aria-label": "Notes" } });
  const note = el("p", { class: "field-error", hidden: true, attrs: { role: "alert" } });
  const form = el("form", { class: "inline-edit", novalidate: true }, title, due, time, priority, description,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "btn btn-primary", text: "Save" }),
      el("button", { type: "button", class: "btn", text: "Cancel", on: { click: () => on.cancel() } })),
    note);
  form.addEventListener("submit", (e) => { e.preventDefault(); on.save(form, note); });
  form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); on.cancel(); } });
  return { form, title };
}

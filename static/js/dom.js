// Tiny DOM helpers. Text is always set with textContent: user and model text is never HTML.

/** el("li", {class: "x", data: {id}, attrs: {"aria-label": "y"}, on: {click}}, child, "text") */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "data") Object.assign(node.dataset, value);
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(a, v === true ? "" : String(v));
    }
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;   // properties: type, value, hidden, disabled, ...
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function meta(name) {
  const node = document.querySelector(`meta[name="${name}"]`);
  return node ? node.content : "";
}

/** Restart a CSS highlight animation on a node (a subtle "this just changed"). */
export function flash(node, className = "is-flash", ms = 1800) {
  node.classList.remove(className);
  void node.offsetWidth;   // restart the animation
  node.classList.add(className);
  clearTimeout(node._flashTimer);
  node._flashTimer = setTimeout(() => node.classList.remove(className), ms);
}

/** Polite announcement for screen readers through a visually hidden live region. */
export function announce(region, text) {
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 30);
}

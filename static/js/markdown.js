// The assistant's Markdown as HTML: marked parses, DOMPurify sanitises (both from npm,
// vendored at set-up). Only assistant text goes through here; user text stays plain text.
//
// - Raw HTML in a reply is shown as text, never as markup (a task titled "<b>x</b>" reads
//   as typed), and the sanitiser removes anything that would still run or load.
// - Links open in a new tab with rel="noopener noreferrer"; only http(s) and mailto.
// - Images become links (the CSP loads images from this site only).
// - Headings start at h3, under the page's own h1 / h2.
// - No inline style or script is ever produced, so the page's strict CSP holds.
import { Marked } from "/static/vendor/marked.esm.js";
import DOMPurify from "/static/vendor/purify.es.js";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
const SAFE_URL = /^(?:https?:|mailto:)/i;

const marked = new Marked({
  gfm: true,
  breaks: true,                    // a chat answer's single newlines are line breaks
  async: false,
  renderer: {
    html({ text }) { return escapeHtml(text); },
    heading({ tokens, depth }) {
      const level = Math.min(6, depth + 2);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    image({ href, text }) {
      if (!href || !SAFE_URL.test(href)) return escapeHtml(text || "");
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

const purify = DOMPurify(window);
const CONFIG = {
  ALLOWED_TAGS: ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol",
    "li", "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "input"],
  ALLOWED_ATTR: ["href", "title", "start", "align", "type", "checked", "disabled"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  RETURN_DOM_FRAGMENT: true,
};

purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName === "A") {
    if (!node.getAttribute("href")) { node.removeAttribute("title"); return; }
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
  if (node.nodeName === "INPUT") {           // only marked's GFM task-list boxes: read-only
    node.setAttribute("type", "checkbox");
    node.setAttribute("disabled", "");
  }
});

/** Markdown source -> a sanitised DocumentFragment. */
export function markdownFragment(source) {
  const html = marked.parse(String(source || "")).trim();   // no stray newline around it
  return purify.sanitize(html, CONFIG);
}

/** Show `source` as Markdown in `node` (no work when it is what the node shows already). */
export function renderMarkdown(node, source) {
  const text = String(source || "");
  if (node.markdownSource === text) return;
  node.markdownSource = text;
  node.classList.add("md");
  node.replaceChildren(markdownFragment(text));
}

/** The Markdown a node shows (what "Copy" copies), or its text. */
export function sourceOf(node) {
  return typeof node.markdownSource === "string" ? node.markdownSource : node.textContent;
}

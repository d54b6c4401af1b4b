// Injected into every test page: records each progress-row state and each reply text as the
// page shows them, so a test can check the order in which things appeared.
(() => {
  const tp = (window.__tp = { steps: [], texts: [] });
  const lastStep = new WeakMap();
  const lastText = new WeakMap();
  function visit(node) {
    if (!node || node.nodeType !== 1) return;
    const rows = node.matches("li.step") ? [node] : node.querySelectorAll("li.step");
    for (const row of rows) {
      const text = row.querySelector(".step-text");
      const badge = row.querySelector(".badge");
      const entry = `${row.dataset.kind}:${text ? text.textContent : ""}${badge ? " #" + badge.textContent : ""}`;
      if (row.dataset.kind && lastStep.get(row) !== entry) { lastStep.set(row, entry); tp.steps.push(entry); }
    }
    const bubbles = node.matches(".msg-assistant .bubble") ? [node] : node.querySelectorAll(".msg-assistant .bubble");
    for (const bubble of bubbles) {
      const text = bubble.textContent;
      if (text && lastText.get(bubble) !== text) { lastText.set(bubble, text); tp.texts.push(text); }
    }
  }
  const start = () => new MutationObserver((records) => {
    for (const r of records) {
      visit(r.target.nodeType === 1 ? r.target : r.target.parentElement);
      for (const n of r.addedNodes) visit(n);
    }
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true,
                                          attributes: true, attributeFilter: ["data-kind"] });
  if (document.documentElement) start(); else document.addEventListener("DOMContentLoaded", start);
})();

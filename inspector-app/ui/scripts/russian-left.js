// Returns the visible texts with Cyrillic letters that are not data marked lang="ru" (names,
// addresses, checklist wording, notes: what the agency or the inspector wrote). Run in the page
// on an English screen: every other Russian word there is a missing translation. Used by the
// preview script and the end-to-end test (inspector-app/e2e).
(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (!/[А-Яа-яЁё]/.test(text)) continue;
    const el = n.parentElement;
    if (!el || el.closest('[lang="ru"]')) continue;
    if (el.closest("script, style, [hidden], [aria-hidden='true']")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    out.push(text.slice(0, 80));
  }
  // Attribute texts a person meets (placeholders, labels read aloud, alt).
  for (const el of document.querySelectorAll("[placeholder], [aria-label], img[alt]")) {
    if (el.closest('[lang="ru"]')) continue;
    for (const a of ["placeholder", "aria-label", "alt"]) {
      const v = el.getAttribute(a);
      if (v && /[А-Яа-яЁё]/.test(v)) out.push(`@${a}: ${v.slice(0, 80)}`);
    }
  }
  return [...new Set(out)];
})()

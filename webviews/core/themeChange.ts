// The one watcher of theme changes in a webview page (VS Code's body classes and variables,
// data-empathy-theme, the OS colour scheme): heatmap tints and plot colours repaint through it.
/**
 * Call `repaint` (once per frame at most) whenever the theme may have changed: VS Code's body classes and
 * variables, data-empathy-theme, the OS colour scheme. One observer per document and callback.
 */
export function onThemeChange(repaint: (doc: Document) => void, doc: Document = document): void {
  if (typeof MutationObserver === 'undefined') return;
  let pending = false;
  const run = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; repaint(doc); });
  };
  const mo = new MutationObserver(run);
  mo.observe(doc.documentElement, { attributes: true, attributeFilter: ['data-empathy-theme', 'class', 'style'] });
  if (doc.body) mo.observe(doc.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', run);
}

// The small HTML vocabulary the static fallbacks share: escaped text, inline-styled tables and a
// caption. Inline styles only: Jupyter front ends and GitHub load no stylesheet for an output.
import { escapeHtml } from '../markdown';

export { escapeHtml };
export const CELL = 'padding:2px 8px;border:1px solid #ccc;text-align:right';
export const HEAD = 'padding:2px 8px;border:1px solid #ccc;background-color:#f3f3f3';

/** A table with a header row; `cells` are already HTML. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, cls: string): string {
  const th = header.map((h) => `<th style="${HEAD}">${h}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td style="${CELL}">${c}</td>`).join('')}</tr>`).join('');
  return `<table class="${cls}" style="border-collapse:collapse;margin:4px 0">${th ? `<tr>${th}</tr>` : ''}${tr}</table>`;
}

export function caption(text: string): string {
  return `<div style="font-weight:600;margin:6px 0 2px">${escapeHtml(text)}</div>`;
}

export function warnings(list: readonly string[] | undefined): string {
  return (list ?? []).map((w) => `<div class="ew-warning" style="color:#a15c00">⚠ ${escapeHtml(w)}</div>`).join('');
}

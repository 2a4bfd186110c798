// Renderer for application/vnd.empathy.metrics+json: metrics × series table, best value per row in bold.
import type { MetricsPayload } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { fmt } from '../core/format';

export function validateMetrics(p: unknown): MetricsPayload {
  const c = new Checker(MIME.metrics);
  const o = c.payload(p, 1);
  const cols = c.arr(c.has(o, 'columns', ''), 'columns').map((x, i) => c.str(x, `columns[${i}]`));
  c.arr(c.has(o, 'rows', ''), 'rows').forEach((r, i) => {
    const ro = c.obj(r, `rows[${i}]`);
    c.str(c.has(ro, 'name', `rows[${i}]`), `rows[${i}].name`);
    const vals = c.arr(c.has(ro, 'values', `rows[${i}]`), `rows[${i}].values`);
    if (vals.length !== cols.length) c.fail(`rows[${i}].values`, `has ${vals.length} values for ${cols.length} columns`);
    vals.forEach((v, j) => c.numOrNull(v, `rows[${i}].values[${j}]`));
  });
  if (o.title !== undefined) c.str(o.title, 'title');
  if (o.warnings !== undefined) c.arr(o.warnings, 'warnings').forEach((w, i) => c.str(w, `warnings[${i}]`));
  return o as unknown as MetricsPayload;
}

/** Lower is better for losses and errors; higher for everything else. */
export function lowerIsBetter(name: string): boolean {
  return /loss|error|perplexity|mse|mae|time|ms\b/i.test(name);
}

export const render = guarded('metrics', (el, payload) => {
  const p = validateMetrics(payload);
  clear(el);
  if (p.title) el.appendChild(h('div', { class: 'ew-title' }, p.title));
  for (const w of p.warnings ?? []) el.appendChild(h('div', { class: 'ew-warning', role: 'note' }, `⚠ ${w}`));
  const table = h('table', { class: 'ew-table ew-metrics' },
    h('thead', null, h('tr', null, h('th', null, 'metric'), ...p.columns.map((c) => h('th', { class: 'ew-num' }, c)))));
  const tbody = h('tbody');
  for (const r of p.rows) {
    const finite = r.values.filter((v): v is number => v !== null && Number.isFinite(v));
    const best = finite.length > 1 ? (lowerIsBetter(r.name) ? Math.min(...finite) : Math.max(...finite)) : undefined;
    tbody.appendChild(h('tr', null,
      h('td', { title: r.note ?? null }, r.name, r.note ? h('span', { class: 'ew-muted' }, ` — ${r.note}`) : null),
      ...r.values.map((v) => h('td', { class: `ew-num${v !== null && v === best ? ' ew-best' : ''}` }, fmt(v)))));
  }
  table.appendChild(tbody);
  el.appendChild(table);
});

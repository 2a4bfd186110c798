// Renderer for application/vnd.empathy.table+json: a generic sortable, paged table (DataFrames, records).
import type { TablePayload } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { ellipsis, fmt } from '../core/format';
import { DataTable, type Column } from '../components/dataTable';

type Cell = string | number | boolean | null;

export function validateTable(p: unknown): TablePayload {
  const c = new Checker(MIME.table);
  const o = c.payload(p, 1);
  const cols = c.arr(c.has(o, 'columns', ''), 'columns');
  cols.forEach((x, i) => c.str(x, `columns[${i}]`));
  c.arr(c.has(o, 'rows', ''), 'rows').forEach((r, i) => {
    const row = c.arr(r, `rows[${i}]`);
    if (row.length !== cols.length) c.fail(`rows[${i}]`, `has ${row.length} cells for ${cols.length} columns`);
    row.forEach((v, j) => {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') c.fail(`rows[${i}][${j}]`, 'expected a string, number, boolean or null');
    });
  });
  if (o.totalRows !== undefined) c.num(o.totalRows, 'totalRows');
  return o as unknown as TablePayload;
}

export const render = guarded('table', (el, payload) => {
  const p = validateTable(payload);
  clear(el);
  const numeric = p.columns.map((_, j) => p.rows.length > 0 && p.rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  const columns: Array<Column<Cell[]>> = p.columns.map((name, j) => ({
    key: String(j), label: name, numeric: numeric[j],
    sortValue: (r) => (r[j] === null ? null : typeof r[j] === 'boolean' ? Number(r[j]) : (r[j] as string | number)),
    cell: (r) => (r[j] === null ? '–' : typeof r[j] === 'number' ? fmt(r[j] as number) : ellipsis(String(r[j]), 200)),
  }));
  const t = new DataTable(columns, { pageSize: 25 });
  t.setRows(p.rows);
  el.appendChild(t.el);
  if (p.totalRows !== undefined && p.totalRows > p.rows.length) {
    el.appendChild(h('div', { class: 'ew-muted' }, `Showing the first ${p.rows.length.toLocaleString('en-US')} of ${p.totalRows.toLocaleString('en-US')} rows.`));
  }
});

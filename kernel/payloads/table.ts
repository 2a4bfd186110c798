// Tables: the table payload (and its text fallback) from danfojs DataFrames, arrays of records,
// arrays of arrays with columns, or an existing TablePayload.
import type { TablePayload } from '../protocol/mime';

type Cell = string | number | boolean | null;

export interface TableOptions {
  /** Rows kept in the payload (default 500); `totalRows` records the real count. */
  maxRows?: number;
  /** Only accept unambiguous table shapes (used when auto-displaying a cell's value). */
  strict?: boolean;
  columns?: string[];
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

interface DataFrameLike { columns: string[]; values: unknown[][]; shape?: number[]; constructor: { name: string } }

function isDataFrame(v: unknown): v is DataFrameLike {
  return typeof v === 'object' && v !== null && (v as object).constructor?.name === 'DataFrame' &&
    Array.isArray((v as DataFrameLike).columns) && Array.isArray((v as DataFrameLike).values);
}

function isSeries(v: unknown): v is { values: unknown[]; index: unknown[]; columns?: string[] } {
  return typeof v === 'object' && v !== null && (v as object).constructor?.name === 'Series' && Array.isArray((v as { values?: unknown }).values);
}

/** Render a table payload as aligned text (the text/plain fallback). */
export function tableText(p: TablePayload, maxRows = 30): string {
  const rows = p.rows.slice(0, maxRows).map((r) => r.map((c) => {
    const s = c === null ? '' : String(c);
    return s.length > 40 ? s.slice(0, 39) + '…' : s;
  }));
  const widths = p.columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const total = p.totalRows ?? p.rows.length;
  const out = [line(p.columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (total > rows.length) out.push(`… ${total - rows.length} more rows (${total} total)`);
  return out.join('\n');
}

/** Build a table from a value, or undefined when it is not table-shaped. */
export function tableFromValue(value: unknown, opts: TableOptions = {}): { payload: TablePayload; text: string } | undefined {
  const maxRows = opts.maxRows ?? 500;
  let columns: string[];
  let rows: Cell[][];
  let total: number;
  if (isDataFrame(value)) {
    columns = value.columns.map(String);
    total = value.values.length;
    rows = value.values.slice(0, maxRows).map((r) => r.map(cell));
  } else if (isSeries(value)) {
    columns = ['index', ...(value.columns ?? ['value'])];
    total = value.values.length;
    rows = value.values.slice(0, maxRows).map((v, i) => [cell(value.index[i]), cell(v)]);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as TablePayload).v === 1 &&
    Array.isArray((value as TablePayload).columns) && Array.isArray((value as TablePayload).rows)) {
    const p = value as TablePayload;
    return { payload: p, text: tableText(p) };
  } else if (Array.isArray(value) && value.length > 0 && value.every(isPlainRecord)) {
    const keys: string[] = opts.columns ? [...opts.columns] : [];
    if (!opts.columns) for (const r of value) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
    if (opts.strict && (keys.length > 50 || value.some((r) => Object.values(r).some((x) => typeof x === 'object' && x !== null)))) return undefined;
    columns = keys;
    total = value.length;
    rows = value.slice(0, maxRows).map((r) => keys.map((k) => cell(r[k])));
  } else if (!opts.strict && Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    const width = Math.max(...value.map((r) => (r as unknown[]).length));
    columns = opts.columns ?? Array.from({ length: width }, (_, i) => String(i));
    total = value.length;
    rows = value.slice(0, maxRows).map((r) => columns.map((_, i) => cell((r as unknown[])[i])));
  } else return undefined;
  const payload: TablePayload = { v: 1, columns, rows, ...(total > rows.length ? { totalRows: total } : {}) };
  return { payload, text: tableText(payload) };
}

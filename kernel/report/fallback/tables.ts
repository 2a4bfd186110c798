// The tabular outputs as static HTML tables: metrics (series × metrics), generic tables, run
// comparisons and dataset rows (capped; the count says so), in the renderers' number format.
import { LEVEL_NAMES, MECHANISMS, type DatasetPayload, type MetricsPayload, type RunsPayload, type TablePayload } from '../../protocol/mime';
import { fmt } from '../../protocol/numberFormat';
import { caption, escapeHtml, table, warnings } from './html';

const DATASET_ROWS = 50;
const cell = (v: string | number | boolean | null) => (typeof v === 'number' ? fmt(v) : v === null ? '–' : escapeHtml(String(v)));

export function metricsHtml(p: MetricsPayload): string {
  const rows = p.rows.map((r) => [escapeHtml(r.name), ...r.values.map(cell), ...(p.rows.some((x) => x.note) ? [escapeHtml(r.note ?? '')] : [])]);
  const header = ['', ...p.columns.map(escapeHtml), ...(p.rows.some((x) => x.note) ? ['note'] : [])];
  return `<div class="empathy-fallback">${p.title ? caption(p.title) : ''}${warnings(p.warnings)}${table(header, rows, 'ew-metrics')}</div>`;
}

export function tableHtml(p: TablePayload): string {
  const more = p.totalRows !== undefined && p.totalRows > p.rows.length ? `<div>${p.rows.length} of ${p.totalRows} rows</div>` : '';
  return `<div class="empathy-fallback">${table(p.columns.map(escapeHtml), p.rows.map((r) => r.map(cell)), 'ew-table')}${more}</div>`;
}

export function runsHtml(p: RunsPayload): string {
  const metrics = [...new Set(p.runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const rows = p.runs.map((r) => [escapeHtml(r.label), escapeHtml(r.id), ...metrics.map((m) => cell(r.metrics[m] ?? null))]);
  return `<div class="empathy-fallback">${table(['run', 'id', ...metrics.map(escapeHtml)], rows, 'ew-runs')}</div>`;
}

export function datasetHtml(p: DatasetPayload): string {
  const mechs = MECHANISMS.filter((m) => p.rows.some((r) => r.levels[m] !== undefined));
  const rows = p.rows.slice(0, DATASET_ROWS).map((r) => [
    escapeHtml(r.id), escapeHtml(r.seekerPost), escapeHtml(r.responsePost),
    ...mechs.map((m) => (r.levels[m] !== undefined ? LEVEL_NAMES[r.levels[m]!] : '–')),
  ]);
  const shown = p.rows.length > DATASET_ROWS ? `first ${DATASET_ROWS} of ${p.rows.length} rows` : `${p.rows.length} rows`;
  return `<div class="empathy-fallback">${caption(`${p.name}: ${shown}`)}${table(['id', 'seeker', 'response', ...mechs], rows, 'ew-dataset')}</div>`;
}

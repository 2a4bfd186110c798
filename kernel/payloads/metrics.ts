// Metrics-table payloads: from an EvalReport (rows = metrics, columns = mechanisms), from a record of
// named series ({ runA: {acc: 0.8}, runB: … }), or an existing MetricsPayload; text fallback.
import type { MetricsPayload } from '../protocol/mime';
import type { EvalReport } from '../engine';
import { reportNotes } from '../metrics/health';
import { METRICS } from '../metrics/catalog';

export interface MetricsOptions {
  title?: string;
  /** Which split the report is of (for the small-split note), e.g. 'the dev split'. */
  split?: string;
}

function isEvalReport(v: unknown): v is EvalReport {
  return typeof v === 'object' && v !== null && 'mechanisms' in v && typeof (v as EvalReport).mechanisms === 'object';
}

export function metricsPayload(source: EvalReport | MetricsPayload | Record<string, Record<string, number> | number>, opts: MetricsOptions = {}): MetricsPayload {
  if ((source as MetricsPayload).v === 1 && Array.isArray((source as MetricsPayload).columns)) {
    return { ...(source as MetricsPayload), ...(opts.title ? { title: opts.title } : {}) };
  }
  const title = opts.title ? { title: opts.title } : {};
  if (isEvalReport(source)) {
    const evals = Object.values(source.mechanisms).filter((e) => !!e);
    const columns = evals.map((e) => e!.mechanism);
    const warnings = reportNotes(source, opts.split);
    const metric = (name: string, get: (e: NonNullable<(typeof evals)[number]>) => number) =>
      ({ name, values: evals.map((e) => (Number.isFinite(get(e!)) ? get(e!) : null)) });
    return {
      v: 1, ...title, columns,
      ...(warnings.length ? { warnings } : {}),
      rows: [...METRICS.map((d) => metric(d.label, d.get)), metric('n', (e) => e.n)],
    };
  }
  const entries = Object.entries(source as Record<string, Record<string, number> | number>);
  if (entries.every(([, v]) => typeof v === 'number')) {
    return { v: 1, ...title, columns: ['value'], rows: entries.map(([k, v]) => ({ name: k, values: [Number.isFinite(v as number) ? (v as number) : null] })) };
  }
  const columns = entries.map(([k]) => k);
  const names: string[] = [];
  for (const [, series] of entries) if (typeof series === 'object') for (const k of Object.keys(series)) if (!names.includes(k)) names.push(k);
  return {
    v: 1, ...title, columns,
    rows: names.map((n) => ({ name: n, values: entries.map(([, s]) => (typeof s === 'object' && Number.isFinite(s[n]) ? s[n] : null)) })),
  };
}

export function metricsText(p: MetricsPayload): string {
  const w = Math.max(6, ...p.rows.map((r) => r.name.length));
  const head = `${''.padEnd(w)}  ${p.columns.map((c) => c.padStart(8)).join(' ')}`;
  const rows = p.rows.map((r) => `${r.name.padEnd(w)}  ${r.values.map((v) => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(4)).padStart(8)).join(' ')}`);
  return [...(p.title ? [p.title] : []), ...(p.warnings ?? []).map((w) => `⚠ ${w}`), head, ...rows].join('\n');
}

// Turns recorded runs into the workbench's rich-output payloads (run comparison, loss curves, metrics).
import type { LossCurvePayload, MetricsPayload, RunsPayload } from '../protocol/mime';
import { statusText, type RunLogLine, type RunRecord } from '../runs/run';

/** Hyper-parameters worth a column in a comparison: scalar config values only. */
function scalarConfig(cfg: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

export function runsPayload(runs: readonly RunRecord[]): RunsPayload {
  return {
    v: 1,
    runs: runs.map(r => ({
      id: r.id,
      label: r.label,
      createdAt: r.createdAt,
      config: { family: r.family, seed: r.seed, backend: r.backend?.name ?? null, status: statusText(r), ...scalarConfig(r.config) },
      metrics: r.metrics,
    })),
  };
}

export function lossCurvePayload(items: ReadonlyArray<{ run: RunRecord; events: readonly RunLogLine[] }>, live = false): LossCurvePayload {
  return {
    v: 1,
    live,
    runs: items.map(({ run, events }) => ({
      id: run.id,
      label: run.label,
      steps: events.flatMap(e => (e.kind === 'step'
        ? [{ step: e.step, epoch: e.epoch, loss: e.loss, lossLevel: e.lossLevel, lossRationale: e.lossRationale, lr: e.lr }]
        : [])),
      epochs: events.flatMap(e => (e.kind === 'epoch' ? [{ epoch: e.epoch, step: e.step, metrics: e.metrics }] : [])),
    })),
  };
}

/** Runs × metrics as a metrics table: one row per metric, one column per run. */
export function comparisonTable(runs: readonly RunRecord[], metricFilter?: (name: string) => boolean): MetricsPayload {
  const names = [...new Set(runs.flatMap(r => Object.keys(r.metrics)))].filter(n => !metricFilter || metricFilter(n)).sort();
  return {
    v: 1,
    title: 'Run comparison',
    columns: runs.map(r => r.label === r.id ? r.id : `${r.label} (${r.id})`),
    rows: names.map(name => ({ name, values: runs.map(r => (name in r.metrics ? r.metrics[name] : null)) })),
  };
}

/** Plain-text comparison (CLI): metrics as rows, runs as columns. */
export function comparisonText(runs: readonly RunRecord[], metricFilter?: (name: string) => boolean): string {
  const t = comparisonTable(runs, metricFilter);
  const header = ['metric', ...runs.map(r => r.id)];
  const rows = t.rows.map(r => [r.name, ...r.values.map(v => (v === null ? '—' : v.toFixed(4)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map(w => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

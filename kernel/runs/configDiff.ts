// What differs between the configs of recorded runs: the nested config flattened into dotted keys
// (`model.encoder.hidden`), with the family and seed, keeping only keys whose values are not all equal.
import type { RunRecord } from './run';

/** One config key that differs: its value in each run (undefined: the run's config lacks it). */
export interface ConfigDifference {
  key: string;
  values: Array<unknown>;
}

export interface ConfigDiff {
  /** Keys whose values differ, sorted. */
  differences: ConfigDifference[];
  /** How many keys (of the union over runs) are the same in every run. */
  same: number;
}

/** Flattens plain objects into dotted keys; arrays and scalars are leaves. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = value;
  return out;
}

/** The config of a run as compared: family, seed, then every config key. */
function comparable(r: RunRecord): Record<string, unknown> {
  return { family: r.family, seed: r.seed, ...flattenConfig(r.config) };
}

export function configDiff(runs: readonly RunRecord[]): ConfigDiff {
  const flat = runs.map(comparable);
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const differences: ConfigDifference[] = [];
  let same = 0;
  for (const key of keys) {
    const values = flat.map((f) => f[key]);
    const shown = values.map((v) => JSON.stringify(v));
    if (shown.every((s) => s === shown[0])) same++;
    else differences.push({ key, values });
  }
  return { differences, same };
}

function show(v: unknown): string {
  if (v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

/** Plain-text config comparison (CLI): differing keys as rows, runs as columns. */
export function configDiffText(runs: readonly RunRecord[]): string {
  const d = configDiff(runs);
  if (d.differences.length === 0) return `config: the same in every run (${d.same} keys)`;
  const header = ['config', ...runs.map((r) => r.id)];
  const rows = d.differences.map((x) => [x.key, ...x.values.map(show)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), `(${d.same} other config keys are the same in every run)`].join('\n');
}

// Dataset-explorer payloads from labelled pairs (or raw EPITOME rows), with the rationale spans they
// carry, and a short text summary (rows, level counts per mechanism). Pure (the protocol's types and
// dataset/ only), so the extension builds them without a kernel too (Restricted Mode).
import type { DatasetPayload, DatasetRowView, Level, Mechanism } from '../protocol/mime';
import type { LabeledPair } from '../../dataset/schema';
import type { RawRow } from '../../dataset/epitome';

export interface DatasetOptions {
  name?: string;
  maxLen?: number;
  /** Rows kept (default 2000). */
  limit?: number;
  /** Mechanism of raw rows (one EPITOME file holds one mechanism). */
  mechanism?: Mechanism;
}

function isRawRow(v: unknown): v is RawRow {
  return typeof v === 'object' && v !== null && 'seeker_post' in v && 'response_post' in v;
}

export function datasetPayload(rows: readonly LabeledPair[] | readonly RawRow[], opts: DatasetOptions = {}): DatasetPayload {
  const views: DatasetRowView[] = [];
  for (const r of rows.slice(0, opts.limit ?? 2000)) {
    if (isRawRow(r)) {
      const m = opts.mechanism ?? 'ER';
      views.push({
        id: `${r.sp_id}_${r.rp_id}`, seekerPost: r.seeker_post, responsePost: r.response_post,
        levels: { [m]: r.level }, spans: { [m]: r.spans },
      });
    } else {
      const p = r as LabeledPair;
      const levels: Partial<Record<Mechanism, Level>> = {};
      const spans: Partial<Record<Mechanism, Array<[number, number]>>> = {};
      for (const [m, l] of Object.entries(p.labels) as Array<[Mechanism, NonNullable<LabeledPair['labels'][Mechanism]>]>) {
        levels[m] = l.level;
        spans[m] = l.spans;
      }
      views.push({ id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost, levels, spans });
    }
  }
  return { v: 1, name: opts.name ?? 'dataset', ...(opts.maxLen ? { maxLen: opts.maxLen } : {}), rows: views };
}

export function datasetText(p: DatasetPayload): string {
  const counts: Record<string, number[]> = {};
  for (const r of p.rows) for (const [m, l] of Object.entries(r.levels)) (counts[m] ??= [0, 0, 0])[l as number]++;
  const lines = Object.entries(counts).map(([m, c]) => `  ${m}: level 0/1/2 = ${c.join('/')}`);
  return [`Dataset ${p.name}: ${p.rows.length} rows`, ...lines].join('\n');
}

// Train/dev/test splits grouped by seeker post (no sp_id in two parts), stratified by level, seeded:
// groups are bucketed by their highest level, shuffled per bucket, and each group goes to the part
// furthest below its target share of that bucket's rows.
import { seededRandom } from './random';
import type { LabeledPair } from './schema';

export interface SplitOptions {
  /** Shares of train, dev, test (normalised). */
  ratios: [number, number, number]; // [0.8, 0.1, 0.1]
  seed: number; // 12
}

export const defaultSplitOptions: SplitOptions = { ratios: [0.8, 0.1, 0.1], seed: 12 };

export type Part = 0 | 1 | 2;
export const PART_NAMES = ['train', 'dev', 'test'] as const;


/**
 * Assign each group to a part. `groups` maps group id → (row count, stratum). Deterministic for a
 * given seed and input order.
 */
export function assignGroups(groups: ReadonlyMap<string, { rows: number; stratum: number }>, opts: SplitOptions = defaultSplitOptions): Map<string, Part> {
  const sum = opts.ratios.reduce((a, b) => a + b, 0);
  if (!(sum > 0) || opts.ratios.some((r) => r < 0 || !Number.isFinite(r))) throw new Error(`split ratios must be ≥ 0 and not all 0, got ${opts.ratios.join(',')}`);
  const ratios = opts.ratios.map((r) => r / sum);
  const rand = seededRandom(opts.seed);
  const buckets = new Map<number, string[]>();
  for (const [g, v] of groups) {
    const b = buckets.get(v.stratum) ?? [];
    b.push(g);
    buckets.set(v.stratum, b);
  }
  const out = new Map<string, Part>();
  for (const stratum of [...buckets.keys()].sort((a, b) => a - b)) {
    const ids = buckets.get(stratum)!;
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const total = ids.reduce((a, g) => a + groups.get(g)!.rows, 0);
    const got = [0, 0, 0];
    for (const g of ids) {
      const n = groups.get(g)!.rows;
      // the part with the largest remaining deficit after taking this group
      let best: Part = 0;
      let bestDeficit = -Infinity;
      for (const p of [0, 1, 2] as Part[]) {
        if (ratios[p] === 0) continue;
        const deficit = ratios[p] * total - got[p];
        if (deficit > bestDeficit + 1e-9) {
          bestDeficit = deficit;
          best = p;
        }
      }
      got[best] += n;
      out.set(g, best);
    }
  }
  return out;
}

/**
 * Labelled pairs into train/dev/test, grouped by seeker post (sp_id, else the pair's id) and stratified by
 * each group's highest level: the one pair split notebooks (`empathy.splitPairs`, the tutorials) use.
 */
export function splitLabeledPairs<P extends LabeledPair>(pairs: readonly P[], opts: SplitOptions = defaultSplitOptions): { train: P[]; dev: P[]; test: P[] } {
  const groups = new Map<string, { rows: number; stratum: number }>();
  for (const p of pairs) {
    const g = p.spId ?? p.id;
    const level = Math.max(0, ...Object.values(p.labels).map((l) => l?.level ?? 0));
    const cur = groups.get(g) ?? { rows: 0, stratum: 0 };
    groups.set(g, { rows: cur.rows + 1, stratum: Math.max(cur.stratum, level) });
  }
  const parts = assignGroups(groups, opts);
  const out = { train: [] as P[], dev: [] as P[], test: [] as P[] };
  for (const p of pairs) out[PART_NAMES[parts.get(p.spId ?? p.id) ?? 0]].push(p);
  return out;
}

// Grouped (by seeker post), stratified k-fold cross-validation: the fold assignment, a runner that
// trains and evaluates any model family per fold, and mean ± std of every metric.
import type { EvalReport, LabeledPair, Mechanism, RunOptions } from './types';
import { MECHANISMS } from '../../dataset/schema';
import type { EmpathyModel, TrainResult } from './model';
import { seededRandom } from '../../dataset/random';
import { flattenReport } from '../metrics/catalog';

export interface FoldOptions {
  /** Number of folds. */
  k: number; // 5
  /** Shuffle seed (ties between equally good folds are broken by this order). */
  seed: number; // 12
  /** Mechanisms whose level distribution each fold should match (default: every labelled one). */
  stratifyBy?: readonly Mechanism[];
}

export const defaultFoldOptions: FoldOptions = { k: 5, seed: 12 };


/**
 * Fold index (0..k−1) per row. Rows sharing a group key (`spId`, else the pair id) always share a
 * fold; groups are placed greedily, most label-skewed first, into the fold that keeps each
 * (mechanism, level) share closest to the overall one (scikit-learn's StratifiedGroupKFold idea,
 * over all labelled mechanisms at once).
 */
export function groupedStratifiedFolds(data: readonly LabeledPair[], opts: Partial<FoldOptions> = {}): number[] {
  const { k, seed, stratifyBy } = { ...defaultFoldOptions, ...opts };
  if (k < 2) throw new Error(`cv: need at least 2 folds, got ${k}`);
  const mechs: Mechanism[] = stratifyBy ? [...stratifyBy] : MECHANISMS.filter((m) => data.some((p) => p.labels[m]));
  const dims = mechs.length * 3;
  const groups = new Map<string, { rows: number[]; counts: number[] }>();
  data.forEach((p, i) => {
    const key = p.spId ?? p.id;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rows: [], counts: new Array<number>(dims).fill(0) }));
    g.rows.push(i);
    mechs.forEach((m, mi) => {
      const l = p.labels[m];
      if (l) g!.counts[mi * 3 + l.level]++;
    });
  });
  if (groups.size < k) throw new Error(`cv: ${groups.size} seeker-post groups cannot fill ${k} folds`);
  const total = new Array<number>(dims).fill(0);
  for (const g of groups.values()) g.counts.forEach((c, j) => (total[j] += c));
  // Shuffle, then stable-sort by how skewed each group's labels are (rare labels placed first).
  const rnd = seededRandom(seed);
  const list = [...groups.values()];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  const rarity = (g: { counts: number[] }) => g.counts.reduce((s, c, j) => s + (total[j] > 0 ? c / total[j] : 0), 0);
  list.sort((a, b) => rarity(b) - rarity(a));
  const foldCounts = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
  const foldSize = new Array<number>(k).fill(0);
  const fold = new Array<number>(data.length).fill(-1);
  for (const g of list) {
    let best = 0;
    let bestCost = Infinity;
    for (let f = 0; f < k; f++) {
      // Cost: spread over folds of each label's share of the total, if g went to fold f; then size.
      let cost = 0;
      for (let j = 0; j < dims; j++) {
        if (total[j] === 0) continue;
        let mean = 0;
        const shares = foldCounts.map((fc, ff) => (fc[j] + (ff === f ? g.counts[j] : 0)) / total[j]);
        for (const s of shares) mean += s / k;
        for (const s of shares) cost += (s - mean) ** 2;
      }
      const sizeTie = foldSize[f] + g.rows.length;
      if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && sizeTie < foldSize[best] + g.rows.length)) {
        best = f;
        bestCost = cost;
      }
    }
    for (const r of g.rows) fold[r] = best;
    g.counts.forEach((c, j) => (foldCounts[best][j] += c));
    foldSize[best] += g.rows.length;
  }
  return fold;
}

/** Split rows into (train, test) for fold f. */
export function foldSplit<T>(data: readonly T[], folds: readonly number[], f: number): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  data.forEach((p, i) => (folds[i] === f ? test : train).push(p));
  return { train, test };
}

/** Mean and (sample) standard deviation of a metric across folds. */
export interface MeanStd {
  mean: number;
  std: number;
  values: number[];
}

export function meanStd(values: number[]): MeanStd {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values };
}

/** The flat metrics of one evaluation that CV aggregates, keyed `ER.macroF1`, `IP.rationale.positive.tokenF1` … */
export function flatMetrics(r: EvalReport): Record<string, number> {
  return flattenReport(r, { by: 'path' });
}

export type CvEvent =
  | { type: 'fold-start'; v: 1; fold: number; folds: number; train: number; test: number }
  | { type: 'fold-end'; v: 1; fold: number; folds: number; metrics: Record<string, number>; seconds: number };

export interface CvOptions extends Partial<FoldOptions>, RunOptions {
  onFold?: (e: CvEvent) => void;
  /** Also called with each fold's trained model before it is disposed (e.g. to collect probabilities). */
  onModel?: (fold: number, model: EmpathyModel, test: readonly LabeledPair[]) => Promise<void> | void;
}

export interface CvReport {
  folds: number;
  seed: number;
  /** Rows per fold (test side). */
  foldSizes: number[];
  /** Per metric, mean ± std over folds. */
  metrics: Record<string, MeanStd>;
  /** Wall seconds per fold (train + evaluate). */
  seconds: number[];
}

/** Train with `trainFold` on k−1 folds, evaluate on the held-out one, for each fold; aggregate. */
export async function crossValidate(
  data: readonly LabeledPair[],
  trainFold: (train: LabeledPair[], opts: RunOptions) => Promise<TrainResult>,
  opts: CvOptions = {},
): Promise<CvReport> {
  const fo = { ...defaultFoldOptions, ...opts };
  const folds = groupedStratifiedFolds(data, fo);
  const perFold: Array<Record<string, number>> = [];
  const seconds: number[] = [];
  const foldSizes: number[] = [];
  for (let f = 0; f < fo.k; f++) {
    opts.signal?.throwIfAborted();
    const { train, test } = foldSplit(data, folds, f);
    foldSizes.push(test.length);
    opts.onFold?.({ type: 'fold-start', v: 1, fold: f, folds: fo.k, train: train.length, test: test.length });
    const t0 = Date.now();
    const { model } = await trainFold(train, { signal: opts.signal, onEvent: opts.onEvent });
    try {
      const report = await model.evaluate(test, { signal: opts.signal });
      await opts.onModel?.(f, model, test);
      const m = flatMetrics(report);
      perFold.push(m);
      seconds.push((Date.now() - t0) / 1000);
      opts.onFold?.({ type: 'fold-end', v: 1, fold: f, folds: fo.k, metrics: m, seconds: seconds[f] });
    } finally {
      model.dispose();
    }
  }
  const metrics: Record<string, MeanStd> = {};
  for (const key of Object.keys(perFold[0] ?? {})) metrics[key] = meanStd(perFold.map((m) => m[key]));
  return { folds: fo.k, seed: fo.seed, foldSizes, metrics, seconds };
}

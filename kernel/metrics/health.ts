// Whether results mean anything: a model whose predictions are all one level, or whose level
// probabilities are near uniform, "has not learned yet"; a split with fewer than MIN_SPLIT_PAIRS pairs of
// a mechanism is too small for its metrics to mean much. Every place that shows results (CLI, notebook
// displays, HTML report, Rationale Inspector) prints these notes beside them.
import type { Mechanism } from '../../dataset/schema';
import type { EvalReport, PairPrediction } from '../../dataset/results';

/** Pairs per mechanism below which a dev/test split's metrics are noise (issue #16: "under ~30"). */
export const MIN_SPLIT_PAIRS = 30;
/**
 * Mean top level probability below which predictions count as near uniform: uniform is 1/3; a model
 * that has learned something is usually far above (the shipped model: ≈ 0.8 on the dev split).
 */
export const NEAR_UNIFORM_TOP_PROB = 0.4;

export interface ModelHealth {
  /** False when some mechanism predicts one level only or near-uniform probabilities. */
  learned: boolean;
  /** Per-mechanism reasons the model has not learned (empty when it has). */
  problems: string[];
  /** "this model has not learned yet (…)" or '' when it has. */
  message: string;
}

function health(problems: string[]): ModelHealth {
  return { learned: problems.length === 0, problems, message: problems.length ? `this model has not learned yet (${problems.join('; ')}): train longer or on more data (the public EPITOME CSVs), or use the shipped offline-default model` : '' };
}

/**
 * From an evaluation: a mechanism whose predictions (confusion-matrix columns) all fall in one level
 * while the gold data has several levels, or whose mean top level probability (when the evaluator recorded
 * it) is under NEAR_UNIFORM_TOP_PROB.
 */
export function modelHealth(report: EvalReport): ModelHealth {
  const problems: string[] = [];
  for (const e of Object.values(report.mechanisms)) {
    if (!e || e.n < 2) continue;
    const predCols = [0, 1, 2].map((c) => e.confusion.reduce((s, row) => s + row[c], 0));
    const goldRows = e.confusion.map((row) => row.reduce((s, x) => s + x, 0));
    const predLevels = predCols.filter((x) => x > 0).length;
    if (e.meanTopProb !== undefined && e.meanTopProb < NEAR_UNIFORM_TOP_PROB) problems.push(`${e.mechanism}: level probabilities near uniform, mean top probability ${e.meanTopProb.toFixed(2)}`);
    else if (predLevels === 1 && goldRows.filter((x) => x > 0).length > 1) problems.push(`${e.mechanism}: every pair predicted level ${predCols.findIndex((x) => x > 0)}`);
  }
  return health(problems);
}

/**
 * From predictions (any number of pairs): per mechanism, all predicted levels equal (with ≥ 5 pairs),
 * or a mean top probability under NEAR_UNIFORM_TOP_PROB (one pair is enough for that).
 */
export function predictionHealth(preds: readonly PairPrediction[]): ModelHealth {
  const counts: Partial<Record<Mechanism, number[]>> = {};
  const top: Partial<Record<Mechanism, { sum: number; n: number }>> = {};
  for (const p of preds) {
    for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
      const x = p.mechanisms[m];
      if (!x) continue;
      (counts[m] ??= [0, 0, 0])[x.level]++;
      const t = (top[m] ??= { sum: 0, n: 0 });
      t.sum += Math.max(...x.probs);
      t.n++;
    }
  }
  return predictionStatsHealth(counts, top);
}

/** predictionHealth from running totals (predicted level counts, sum of top probabilities), for streamed scoring. */
export function predictionStatsHealth(levelCounts: Partial<Record<Mechanism, number[]>>, topProb: Partial<Record<Mechanism, { sum: number; n: number }>>): ModelHealth {
  const problems: string[] = [];
  for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
    const t = topProb[m];
    const c = levelCounts[m];
    if (!t || !c || t.n === 0) continue;
    const meanTop = t.sum / t.n;
    if (meanTop < NEAR_UNIFORM_TOP_PROB) problems.push(`${m}: level probabilities near uniform, mean top probability ${meanTop.toFixed(2)}`);
    else if (t.n >= 5 && c.filter((x) => x > 0).length === 1) problems.push(`${m}: all ${t.n} pairs predicted level ${c.findIndex((x) => x > 0)}`);
  }
  return health(problems);
}

/** Both checks over one evaluation and (optionally) its predictions. */
export function combinedHealth(...hs: ModelHealth[]): ModelHealth {
  return health(hs.flatMap((h) => h.problems));
}

/** "n pairs: too few to mean much" notes for the mechanisms of a report with fewer than MIN_SPLIT_PAIRS pairs. */
export function smallSplitNotes(report: EvalReport, split = 'this split'): string[] {
  return Object.values(report.mechanisms)
    .filter((e): e is NonNullable<typeof e> => !!e && e.n < MIN_SPLIT_PAIRS)
    .map((e) => `${e.mechanism}: ${split} has ${e.n} pair${e.n === 1 ? '' : 's'} (< ${MIN_SPLIT_PAIRS}): its metrics are noise, not a measurement`);
}

/** Every note to print beside a report's metrics (not learned first, then small splits). */
export function reportNotes(report: EvalReport, split?: string, preds?: readonly PairPrediction[]): string[] {
  const h = preds ? combinedHealth(modelHealth(report), predictionHealth(preds)) : modelHealth(report);
  return [...(h.learned ? [] : [h.message]), ...smallSplitNotes(report, split)];
}

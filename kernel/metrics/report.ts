// One mechanism's full evaluation: level metrics, corrected rationale metrics on all rows and on
// level > 0 rows, and the original code's batch-averaged numbers side by side.
import type { Mechanism } from '../../dataset/schema';
import type { MechanismEval } from '../../dataset/results';
import { levelMetrics } from './levels';
import { iouF1, tokenF1 } from './rationales';
import { paperFaithfulMetrics } from './paperFaithful';

export interface EvalRow {
  goldLevel: number;
  predLevel: number;
  /** 0/1 per response content token (specials excluded), same length as predTokens. */
  goldTokens: readonly number[];
  predTokens: readonly number[];
  /** Whether the gold row has a rationale (paper-faithful labelling); default: any gold token is 1. */
  hasRationale?: boolean;
  /** The model's level probabilities (for the "has not learned yet" check, metrics/health.ts). */
  probs?: readonly number[];
}

/**
 * The one per-example row builder (every family's evaluate, `empathy evaluate --pred`): the gold label's
 * level and whether it has a rationale, the predicted level (and probabilities), the two token rows.
 */
export function evalRow(gold: { level: number; rationales: readonly string[] }, pred: { level: number; probs?: readonly number[] }, tokens: { gold: readonly number[]; pred: readonly number[] }): EvalRow {
  return {
    goldLevel: gold.level,
    predLevel: pred.level,
    goldTokens: tokens.gold,
    predTokens: tokens.pred,
    ...(pred.probs ? { probs: pred.probs } : {}),
    hasRationale: gold.rationales.some((r) => r.trim() !== ''),
  };
}

export function mechanismEval(mechanism: Mechanism, rows: readonly EvalRow[], opts: { batchSize?: number; maxLen?: number } = {}): MechanismEval {
  const lm = levelMetrics(
    rows.map((r) => r.goldLevel),
    rows.map((r) => r.predLevel),
  );
  const items = rows.map((r) => ({ gold: r.goldTokens, pred: r.predTokens }));
  const posItems = rows.filter((r) => r.goldLevel > 0).map((r) => ({ gold: r.goldTokens, pred: r.predTokens }));
  return {
    mechanism,
    n: rows.length,
    ...(rows.length > 0 && rows.every((r) => r.probs) ? { meanTopProb: rows.reduce((t, r) => t + Math.max(...r.probs!), 0) / rows.length } : {}),
    accuracy: lm.accuracy,
    macroF1: lm.macroF1,
    perClass: lm.perClass,
    confusion: lm.confusion,
    kappa: lm.kappa,
    kappaQuadratic: lm.kappaQuadratic,
    rationale: {
      all: { tokenF1: tokenF1(items), iouF1: iouF1(items) },
      positive: { tokenF1: tokenF1(posItems), iouF1: iouF1(posItems) },
    },
    paperFaithful: paperFaithfulMetrics(rows, opts),
  };
}


// Evaluation shared by the built-in families (linear, tagger, ensemble): gold rationales aligned to
// each prediction's word tokens, then kernel/metrics' MechanismEval per mechanism.
import { tokenLabels } from '../../dataset/align';
import { evalRow, mechanismEval, type EvalRow } from '../metrics/report';
import type { EvalReport, LabeledPair, Mechanism, MechanismLabel, PairPrediction } from '../engine';
import { MECHANISMS } from '../../dataset/schema';

/** 0/1 gold rationale label per token of `offsets` (no rationale → all zeros: the corrected form). */
export function goldTokenLabels(label: Pick<MechanismLabel, 'spans'>, offsets: ReadonlyArray<[number, number]>): number[] {
  return tokenLabels(label.spans, offsets);
}

/** Score predictions (same order as `data`) against gold labels; `loss` is NaN unless given. */
export function evaluatePredictions(
  data: readonly LabeledPair[],
  preds: readonly PairPrediction[],
  opts: { threshold?: number | Partial<Record<Mechanism, number>>; maxLen: number; loss?: number },
): EvalReport {
  const report: EvalReport = { loss: opts.loss ?? NaN, mechanisms: {} };
  const mechs = MECHANISMS.filter((m) => data.some((p) => p.labels[m]) && preds.some((p) => p.mechanisms[m]));
  for (const m of mechs) {
    // One token threshold for all mechanisms, or one per mechanism (missing → 0.5).
    const threshold = typeof opts.threshold === 'number' ? opts.threshold : (opts.threshold?.[m] ?? 0.5);
    const rows: EvalRow[] = [];
    data.forEach((pair, i) => {
      const gold = pair.labels[m];
      const pred = preds[i].mechanisms[m];
      if (!gold || !pred) return;
      const offsets = pred.tokens.map((t) => [t.start, t.end] as [number, number]);
      rows.push(evalRow(gold, pred, { gold: goldTokenLabels(gold, offsets), pred: pred.tokens.map((t) => (t.prob >= threshold ? 1 : 0)) }));
    });
    report.mechanisms[m] = mechanismEval(m, rows, { batchSize: 32, maxLen: opts.maxLen });
  }
  return report;
}

/**
 * Index of the largest probability: the level every family predicts. Probabilities that are not finite
 * (NaN from NaN weights, say) give no level: an error naming the pair, never a silent level 0.
 */
export function argmax3(p: ArrayLike<number>, pairId?: string): 0 | 1 | 2 {
  for (let c = 0; c < p.length; c++) {
    if (!Number.isFinite(p[c])) {
      throw new Error(`${pairId === undefined ? '' : `pair ${pairId}: `}the model's level probabilities are [${Array.from(p).join(', ')}], not finite numbers, so no level can be given (its weights or config hold NaN or ±Inf)`);
    }
  }
  let b = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[b]) b = c;
  return b as 0 | 1 | 2;
}

/** Mechanisms that have labels in `data`, in ER, IP, EX order. */
export function labelledMechanisms(data: readonly LabeledPair[]): Mechanism[] {
  return MECHANISMS.filter((m) => data.some((p) => p.labels[m]));
}

/** Yield to the event loop (long loops stay interruptible and keep the process responsive). */
export function yieldToLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

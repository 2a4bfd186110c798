// The ensemble's rule, as a pure function of two families' predictions: level probabilities
// w·linear + (1−w)·tagger per mechanism; token rationale probabilities ρ·linear + (1−ρ)·tagger, and a
// gate per mechanism: 'soft' — a token's probability becomes P(level > 0) × its rationale probability
// (the probability that the response shows the mechanism AND the token is part of it), no hard gate —
// or a hard gate (argmax level > 0, or P(level > 0) ≥ a minimum) that zeroes the whole rationale;
// tokens at or above a per-mechanism threshold form the spans.
import { extractSpans, type Mechanism, type MechanismPrediction, type PairPrediction } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { argmax3 } from '../evaluate';

export type EnsembleWeights = Record<Mechanism, number>;

export interface CombineOptions {
  /** Token threshold for spans: one for all mechanisms or one per mechanism (missing → 0.5). */
  threshold?: number | Partial<Record<Mechanism, number>>;
  /** Mechanisms listed gate on P(level > 0) ≥ the value; the others on argmax level > 0. */
  minPositiveProb?: Partial<Record<Mechanism, number>>;
  /** Share ρ of the linear model's token probabilities per mechanism (missing → 0: the tagger's alone). */
  rationaleMix?: Partial<Record<Mechanism, number>>;
  /** Mechanisms with the soft gate (token probability × P(level > 0)); they ignore `minPositiveProb`. */
  soft?: readonly Mechanism[];
}

/** The threshold for mechanism `m` from a number or a per-mechanism record (default 0.5). */
export function thresholdFor(threshold: CombineOptions['threshold'], m: Mechanism): number {
  return typeof threshold === 'number' ? threshold : (threshold?.[m] ?? 0.5);
}

/** Does the gate show mechanism `m`'s rationale for these level probabilities (levels 0, 1, 2)? */
export function rationaleShown(probs: readonly [number, number, number], m: Mechanism, minPositiveProb: Partial<Record<Mechanism, number>> = {}): boolean {
  const min = minPositiveProb[m];
  return min === undefined ? argmax3(probs) > 0 : probs[1] + probs[2] >= min;
}

/** Combine per-pair predictions of the linear and tagger models (same pairs, same order). */
export function combinePredictions(
  linear: readonly PairPrediction[],
  tagger: readonly PairPrediction[],
  weights: EnsembleWeights,
  opts: CombineOptions | number = {},
): PairPrediction[] {
  const o: CombineOptions = typeof opts === 'number' ? { threshold: opts } : opts;
  if (linear.length !== tagger.length) throw new Error(`ensemble: ${linear.length} linear vs ${tagger.length} tagger predictions`);
  return linear.map((lp, i) => {
    const tp = tagger[i];
    const mechanisms: Partial<Record<Mechanism, MechanismPrediction>> = {};
    for (const m of MECHANISMS) {
      const a = lp.mechanisms[m];
      const b = tp.mechanisms[m];
      if (!a || !b) continue;
      const w = weights[m];
      const probs = [0, 1, 2].map((c) => w * a.probs[c] + (1 - w) * b.probs[c]) as [number, number, number];
      const level = argmax3(probs, lp.id);
      const soft = o.soft?.includes(m) ?? false;
      const shown = soft || rationaleShown(probs, m, o.minPositiveProb);
      const scale = soft ? probs[1] + probs[2] : 1;
      const rho = o.rationaleMix?.[m] ?? 0;
      // Both families list the same word tokens (same tokeniser and length): mix position by position.
      const mixed = (k: number, p: number) => (rho > 0 && a.tokens[k]?.start === b.tokens[k].start ? rho * a.tokens[k].prob + (1 - rho) * p : p);
      const tokens = b.tokens.map((t, k) => ({ ...t, prob: shown ? scale * mixed(k, t.prob) : 0 }));
      mechanisms[m] = { level, probs, tokens, spans: shown ? extractSpans(tp.responsePost, tokens, thresholdFor(o.threshold, m)) : [], truncated: b.truncated };
    }
    return { id: lp.id, seekerPost: lp.seekerPost, responsePost: lp.responsePost, mechanisms };
  });
}

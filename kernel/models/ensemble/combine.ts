// The ensemble's rule, as a pure function of two families' predictions: level probabilities
// w·linear + (1−w)·tagger per mechanism, rationales from the tagger shown only when the ensemble's
// level is > 0 (a level-0 response has no rationale by the dataset's definition).
import { extractSpans } from '../../engine/spans';
import type { Mechanism, MechanismPrediction, PairPrediction } from '../../engine/types';
import { argmax3 } from '../evaluate';

export type EnsembleWeights = Record<Mechanism, number>;

/** Combine per-pair predictions of the linear and tagger models (same pairs, same order). */
export function combinePredictions(
  linear: readonly PairPrediction[],
  tagger: readonly PairPrediction[],
  weights: EnsembleWeights,
  threshold = 0.5,
): PairPrediction[] {
  if (linear.length !== tagger.length) throw new Error(`ensemble: ${linear.length} linear vs ${tagger.length} tagger predictions`);
  return linear.map((lp, i) => {
    const tp = tagger[i];
    const mechanisms: Partial<Record<Mechanism, MechanismPrediction>> = {};
    for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
      const a = lp.mechanisms[m];
      const b = tp.mechanisms[m];
      if (!a || !b) continue;
      const w = weights[m];
      const probs = [0, 1, 2].map((c) => w * a.probs[c] + (1 - w) * b.probs[c]) as [number, number, number];
      const level = argmax3(probs);
      const tokens = level > 0 ? b.tokens.map((t) => ({ ...t })) : b.tokens.map((t) => ({ ...t, prob: 0 }));
      mechanisms[m] = { level, probs, tokens, spans: level > 0 ? extractSpans(tp.responsePost, tokens, threshold) : [], truncated: b.truncated };
    }
    return { id: lp.id, seekerPost: lp.seekerPost, responsePost: lp.responsePost, mechanisms };
  });
}

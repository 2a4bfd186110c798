// The strict rationale rule shared by the model families: a mechanism predicted at level 0 shows no
// rationale (level 0 has none by definition).
import type { PairPrediction } from '../engine';

/** Clear the rationale of every mechanism predicted at level 0 (in place; returns its input). */
export function gateByLevel(preds: PairPrediction[]): PairPrediction[] {
  for (const p of preds) {
    for (const mp of Object.values(p.mechanisms)) {
      if (mp && mp.level === 0) {
        for (const t of mp.tokens) t.prob = 0;
        mp.spans = [];
      }
    }
  }
  return preds;
}

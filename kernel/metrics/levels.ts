// Level (0/1/2) classification metrics: accuracy, macro-F1, per-class P/R/F1, confusion matrix,
// Cohen's kappa (plain and quadratic-weighted). Conventions follow scikit-learn.
import type { Level } from '../../dataset/schema';
import type { ClassReport, LevelMetrics } from '../../dataset/results';

export type { ClassReport, LevelMetrics };

export const LEVELS: readonly Level[] = [0, 1, 2];

/** P/R/F1 from counts; zero divisions give 0 (scikit-learn's zero_division=0). */
export function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

export function confusionMatrix(gold: readonly number[], pred: readonly number[]): number[][] {
  if (gold.length !== pred.length) throw new Error(`levelMetrics: ${gold.length} gold labels but ${pred.length} predictions`);
  const m = LEVELS.map(() => LEVELS.map(() => 0));
  gold.forEach((g, i) => {
    const p = pred[i];
    if (!(g in m) || !(p in m[0])) throw new Error(`levelMetrics: level must be 0, 1 or 2, got gold=${g} pred=${p} at ${i}`);
    m[g][p]++;
  });
  return m;
}

/** Cohen's kappa with a weight matrix w[i][j] (0 on the diagonal). */
function weightedKappa(m: number[][], w: (i: number, j: number) => number): number {
  const n = m.flat().reduce((a, b) => a + b, 0);
  if (n === 0) return 0;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0));
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < m.length; i++) {
    for (let j = 0; j < m.length; j++) {
      observed += w(i, j) * m[i][j];
      expected += (w(i, j) * rows[i] * cols[j]) / n;
    }
  }
  if (expected === 0) return observed === 0 ? 1 : 0;
  return 1 - observed / expected;
}

export function levelMetrics(gold: readonly number[], pred: readonly number[]): LevelMetrics {
  const confusion = confusionMatrix(gold, pred);
  const n = gold.length;
  const correct = LEVELS.reduce<number>((a, l) => a + confusion[l][l], 0);
  const perClass: ClassReport[] = LEVELS.map((l) => {
    const tp = confusion[l][l];
    const fn = confusion[l].reduce((a, b) => a + b, 0) - tp;
    const fp = LEVELS.reduce<number>((a, g) => a + confusion[g][l], 0) - tp;
    return { level: l, ...prf(tp, fp, fn), support: tp + fn };
  });
  const present = LEVELS.filter((l) => perClass[l].support > 0 || LEVELS.some((g) => confusion[g][l] > 0));
  const macroF1 = present.length > 0 ? present.reduce<number>((a, l) => a + perClass[l].f1, 0) / present.length : 0;
  const K = LEVELS.length - 1;
  return {
    accuracy: n > 0 ? correct / n : 0,
    macroF1,
    perClass,
    confusion,
    kappa: weightedKappa(confusion, (i, j) => (i === j ? 0 : 1)),
    kappaQuadratic: weightedKappa(confusion, (i, j) => ((i - j) * (i - j)) / (K * K)),
  };
}

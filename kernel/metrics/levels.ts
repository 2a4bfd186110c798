// Level (0/1/2) classification metrics: accuracy, macro-F1, per-class P/R/F1, confusion matrix,
// Cohen's kappa (plain and quadratic-weighted). Conventions follow scikit-learn.
import { kappaOfConfusion, type KappaWeights } from './agreement';
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

/** κ in the report's convention (metrics/agreement.ts defines it): 0 with no pairs, 1 when both agree on one class. */
function reportKappa(m: number[][], weights: KappaWeights): number {
  const k = kappaOfConfusion(m, weights);
  return k ?? (m.flat().some((x) => x > 0) ? 1 : 0);
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
  return {
    accuracy: n > 0 ? correct / n : 0,
    macroF1,
    perClass,
    confusion,
    kappa: reportKappa(confusion, 'none'),
    kappaQuadratic: reportKappa(confusion, 'quadratic'),
  };
}

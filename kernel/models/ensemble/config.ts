// The ensemble's configuration (the `offline-default` preset): its two members, the weight of the
// linear model's level probabilities per mechanism, and when and where its tagger's rationales are shown.
import {
  checkMechanisms, checkNumber, ConfigFieldError, checkNumberList, checkObject, checkPerMechanism, checkUnit,
  type Mechanism,
} from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { resolveLinearConfig, type LinearConfig } from '../linear/config';
import { resolveTaggerConfig, type TaggerConfig } from '../tagger/config';
import type { EnsembleWeights } from './combine';

/**
 * Weight of the linear model per mechanism, chosen by grouped 5-fold CV on the EPITOME train+dev files
 * (`npm run bench:quality -- --save-preds`, bench/results/quality.md): the grid weight with the best
 * out-of-fold macro-F1 — ER 0.9 (picked inside 5/5 folds), IP 0.9 (5/5), EX 0.7 (4/5; 0.75 once).
 * Issue #8's uniform 0.75 is the fallback when a mechanism has no data to choose from.
 */
export const defaultEnsembleWeights: EnsembleWeights = { ER: 0.9, IP: 0.9, EX: 0.7 };

/**
 * When and where a mechanism's rationale is shown. A mechanism in `soft` gets token probabilities
 * P(level > 0) × P(token is a rationale token), thresholded with no hard gate: the probability that the
 * response shows the mechanism and that this token is part of it. Any other mechanism is hard-gated:
 * listed in `minPositiveProb`, its rationale is shown when P(level > 0) = p1 + p2 ≥ that value, else when
 * the predicted level (argmax) is > 0.
 */
export interface RationaleGate {
  minPositiveProb: Partial<Record<Mechanism, number>>;
  /** Mechanisms with the soft gate (absent in checkpoints from before it existed: none). */
  soft?: Mechanism[];
}

/**
 * The default gate is strict: a rationale only where the predicted level (argmax) is > 0, as issue #8
 * asks, so the level and the rationale shown never contradict each other. Thresholds and ρ below were
 * chosen for it by nested grouped 5-fold CV on the out-of-fold predictions of `bench:quality
 * --save-preds` (EPITOME train+dev; bench/rationaleGate.ts → bench/results/rationale-gate.md).
 * Criterion: pooled rationale token-F1 over ALL rows of the mechanism (a rationale shown on a gold
 * level-0 response counts its tokens as false positives), never issue #8's level>0-rows metric.
 * Level>0-rows token-F1 ER .577, IP .841, EX .804 (nested .577 / .839 / .802); all-rows .502 / .778 /
 * .732; rationale tokens on 16% / 15% / 4% of gold level-0 responses.
 */
export const defaultRationaleGate: RationaleGate = { minPositiveProb: {} };

/** Token threshold per mechanism for the strict gate (nested picks ER 0.45 ×5, IP 0.6 ×5, EX 0.5 ×4 / 0.45). */
export const defaultRationaleThreshold: Record<Mechanism, number> = { ER: 0.45, IP: 0.6, EX: 0.5 };

/**
 * Share of the linear model's (sentence-level) token rationale probabilities in the ensemble's, per
 * mechanism; the tagger's get 1 − ρ (nested picks ER 0.6 ×5, IP 0.6 ×3 / 0.75 ×2, EX 0.75 ×4 / 0.6).
 */
export const defaultRationaleMix: Record<Mechanism, number> = { ER: 0.6, IP: 0.6, EX: 0.75 };

/**
 * The soft alternative (preset `offline-default-soft`): every token's probability is P(level > 0) ×
 * P(token is a rationale token), thresholded with no hard gate — the calibrated reading, and the best
 * rule family on the all-rows criterion (ER .520, IP .786, EX .747; level>0 rows .603 / .848 / .808,
 * nested the same), but it can mark tokens of a response whose predicted level is 0 (rationale tokens
 * on 21% / 19% / 4% of gold level-0 responses). Thresholds and ρ: that family's picks (5/5 folds each).
 */
export const softRationaleRule = {
  rationaleGate: { minPositiveProb: {}, soft: [...MECHANISMS] } as RationaleGate,
  rationaleThreshold: { ER: 0.3, IP: 0.45, EX: 0.4 } as Record<Mechanism, number>,
  rationaleMix: { ER: 0.6, IP: 0.9, EX: 0.6 } as Record<Mechanism, number>,
};

export interface EnsembleConfig {
  linear: Partial<LinearConfig>;
  tagger: Partial<TaggerConfig>;
  /** Weight of the linear model per mechanism (1 − w goes to the tagger). */
  weights: EnsembleWeights; // ER 0.9, IP 0.9, EX 0.7
  /**
   * Inner grouped folds to pick each weight from `weightGrid` on out-of-fold probabilities (trains both
   * members this many extra times); 0 keeps `weights`.
   */
  weightFolds: number; // 0
  weightGrid: number[]; // [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1]
  /** When rationales are shown (per mechanism: soft, argmax level > 0, or P(level > 0) ≥ a minimum). */
  rationaleGate: RationaleGate; // { minPositiveProb: {} }: argmax level > 0 everywhere
  /** Token probability at or above which a token is a rationale token, per mechanism. */
  rationaleThreshold: Record<Mechanism, number>; // ER 0.45, IP 0.6, EX 0.5
  /** Share of the linear model's token probabilities in the rationale (1 − ρ: the tagger's). */
  rationaleMix: Record<Mechanism, number>; // ER 0.6, IP 0.6, EX 0.75
  seed: number; // 12
}

export const defaultEnsembleConfig: EnsembleConfig = {
  linear: {},
  tagger: {},
  weights: { ...defaultEnsembleWeights },
  weightFolds: 0,
  weightGrid: [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1],
  rationaleGate: { minPositiveProb: { ...defaultRationaleGate.minPositiveProb }, soft: [...(defaultRationaleGate.soft ?? [])] },
  rationaleThreshold: { ...defaultRationaleThreshold },
  rationaleMix: { ...defaultRationaleMix },
  seed: 12,
};

/** Overrides: any field; thresholds for some mechanisms only. */
export type EnsembleOverrides = Partial<Omit<EnsembleConfig, 'rationaleThreshold' | 'rationaleMix'>> & { rationaleThreshold?: Partial<Record<Mechanism, number>>; rationaleMix?: Partial<Record<Mechanism, number>> };

/**
 * Defaults ⊕ overrides; `mechanisms` goes to the linear member, `backend` to the tagger, `seed_val` stands
 * for `seed`. Every field given is checked (a ConfigFieldError names it): the members' configs are
 * resolved and checked by their own families.
 */
export function resolveEnsembleConfig(over: EnsembleOverrides & { mechanisms?: Mechanism[]; seed_val?: number; backend?: TaggerConfig['backend'] } = {}): EnsembleConfig {
  const seed = over.seed ?? over.seed_val ?? defaultEnsembleConfig.seed;
  const cfg: EnsembleConfig = {
    linear: { ...(over.mechanisms ? { mechanisms: over.mechanisms } : {}), ...(over.linear === undefined ? {} : checkObject('linear', over.linear)) },
    tagger: { ...(over.backend ? { backend: over.backend } : {}), ...(over.tagger === undefined ? {} : checkObject('tagger', over.tagger)) },
    weights: { ...defaultEnsembleWeights, ...(over.weights === undefined ? {} : checkPerMechanism('weights', over.weights, checkUnit)) },
    weightFolds: over.weightFolds ?? defaultEnsembleConfig.weightFolds,
    weightGrid: over.weightGrid ?? defaultEnsembleConfig.weightGrid,
    // A gate replaces the default gate whole (a mechanism neither soft nor listed gates on argmax), so
    // { minPositiveProb: {} } = argmax everywhere.
    rationaleGate: gateOf(over.rationaleGate === undefined ? defaultRationaleGate : checkGate(over.rationaleGate)),
    rationaleThreshold: { ...defaultRationaleThreshold, ...(over.rationaleThreshold === undefined ? {} : checkPerMechanism('rationaleThreshold', over.rationaleThreshold, checkUnit)) },
    rationaleMix: { ...defaultRationaleMix, ...(over.rationaleMix === undefined ? {} : checkPerMechanism('rationaleMix', over.rationaleMix, checkUnit)) },
    seed,
  };
  checkEnsembleConfig(cfg);
  // The members' fields, checked by their own families, named under the member (`tagger.maxLen`).
  for (const [name, resolve] of [['linear', () => resolveLinearConfig(cfg.linear)], ['tagger', () => resolveTaggerConfig(cfg.tagger)]] as const) {
    try {
      resolve();
    } catch (e) {
      throw e instanceof ConfigFieldError ? e.under(name) : e;
    }
  }
  return cfg;
}

/**
 * The ensemble's own fields. Weights, the weight grid, thresholds, ρ and gate minimums are shares in
 * [0, 1]: a weight w mixes w·linear + (1 − w)·tagger, so only w in [0, 1] keeps the level probabilities a
 * probability distribution (w = 7 gave 1.47 and −1.49); a threshold outside [0, 1] marks every token or none.
 */
export function checkEnsembleConfig(c: EnsembleConfig): void {
  for (const m of MECHANISMS) {
    checkUnit(`weights.${m}`, c.weights[m]);
    checkUnit(`rationaleThreshold.${m}`, c.rationaleThreshold[m]);
    checkUnit(`rationaleMix.${m}`, c.rationaleMix[m]);
  }
  const folds = checkNumber('weightFolds', c.weightFolds, { integer: true, min: 0, max: 100 });
  if (folds === 1) checkNumber('weightFolds', folds, { integer: true, min: 2, max: 100 }); // 0 = off, else ≥ 2 folds
  checkNumberList('weightGrid', c.weightGrid, { min: 0, max: 1 });
  checkNumber('seed', c.seed, { integer: true });
}

function checkGate(v: unknown): RationaleGate {
  const g = checkObject('rationaleGate', v);
  return {
    minPositiveProb: g.minPositiveProb === undefined ? {} : checkPerMechanism('rationaleGate.minPositiveProb', g.minPositiveProb, checkUnit),
    soft: g.soft === undefined || (Array.isArray(g.soft) && g.soft.length === 0) ? [] : checkMechanisms('rationaleGate.soft', g.soft),
  };
}

function gateOf(g: RationaleGate): RationaleGate {
  return { minPositiveProb: { ...g.minPositiveProb }, soft: [...(g.soft ?? [])] };
}

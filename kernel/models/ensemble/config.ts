// The ensemble's configuration (the `offline-default` preset): its two members, the weight of the
// linear model's level probabilities per mechanism, and when and where its tagger's rationales are shown.
import type { Mechanism } from '../../engine/types';
import type { LinearConfig } from '../linear/config';
import type { TaggerConfig } from '../tagger/config';
import type { EnsembleWeights } from './combine';

/**
 * Weight of the linear model per mechanism, chosen by grouped 5-fold CV on the EPITOME train+dev files:
 * per fold, the grid weight with the best macro-F1 on the other folds' out-of-fold probabilities
 * (ER picked 0.9 in 5/5 folds, IP 0.9–1, EX 0.75 in 5/5; see bench/results/quality.md). Issue #8's
 * uniform 0.75 is the fallback when a mechanism has no data to choose from.
 */
export const defaultEnsembleWeights: EnsembleWeights = { ER: 0.9, IP: 0.9, EX: 0.75 };

/**
 * When a mechanism's rationale is shown. A mechanism listed in `minPositiveProb` shows its rationale when
 * the ensemble's P(level > 0) = p1 + p2 ≥ that value; an unlisted one when the predicted level (argmax) is
 * > 0. Either way the rationale appears only when the model thinks the response shows the mechanism.
 */
export interface RationaleGate {
  minPositiveProb: Partial<Record<Mechanism, number>>;
}

/**
 * ER and IP: the argmax gate; EX: P(level > 0) ≥ 0.55. Chosen by nested grouped 5-fold CV on the
 * out-of-fold predictions of `bench:quality --save-preds` (EPITOME train+dev; bench/rationaleGate.ts →
 * bench/results/rationale-gate.md). Criterion: pooled rationale token-F1 over ALL rows of the mechanism
 * (a rationale shown on a gold level-0 response counts its tokens as false positives). Rule families ×
 * token thresholds 0.30…0.60: argmax level > 0; P(level > 0) ≥ τ, τ ∈ 0.10…0.80; argmax or P ≥ τ;
 * no gate. The family with the best nested (held-out fold) score, then its 5-fold best rule:
 * all-rows F1 nested — ER argmax .439 (P ≥ τ .408, no gate .415); IP argmax .750 (P ≥ τ .749, no gate
 * .723); EX P ≥ τ .696 (argmax .693, no gate .660) — EX's P ≥ 0.55 picked in 5/5 folds (0.55 or 0.6).
 * Looser gates raise the level>0-rows F1 only by showing rationales on many level-0 responses: the
 * cheapest rule reaching issue #8's IP .84 is P ≥ 0.55 at threshold 0.35 (.841, tokens on 35% of gold
 * level-0 IP responses; argmax: 16%), for EX .80 it is P ≥ 0.45 at 0.4 (.802, 8%; argmax: 4%).
 */
export const defaultRationaleGate: RationaleGate = { minPositiveProb: { EX: 0.55 } };

/**
 * Token threshold per mechanism (tagger probability ≥ it → rationale token), chosen with the gate above
 * (nested picks ER 0.35–0.4, IP 0.35–0.4, EX 0.4–0.6 → the 5-fold best). Rationale token-F1 on gold
 * level>0 rows, previous rule (argmax gate, 0.5) → this one: ER .522 → .545, IP .812 → .824, EX .762 →
 * .784 in-sample (nested: .543, .823, .777); level predictions unchanged.
 */
export const defaultRationaleThreshold: Record<Mechanism, number> = { ER: 0.4, IP: 0.35, EX: 0.4 };

/**
 * Share of the linear model's (sentence-level) token rationale probabilities in the ensemble's, per
 * mechanism; the tagger's get 1 − ρ. Chosen by nested grouped CV with the gate and thresholds
 * (bench/rationaleGate.ts).
 */
export const defaultRationaleMix: Record<Mechanism, number> = { ER: 0.5, IP: 0.5, EX: 0.5 };

export interface EnsembleConfig {
  linear: Partial<LinearConfig>;
  tagger: Partial<TaggerConfig>;
  /** Weight of the linear model per mechanism (1 − w goes to the tagger). */
  weights: EnsembleWeights; // ER 0.9, IP 0.9, EX 0.75
  /**
   * Inner grouped folds to pick each weight from `weightGrid` on out-of-fold probabilities (trains both
   * members this many extra times); 0 keeps `weights`.
   */
  weightFolds: number; // 0
  weightGrid: number[]; // [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1]
  /** When rationales are shown (per mechanism: argmax level > 0, or P(level > 0) ≥ a minimum). */
  rationaleGate: RationaleGate; // { minPositiveProb: { EX: 0.55 } }: ER, IP argmax level > 0
  /** Tagger token probability at or above which a token is a rationale token, per mechanism. */
  rationaleThreshold: Record<Mechanism, number>; // ER 0.4, IP 0.35, EX 0.4
  /** Share of the linear model's token probabilities in the rationale (1 − ρ: the tagger's). */
  rationaleMix: Record<Mechanism, number>; // ER 0.5, IP 0.5, EX 0.5
  seed: number; // 12
}

export const defaultEnsembleConfig: EnsembleConfig = {
  linear: {},
  tagger: {},
  weights: { ...defaultEnsembleWeights },
  weightFolds: 0,
  weightGrid: [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1],
  rationaleGate: { minPositiveProb: { ...defaultRationaleGate.minPositiveProb } },
  rationaleThreshold: { ...defaultRationaleThreshold },
  rationaleMix: { ...defaultRationaleMix },
  seed: 12,
};

/** Defaults ⊕ overrides; from the CLI's TrainConfig only mechanisms, seed_val and backend apply (to the members). */
/** Overrides: any field; thresholds for some mechanisms only. */
export type EnsembleOverrides = Partial<Omit<EnsembleConfig, 'rationaleThreshold' | 'rationaleMix'>> & { rationaleThreshold?: Partial<Record<Mechanism, number>>; rationaleMix?: Partial<Record<Mechanism, number>> };

export function resolveEnsembleConfig(over: EnsembleOverrides & { mechanisms?: Mechanism[]; seed_val?: number; backend?: TaggerConfig['backend'] } = {}): EnsembleConfig {
  const seed = over.seed ?? over.seed_val ?? defaultEnsembleConfig.seed;
  return {
    linear: { ...(over.mechanisms ? { mechanisms: over.mechanisms } : {}), ...(over.linear ?? {}) },
    tagger: { ...(over.backend ? { backend: over.backend } : {}), ...(over.tagger ?? {}) },
    weights: { ...defaultEnsembleWeights, ...(over.weights ?? {}) },
    weightFolds: over.weightFolds ?? defaultEnsembleConfig.weightFolds,
    weightGrid: over.weightGrid ?? defaultEnsembleConfig.weightGrid,
    // A gate replaces the default gate whole (a mechanism left out gates on argmax), so {} = argmax everywhere.
    rationaleGate: { minPositiveProb: { ...(over.rationaleGate ?? defaultRationaleGate).minPositiveProb } },
    rationaleThreshold: { ...defaultRationaleThreshold, ...(over.rationaleThreshold ?? {}) },
    rationaleMix: { ...defaultRationaleMix, ...(over.rationaleMix ?? {}) },
    seed,
  };
}

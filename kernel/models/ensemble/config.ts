// The ensemble's configuration (the `offline-default` preset): its two members, the weight of the
// linear model's level probabilities per mechanism, and when and where its tagger's rationales are shown.
import type { Mechanism } from '../../engine/types';
import type { LinearConfig } from '../linear/config';
import type { TaggerConfig } from '../tagger/config';
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
 * Soft for ER, IP and EX. Chosen with the token thresholds and ρ below by nested grouped 5-fold CV on the
 * out-of-fold predictions of `bench:quality --save-preds` (EPITOME train+dev; bench/rationaleGate.ts →
 * bench/results/rationale-gate.md). Criterion: pooled rationale token-F1 over ALL rows of the mechanism
 * (a rationale shown on a gold level-0 response counts its tokens as false positives), never issue #8's
 * level>0-rows metric. Families compared: argmax level > 0; P(level > 0) ≥ τ; argmax or P ≥ τ; no gate;
 * soft; argmax and soft — × thresholds 0.2…0.7 × ρ 0…1. Soft has the best all-rows F1 for every
 * mechanism (ER .521 vs argmax .504, IP .784 vs .777, EX .746 vs .730). It can mark tokens of a response
 * whose argmax level is 0 when P(level > 0) is high enough: rationale tokens appear on 20% / 17% / 4% of
 * gold level-0 ER / IP / EX responses (argmax gate: 15% / 14% / 4%). `{ minPositiveProb: {} }` restores
 * the strict "predicted level > 0" gate (level>0-rows F1 then ER .576, IP .838, EX .809).
 */
export const defaultRationaleGate: RationaleGate = { minPositiveProb: {}, soft: ['ER', 'IP', 'EX'] };

/**
 * Token threshold per mechanism (a token whose — soft-gated — probability is at or above it is a
 * rationale token), chosen with the gate (nested picks ER 0.3 ×5, IP 0.45 ×4 / 0.4, EX 0.35 ×5).
 */
export const defaultRationaleThreshold: Record<Mechanism, number> = { ER: 0.3, IP: 0.45, EX: 0.35 };

/**
 * Share of the linear model's (sentence-level) token rationale probabilities in the ensemble's, per
 * mechanism; the tagger's get 1 − ρ. Chosen with the gate (nested picks ER 0.75 ×4 / 0.6, IP 0.9 ×3 /
 * 0.75 ×2, EX 0.75 ×5).
 */
export const defaultRationaleMix: Record<Mechanism, number> = { ER: 0.75, IP: 0.9, EX: 0.75 };

/**
 * The strict alternative (preset `offline-default-strict`): rationales only where the predicted level
 * (argmax) is > 0, with that family's best thresholds and ρ by the same selection (in-sample ER 0.45 /
 * ρ 0.6, IP 0.6 / 0.75, EX 0.45 / 0.75). Level>0-rows token-F1 ER .576, IP .838, EX .809; all-rows
 * .504 / .777 / .730 (soft default: .521 / .784 / .746).
 */
export const strictRationaleRule = {
  rationaleGate: { minPositiveProb: {} } as RationaleGate,
  rationaleThreshold: { ER: 0.45, IP: 0.6, EX: 0.45 } as Record<Mechanism, number>,
  rationaleMix: { ER: 0.6, IP: 0.75, EX: 0.75 } as Record<Mechanism, number>,
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
  rationaleGate: RationaleGate; // { minPositiveProb: {}, soft: ['ER', 'IP', 'EX'] }
  /** Token probability at or above which a token is a rationale token, per mechanism. */
  rationaleThreshold: Record<Mechanism, number>; // ER 0.3, IP 0.45, EX 0.35
  /** Share of the linear model's token probabilities in the rationale (1 − ρ: the tagger's). */
  rationaleMix: Record<Mechanism, number>; // ER 0.75, IP 0.9, EX 0.75
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
    // A gate replaces the default gate whole (a mechanism neither soft nor listed gates on argmax), so
    // { minPositiveProb: {} } = argmax everywhere.
    rationaleGate: gateOf(over.rationaleGate ?? defaultRationaleGate),
    rationaleThreshold: { ...defaultRationaleThreshold, ...(over.rationaleThreshold ?? {}) },
    rationaleMix: { ...defaultRationaleMix, ...(over.rationaleMix ?? {}) },
    seed,
  };
}

function gateOf(g: RationaleGate): RationaleGate {
  return { minPositiveProb: { ...g.minPositiveProb }, soft: [...(g.soft ?? [])] };
}

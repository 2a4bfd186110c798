// The ensemble's configuration (the `offline-default` preset): its two members and the weight of the
// linear model's level probabilities per mechanism.
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
  seed: number; // 12
}

export const defaultEnsembleConfig: EnsembleConfig = {
  linear: {},
  tagger: {},
  weights: { ...defaultEnsembleWeights },
  weightFolds: 0,
  weightGrid: [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1],
  seed: 12,
};

/** Defaults ⊕ overrides; from the CLI's TrainConfig only mechanisms, seed_val and backend apply (to the members). */
export function resolveEnsembleConfig(over: Partial<EnsembleConfig> & { mechanisms?: Mechanism[]; seed_val?: number; backend?: TaggerConfig['backend'] } = {}): EnsembleConfig {
  const seed = over.seed ?? over.seed_val ?? defaultEnsembleConfig.seed;
  return {
    linear: { ...(over.mechanisms ? { mechanisms: over.mechanisms } : {}), ...(over.linear ?? {}) },
    tagger: { ...(over.backend ? { backend: over.backend } : {}), ...(over.tagger ?? {}) },
    weights: { ...defaultEnsembleWeights, ...(over.weights ?? {}) },
    weightFolds: over.weightFolds ?? defaultEnsembleConfig.weightFolds,
    weightGrid: over.weightGrid ?? defaultEnsembleConfig.weightGrid,
    seed,
  };
}

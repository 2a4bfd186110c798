// The interface every model family implements (bi-encoder transformer, linear baseline, neural
// tagger, ensemble), so the CLI, kernel, panels and reports never care which one they hold.
import type { EvalReport, LabeledPair, Mechanism, Pair, PairPrediction, ProgressOptions, RunOptions } from './types';

export type ModelFamilyName = 'bi-encoder' | 'linear' | 'tagger' | 'ensemble';

export interface PredictOptions extends ProgressOptions {
  /** Token probability at or above which a token counts as rationale (default 0.5). */
  threshold?: number;
  /** Pairs per forward pass (default 32). */
  batchSize?: number;
}

/** A trained (or loaded) model. Holds its own tensors until `dispose()`. */
export interface EmpathyModel {
  readonly family: ModelFamilyName;
  /** Mechanisms this model scores (one for the original per-mechanism models, three for joint). */
  readonly mechanisms: readonly Mechanism[];
  /** Max tokens per side (the original's max_len). */
  readonly maxLen: number;
  predict(pairs: readonly Pair[], opts?: PredictOptions): Promise<PairPrediction[]>;
  evaluate(data: readonly LabeledPair[], opts?: PredictOptions): Promise<EvalReport>;
  /** Write a self-contained checkpoint (single safetensors file, atomically) to `path`. */
  save(path: string, extra?: { trainArgs?: unknown; metrics?: unknown }): Promise<void>;
  /** JSON-able description (family, sizes, preset) for runs and reports. */
  describe(): Record<string, unknown>;
  dispose(): void;
}

/** The data a training call gets. `dev` drives validation/early stopping, `test` the final report. */
export interface TrainData {
  train: readonly LabeledPair[];
  dev?: readonly LabeledPair[];
  test?: readonly LabeledPair[];
}

export interface TrainResult {
  model: EmpathyModel;
  /** Steps completed (less than planned when stopped). */
  steps: number;
  stopped?: 'aborted' | 'early-stopping';
  dev?: EvalReport;
  test?: EvalReport;
}

/** A model family: how to train one and how to load one from a checkpoint. */
export interface ModelFamily<Cfg = unknown> {
  readonly name: ModelFamilyName;
  train(cfg: Cfg, data: TrainData, opts?: RunOptions): Promise<TrainResult>;
  load(path: string): Promise<EmpathyModel>;
}

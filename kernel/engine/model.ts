// The interface every model family implements (bi-encoder transformer, linear baseline, neural
// tagger, ensemble), so the CLI, kernel, panels and reports never care which one they hold.
import type { EvalReport, LabeledPair, Level, Mechanism, Pair, PairPrediction, ProgressOptions, RunOptions } from './types';
import type { LoadModelOptions } from './torch/importOptions';

/** A model family's name; which exist is the family registry's to say (kernel/models/families.ts). */
export type ModelFamilyName = string;

export interface PredictOptions extends ProgressOptions {
  /** Token probability at or above which a token counts as rationale (default 0.5). */
  threshold?: number;
  /** Pairs per forward pass (default 32). */
  batchSize?: number;
}

/** What `EmpathyModel.salience` attributes. */
export interface SalienceOptions {
  /** The level whose score is attributed (default: the level the model predicts for the pair). */
  level?: Level;
  /** Differentiate the level's raw logit (default) or its log-probability (log-softmax over the 3 levels). */
  target?: 'logit' | 'logprob';
}

/** A trained (or loaded) model. Holds its own tensors until `dispose()`. */
export interface EmpathyModel {
  readonly family: ModelFamilyName;
  /** Mechanisms this model scores (one for the original per-mechanism models, three for joint). */
  readonly mechanisms: readonly Mechanism[];
  /** Max tokens per side (the original's max_len). */
  readonly maxLen: number;
  predict(pairs: readonly Pair[], opts?: PredictOptions): Promise<PairPrediction[]>;
  /**
   * Optional token attribution of one mechanism's level score, for the Rationale Inspector's salience view.
   * Returns one non-negative value per entry of `predict([pair])[0].mechanisms[mechanism].tokens` (same
   * order; specials and padding have no entry), normalised by the maximum to [0, 1] (all zeros when
   * nothing contributes). Neural families: |gradient × input| summed over the embedding dimension, of the
   * level's logit (or log-prob) with respect to the response tokens' input embeddings (bi-encoder: word +
   * position; tagger: word + char n-gram). Families without input embeddings may give a documented
   * non-gradient attribution instead (linear: |weight × tf-idf| of the n-grams touching the token).
   * Owns every tensor it makes (nothing left allocated).
   */
  salience?(pair: Pair, mechanism: Mechanism, opts?: SalienceOptions): Promise<number[]>;
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
  /** `opts.torch` says how to read a PyTorch `.pth` (only the bi-encoder family opens one). */
  load(path: string, opts?: LoadModelOptions): Promise<EmpathyModel>;
}

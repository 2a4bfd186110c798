// The engine's public contract: the domain's plain-data types (dataset/schema.ts, dataset/results.ts),
// re-exported for the engine's callers, and the options of long work (abort, events, progress).
import type { TrainEvent } from '../../dataset/results';
export type { Level, LabeledPair, Mechanism, MechanismLabel, Pair } from '../../dataset/schema';
export type * from '../../dataset/results';

export interface RunOptions {
  /** Abort between batches; the model keeps the weights of the last completed step. */
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
}

/** Progress of non-training long work (prediction over a big file, evaluation). */
export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
}

// The domain's result types, beside the schema (schema.ts) they describe: what a model predicts for a pair,
// an evaluation report with its metric records (computed by kernel/metrics/), the events of a training and
// the backend that ran it. Plain data (no tensors), shared by the engine, the model families, metrics,
// the protocol and the CLI, so none of them owns another's types.
import type { Level, Mechanism } from './schema';

/** Per-level precision / recall / F1. */
export interface ClassReport {
  level: Level;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Level (0/1/2) classification metrics (kernel/metrics/levels.ts). */
export interface LevelMetrics {
  accuracy: number;
  /**
   * Mean F1 over the levels present in gold or predictions (scikit-learn's `average='macro'`
   * label set); an undefined precision/recall counts as 0.
   */
  macroF1: number;
  /** All three levels, absent ones with support 0. */
  perClass: ClassReport[];
  /** confusion[gold][pred], 3×3. */
  confusion: number[][];
  /** Cohen's kappa; 1 when both raters agree perfectly on a single class (sklearn would give NaN). */
  kappa: number;
  /** Quadratic-weighted kappa, weights (i−j)²/4 over the three levels. */
  kappaQuadratic: number;
}

/** The original code's batch-averaged numbers (kernel/metrics/paperFaithful.ts). */
export interface PaperFaithfulMetrics {
  batchSize: number;
  accuracy: number;
  macroF1: number;
  rationaleAccuracy: number;
  rationaleMacroF1: number;
  iouF1: number;
}

/** A span of the response, character offsets [start, end). */
export interface Span {
  start: number;
  end: number;
  text: string;
  /** Mean rationale probability over the span's tokens (when predicted). */
  score?: number;
}

/** A response token with character offsets into the response post and its rationale probability. */
export interface RationaleToken {
  text: string;
  start: number;
  end: number;
  prob: number;
}

export interface MechanismPrediction {
  level: Level;
  /** Class probabilities for levels 0, 1, 2. */
  probs: [number, number, number];
  /** Response tokens kept within max_len (special tokens excluded), with rationale probabilities. */
  tokens: RationaleToken[];
  /** Rationale spans: maximal runs of tokens with prob ≥ threshold, as character offsets. */
  spans: Span[];
  /** True when the response was cut at max_len (its tail was not scored). */
  truncated: boolean;
}

export interface PairPrediction {
  id: string;
  seekerPost: string;
  responsePost: string;
  mechanisms: Partial<Record<Mechanism, MechanismPrediction>>;
}

/** Which backend is running, and why the faster ones were skipped. */
/** The WebGPU adapter the `webgpu` backend runs on, as Dawn reports it. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  /** e.g. "NVIDIA H100" or "llvmpipe-llvm-15-0-6-256-bits-". */
  device: string;
  description: string;
  /** The Dawn backend: vulkan, metal, d3d12, opengles… */
  dawnBackend: string;
  /** 'compatibility' where the adapter offers only WebGPU's compatibility feature level (OpenGL ES). */
  featureLevel: 'core' | 'compatibility';
  /** A software rasteriser (llvmpipe, lavapipe, SwiftShader…): correct, but slower than wasm. */
  software: boolean;
}

export interface BackendInfo {
  name: 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  device: 'GPU' | 'CPU';
  /** e.g. "wasm (SIMD, 2 threads)" or "tfjs-node-gpu (CUDA, NVIDIA H100)". */
  detail: string;
  /** The GPU adapter, for `webgpu`. */
  adapter?: GpuAdapterInfo;
  /** What runs BatchMatMul on wasm/cpu: "onnxruntime 1.31.1 MLAS" or "tfjs (why)" (EMPATHY_MATMUL). */
  matmul?: string;
  /** Where a training run keeps what (host memory, micro-batches), set on a training's 'start' event. */
  training?: string;
  /** Backends tried before this one, each with the reason it was not used. */
  skipped: Array<{ name: string; reason: string }>;
  /** How the choice was made: 'auto', or the source of a forced choice ('config', 'flag', 'env'). */
  chosenBy: 'auto' | 'config' | 'flag' | 'env';
}

export interface RationaleReport {
  /** Token-level F1 of the positive (rationale) class, pooled over tokens (corpus level). */
  tokenF1: number;
  /** Mean over examples of span F1 where a predicted span matches a gold one at IoU ≥ 0.5. */
  iouF1: number;
}

/** Metrics of one mechanism on one labelled set. */
/** One mechanism's evaluation: the level metrics (metrics/levels.ts) plus rationales and the paper's numbers. */
export interface MechanismEval extends LevelMetrics {
  mechanism: Mechanism;
  n: number;
  /** Mean of the largest level probability over the rows, when the model gave probabilities (1/3 = uniform). */
  meanTopProb?: number;
  /** Rationale metrics on every row and on rows with gold level > 0. */
  rationale: { all: RationaleReport; positive: RationaleReport };
  /**
   * The original code's numbers: averaged over batches of `batchSize` (last partial batch counts
   * fully), with its label conventions (see ../shared/notes/epitome-science.md). Side by side with
   * the corpus-level ones above.
   */
  paperFaithful: PaperFaithfulMetrics;
}

export interface EvalReport {
  /** Mean total loss over the set (NaN for model families without a loss). */
  loss: number;
  mechanisms: Partial<Record<Mechanism, MechanismEval>>;
}

/** Long work is a stream of typed, versioned events. */
export type TrainEvent =
  | { type: 'start'; v: 1; totalSteps: number; stepsPerEpoch: number; epochs: number; examples: number; backend: BackendInfo; resumedFromStep: number }
  | { type: 'step'; v: 1; step: number; epoch: number; loss: number; lossLevel: number; lossRationale: number; lr: number; gradNorm: number; examplesPerSec: number }
  | { type: 'epoch'; v: 1; epoch: number; step: number; trainLoss: number; dev?: EvalReport }
  | { type: 'checkpoint'; v: 1; step: number; path: string }
  /** Progress of the dev (validation) or test evaluation inside a training. */
  | { type: 'eval'; v: 1; split: 'dev' | 'test'; done: number; total: number }
  | { type: 'log'; v: 1; level: 'info' | 'warn'; message: string }
  | { type: 'stopped'; v: 1; step: number; reason: 'aborted' | 'early-stopping' }
  | { type: 'end'; v: 1; step: number; dev?: EvalReport; test?: EvalReport };

// How a bi-encoder training step fits the wasm backend's memory (wasm32: 4 GB at most, never shrinks):
// what the heap holds for the whole run, what one example's forward adds, and the micro-batch that keeps a
// step under the budget (the same effective batch as --grad_accum would give), or why nothing can fit.
import type { BiEncoder } from './biEncoder';
import type { EncoderConfig } from './config';

/** wasm32's largest linear memory (65536 pages less one, what the tfjs-wasm build grows to). */
export const WASM_HEAP_MAX = 4294901760;

/**
 * The heap a step is planned to use: well under WASM_HEAP_MAX (a step that overflows wasm32 dies with
 * "memory access out of bounds"), because the activation estimate below is a fit, the allocator fragments,
 * and the process's resident memory (heap + the host arrays) should stay under 4 GB for roberta-base
 * (bench/results/roberta-base-memory.md).
 */
export const WASM_TRAINING_HEAP_BUDGET = 2.5 * 1024 ** 3;

/**
 * Bytes one example (T tokens per side) holds in the backend at the end of the forward: what the tape saved
 * per responder layer and token (≈ 38·H + 7·I + 8·heads·T floats) plus the cross-attention and heads (≈ 30·H
 * per token). Fitted to tf.memory() at the loss on wasm (h256/I1024/4 heads and h768/I3072/12 heads, 1–2
 * layers; roberta-base: 56,841 floats per token and layer). tf.memory() counts a buffer shared by a saved
 * clone more than once, so this is an upper bound: roberta-base B8 T64 planned 1.38 GB, tf.memory() said
 * 1.09 GB, and the whole heap stayed at 1.18 GB with the weights (bench/results/roberta-base-memory.md).
 */
export function activationBytesPerExample(enc: EncoderConfig, seqLen: number): number {
  const perLayerToken = 38 * enc.hidden + 7 * enc.intermediate + 8 * enc.heads * seqLen;
  return 4 * seqLen * (enc.layers * perLayerToken + 30 * enc.hidden);
}

export interface TrainingMemory {
  /** Weights that stay in the backend (trainable ones, and the seeker when it is not moved out). */
  deviceWeightBytes: number;
  /** Gradients being finished at once in the backend (two of the largest trained tensor: conservative). */
  gradientFrontierBytes: number;
  activationBytesPerExample: number;
}

export interface MicroBatchPlan {
  /** Gradient accumulation steps actually used (≥ the one asked for). */
  gradAccum: number;
  /** Pairs per forward pass: ceil(batch / gradAccum). */
  microBatch: number;
  /** Heap the plan expects at the step's peak. */
  heapBytes: number;
  /** Set when gradAccum was raised from the one asked for: why, for the backend line. */
  note?: string;
}

const gb = (b: number) => (b / 1024 ** 3).toFixed(1);

/**
 * The micro-batching for `batch` pairs on the wasm heap: the asked `gradAccum` when a micro-batch fits
 * WASM_TRAINING_HEAP_BUDGET, else the smallest larger one that does. A string (the refusal) when not even
 * one pair fits in wasm32's 4 GB.
 */
export function planMicroBatches(mem: TrainingMemory, batch: number, gradAccum: number, budget = WASM_TRAINING_HEAP_BUDGET): MicroBatchPlan | string {
  const fixed = mem.deviceWeightBytes + mem.gradientFrontierBytes;
  const heapFor = (micro: number) => fixed + micro * mem.activationBytesPerExample;
  if (heapFor(1) > WASM_HEAP_MAX) {
    return `needs ${gb(heapFor(1))} GB of the wasm heap for a single pair (weights kept in the backend ${gb(mem.deviceWeightBytes)} GB, one pair's activations ${gb(mem.activationBytesPerExample)} GB), and wasm32 stops at 4 GB`;
  }
  const asked = Math.ceil(batch / gradAccum);
  if (heapFor(asked) <= budget) return { gradAccum, microBatch: asked, heapBytes: heapFor(asked) };
  let k = gradAccum;
  while (k < batch && heapFor(Math.ceil(batch / k)) > budget) k++;
  const micro = Math.ceil(batch / k);
  return {
    gradAccum: k,
    microBatch: micro,
    heapBytes: heapFor(micro),
    note: `micro-batches of ${micro} × ${k} per step of ${batch} (as --grad_accum ${k}): a batch of ${asked} needs ~${gb(heapFor(asked))} GB of the wasm heap, planned ≤ ${gb(budget)} GB`,
  };
}

/** What `net` (after BiEncoderStepper moved what it moves) will hold in the backend, for `seqLen` tokens per side. */
export function trainingMemory(net: BiEncoder, seqLen: number): TrainingMemory {
  let device = 0, largest = 0;
  for (const v of net.params.values()) {
    device += v.size * 4;
    if (v.trainable) largest = Math.max(largest, v.size * 4);
  }
  return { deviceWeightBytes: device, gradientFrontierBytes: 2 * largest, activationBytesPerExample: activationBytesPerExample(net.cfg.encoder, seqLen) };
}

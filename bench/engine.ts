// Engine speed and memory of one configuration: bi-encoder training steps (forward + backward + clip + AdamW)
// or inference throughput at the paper's shapes (B32, T64 per side). bench/run.ts runs each configuration in
// its own child process (bench/engineChild.ts) and compares it with PyTorch (bench/reference.ts).
import * as tf from '@tensorflow/tfjs';
import { BiEncoder, type EncodedBatch } from '../kernel/models/bi-encoder/biEncoder';
import { AdamW } from '../kernel/engine/adamw';
import { BiEncoderStepper, type MicroBatch } from '../kernel/models/bi-encoder/trainStep';
import { planMicroBatches, trainingMemory } from '../kernel/models/bi-encoder/memoryPlan';
import { initBackend, type BackendPreference } from '../kernel/engine/backend';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import type { BackendInfo } from '../kernel/engine/types';
import { wasmHeapBytes } from './memory';

/** What one engine configuration measured, in its own process (so the peak RSS is this configuration's). */
export interface EngineBenchResult {
  backend: BackendInfo;
  preset: string;
  batch: number;
  seqLen: number;
  /** 'train' (warm-up step + N steps) or 'infer' (warm-up batch + N batches, no training before). */
  mode: 'train' | 'infer';
  /** Pairs per forward pass of a training step (the trainer's plan: fewer than `batch` on wasm when it does not fit). */
  microBatch?: number;
  /** Median seconds per training step, after one warm-up step (train only). */
  stepSeconds?: number;
  /** Every timed step, s (train only). */
  stepTimes?: number[];
  /** Inference pairs per second, after one warm-up batch (infer only). */
  pairsPerSecond?: number;
  /** Peak resident set size of the process (getrusage maxrss), GB. */
  peakRssGB: number;
  /** The wasm backend's linear memory at the end (it grows to the peak and never shrinks), GB. */
  wasmHeapGB?: number;
  /** Peak bytes the backend held on the GPU (buffers in use and pooled), MB, where it says (webgpu); else undefined. */
  peakGpuMB?: number;
  /** Tensors alive after the run minus before (must be 0: every tensor has an owner). */
  leakedTensors: number;
}

/** A deterministic synthetic batch: ids in [4, vocab), lengths spread over [8, T] (torch_bench.py builds the same). */
export function syntheticBatch(B: number, T: number, vocab: number): EncodedBatch {
  const mk = (salt: number) => {
    const ids = new Int32Array(B * T).fill(1);
    const mask = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const len = 8 + ((b * 7 + salt) % (T - 8));
      for (let t = 0; t < len; t++) {
        ids[b * T + t] = t === 0 ? 0 : t === len - 1 ? 2 : 4 + ((b * 131 + t * 17 + salt) % (vocab - 4));
        mask[b * T + t] = 1;
      }
    }
    return { ids, mask };
  };
  const sp = mk(3);
  const rp = mk(11);
  const levels = new Int32Array(B).map((_, b) => b % 3);
  const rationales = new Int32Array(B * T).map((_, i) => (rp.mask[i] && i % 5 === 0 ? 1 : 0));
  return { batch: B, seqLen: T, idsSP: sp.ids, maskSP: sp.mask, idsRP: rp.ids, maskRP: rp.mask, levels: { ER: levels }, rationales: { ER: rationales } };
}

/**
 * One training step as the trainer does it (kernel/models/bi-encoder/trainStep.ts): forward + backward,
 * global-norm clip to 1.0, AdamW; on wasm/cpu with the seeker, gradients and moments outside the backend.
 */
export async function trainStep(stepper: BiEncoderStepper, batch: EncodedBatch, seed: number, microBatch = batch.batch): Promise<void> {
  // On a GPU the AdamW update is queued, not waited for; the next step's loss read waits for it, so the
  // median over steps 1..N counts it (the last one falls into the inference warm-up).
  const micro: MicroBatch[] = [];
  for (let b0 = 0, k = 0; b0 < batch.batch; b0 += microBatch, k++) {
    const b1 = Math.min(batch.batch, b0 + microBatch);
    micro.push({ batch: microBatch === batch.batch ? batch : batchRows(batch, b0, b1), weight: (b1 - b0) / batch.batch, fwd: { training: true, seed: seed * 64 + k } });
  }
  await stepper.step(micro, { lambdaEI: 1, lambdaRE: 0.5 }, 2e-5, 1.0);
}

/** Pairs b0..b1 of a batch, as a batch of their own (a micro-batch). */
export function batchRows(b: EncodedBatch, b0: number, b1: number): EncodedBatch {
  const T = b.seqLen;
  const s = (a: Int32Array) => a.slice(b0 * T, b1 * T);
  const per = <V>(r: Partial<Record<string, V>> | undefined, f: (v: V) => V) => (r ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v as V)])) : undefined);
  return {
    batch: b1 - b0, seqLen: T, idsSP: s(b.idsSP), maskSP: s(b.maskSP), idsRP: s(b.idsRP), maskRP: s(b.maskRP),
    levels: per(b.levels, (a: Int32Array) => a.slice(b0, b1)), rationales: per(b.rationales, s),
  };
}

/** One inference batch: level probabilities of every pair, read back. */
export async function inferBatch(model: BiEncoder, batch: EncodedBatch): Promise<void> {
  const probs = tf.tidy(() => {
    const out = model.forward(batch, { training: false });
    return tf.softmax(out.levelLogits.ER!);
  });
  try { await probs.data(); } finally { probs.dispose(); }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Options of one measured configuration. */
export interface EngineBenchOptions {
  backend: BackendPreference;
  mode: 'train' | 'infer';
  preset?: string;
  /** Timed steps or inference batches after the warm-up one (default 3). */
  steps?: number;
  batch?: number;
  seqLen?: number;
  log?: (s: string) => void;
}

/** One configuration: a training run (warm-up + steps) or an inference run (warm-up + batches), never both. */
export async function benchEngine(opts: EngineBenchOptions): Promise<EngineBenchResult> {
  const log = opts.log ?? (() => {});
  const preset = opts.preset ?? 'small';
  const B = opts.batch ?? 32;
  const T = opts.seqLen ?? 64;
  const steps = opts.steps ?? 3;
  const backend = await initBackend(opts.backend, 'flag');
  const cfg = resolvePreset(preset, { mechanisms: ['ER'] });
  let peakGpu: number | undefined;
  // Peak bytes webgpu holds (in use and pooled); other backends do not say.
  const sampleGpu = () => {
    const gpu = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
    if (typeof gpu === 'number') peakGpu = Math.max(peakGpu ?? 0, gpu);
  };
  const before = tf.memory().numTensors;

  const model = new BiEncoder(cfg, 12);
  const batch = syntheticBatch(B, T, cfg.encoder.vocabSize);
  const times: number[] = [];
  let microBatch: number | undefined;
  if (opts.mode === 'train') {
    const opt = new AdamW({ lr: 2e-5 });
    const stepper = new BiEncoderStepper(model, opt);
    // The trainer's micro-batching (train.ts planStepMemory): on wasm, what fits the heap budget.
    const plan = backend.name === 'wasm' ? planMicroBatches(trainingMemory(model, T), B, 1) : undefined;
    if (typeof plan === 'string') throw new Error(plan);
    microBatch = plan?.microBatch ?? B;
    if (plan?.note) log(`  ${plan.note}`);
    for (let s = 0; s <= steps; s++) {
      const t0 = performance.now();
      await trainStep(stepper, batch, s, microBatch);
      sampleGpu();
      const dt = (performance.now() - t0) / 1000;
      if (s > 0) times.push(dt); // step 0 warms up kernels and allocates optimizer state
      log(`  ${backend.name} step ${s}: ${dt.toFixed(2)} s${s === 0 ? ' (warm-up)' : ''}`);
    }
    stepper.dispose();
    opt.dispose();
  } else {
    for (let i = 0; i <= steps; i++) {
      const t0 = performance.now();
      await inferBatch(model, batch);
      sampleGpu();
      const dt = (performance.now() - t0) / 1000;
      if (i > 0) times.push(dt);
      log(`  ${backend.name} inference batch ${i}: ${dt.toFixed(2)} s${i === 0 ? ' (warm-up)' : ''}`);
    }
  }
  model.dispose();
  const leaked = tf.memory().numTensors - before;
  const heap = wasmHeapBytes();
  return {
    backend, preset, batch: B, seqLen: T, mode: opts.mode, ...(microBatch !== undefined ? { microBatch } : {}),
    ...(opts.mode === 'train' ? { stepSeconds: median(times), stepTimes: times } : { pairsPerSecond: (times.length * B) / times.reduce((a, b) => a + b, 0) }),
    peakRssGB: (process.resourceUsage().maxRSS * 1024) / 1024 ** 3,
    ...(heap !== undefined ? { wasmHeapGB: heap / 1024 ** 3 } : {}),
    ...(peakGpu !== undefined ? { peakGpuMB: peakGpu / 1024 ** 2 } : {}),
    leakedTensors: leaked,
  };
}

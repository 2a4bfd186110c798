// Engine speed and memory: one bi-encoder training step (forward + backward + clip + AdamW) and
// inference throughput at the paper's shapes (B32, T64 per side), on the backends asked for.
// Compared with the PyTorch 1.13 CPU reference measured on this machine class (../shared/notes):
// 0.85 s per training step and 78 pairs/s inference, 1 thread, h256 L4 H4 (the `small` preset).
import * as tf from '@tensorflow/tfjs';
import { BiEncoder, type EncodedBatch } from '../kernel/models/bi-encoder/biEncoder';
import { AdamW, clipGlobalNormAsync } from '../kernel/engine/adamw';
import { initBackend, type BackendPreference } from '../kernel/engine/backend';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import type { BackendInfo } from '../kernel/engine/types';

export const PYTORCH_REFERENCE = { stepSeconds: 0.85, pairsPerSecond: 78, rssGB: 0.6 };

export interface EngineBenchResult {
  backend: BackendInfo;
  preset: string;
  batch: number;
  seqLen: number;
  /** Median seconds per training step (after one warm-up step). */
  stepSeconds: number;
  /** Inference pairs per second (after one warm-up batch). */
  pairsPerSecond: number;
  /** Peak resident set size seen during the run, GB. */
  peakRssGB: number;
  /** Tensors alive after the run minus before (must be 0: every tensor has an owner). */
  leakedTensors: number;
}

/** A deterministic synthetic batch: ids in [4, vocab), lengths spread over [8, T]. */
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchEngine(opts: { backend: BackendPreference; preset?: string; steps?: number; batch?: number; seqLen?: number; log?: (s: string) => void }): Promise<EngineBenchResult> {
  const log = opts.log ?? (() => {});
  const preset = opts.preset ?? 'small';
  const B = opts.batch ?? 32;
  const T = opts.seqLen ?? 64;
  const steps = opts.steps ?? 3;
  const backend = await initBackend(opts.backend, 'flag');
  const cfg = resolvePreset(preset, { mechanisms: ['ER'] });
  let peak = process.memoryUsage().rss;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
  const before = tf.memory().numTensors;

  const model = new BiEncoder(cfg, 12);
  const opt = new AdamW({ lr: 2e-5 });
  const batch = syntheticBatch(B, T, cfg.encoder.vocabSize);
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    // Asynchronous reads (the loss and the norm), as the trainer does: webgpu has no synchronous readback.
    // On a GPU the AdamW update is queued, not waited for; the next step's loss read waits for it, so the
    // median over steps 1..N counts it (the last one falls into the inference warm-up).
    const { grads } = await model.lossAndGradsAsync(batch, { training: true, seed: s }, { lambdaEI: 1, lambdaRE: 0.5 });
    const clipped = await clipGlobalNormAsync(grads, 1.0);
    opt.step(model.params, clipped.grads, 2e-5);
    for (const g of grads.values()) g.dispose();
    for (const g of clipped.grads.values()) if (!g.isDisposed) g.dispose();
    const dt = (performance.now() - t0) / 1000;
    sample();
    if (s > 0) times.push(dt); // step 0 warms up kernels and allocates optimizer state
    log(`  ${backend.name} step ${s}: ${dt.toFixed(2)} s${s === 0 ? ' (warm-up)' : ''}`);
  }

  const inferBatches = 3;
  let inferSeconds = 0;
  for (let i = 0; i <= inferBatches; i++) {
    const t0 = performance.now();
    const probs = tf.tidy(() => {
      const out = model.forward(batch, { training: false });
      return tf.softmax(out.levelLogits.ER!);
    });
    await probs.data();
    probs.dispose();
    const dt = (performance.now() - t0) / 1000;
    sample();
    if (i > 0) inferSeconds += dt;
  }

  model.dispose();
  opt.dispose();
  const leaked = tf.memory().numTensors - before;
  return {
    backend, preset, batch: B, seqLen: T,
    stepSeconds: median(times),
    pairsPerSecond: (inferBatches * B) / inferSeconds,
    peakRssGB: peak / 1024 ** 3,
    leakedTensors: leaked,
  };
}

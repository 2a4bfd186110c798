// AdamW with transformers-2.7 semantics (the original train.py) and PyTorch's clip_grad_norm_.
import * as tf from '@tensorflow/tfjs';
import { addAll } from './ops';
import type { TensorEntry } from './safetensors';
import { toFloat32 } from './safetensors';

export interface AdamWOptions {
  /** Base learning rate (train.py: 2e-5); step() takes the scheduled lr. */
  lr: number;
  /** Moment decay rates (0.9, 0.999). */
  betas: [number, number];
  /** Added to the UN-corrected sqrt(v) (transformers 2.7, not torch.optim.AdamW) (1e-8). */
  eps: number;
  /** Decoupled weight decay, applied after the update as p -= lr·wd·p (0 = train.py). */
  weightDecay: number;
  /** Bias correction folded into the step size (true). */
  correctBias: boolean;
}

export const defaultAdamWOptions: AdamWOptions = { lr: 2e-5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, correctBias: true };

interface Slot {
  m: tf.Variable; // exp_avg, same shape as the parameter
  v: tf.Variable; // exp_avg_sq
  step: number;
}

/**
 * Per parameter: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= lr·sqrt(1-β2^t)/(1-β1^t) · m / (sqrt(v) + eps); then p -= lr·wd·p.
 * Parameters without a gradient this step are skipped (their state and step count unchanged).
 */
export class AdamW {
  readonly opts: AdamWOptions;
  private readonly slots = new Map<string, Slot>();

  constructor(opts: Partial<AdamWOptions> = {}) {
    this.opts = { ...defaultAdamWOptions, ...opts };
  }

  step(vars: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number = this.opts.lr): void {
    const [b1, b2] = this.opts.betas;
    const { eps, weightDecay, correctBias } = this.opts;
    for (const [name, g] of grads) {
      const p = vars.get(name);
      if (!p) throw new Error(`AdamW: gradient for unknown parameter '${name}'`);
      if (g.shape.join(',') !== p.shape.join(',')) throw new Error(`AdamW: gradient of '${name}' has shape [${g.shape}], parameter [${p.shape}]`);
      let s = this.slots.get(name);
      if (!s) {
        s = { m: zerosVariable(p.shape), v: zerosVariable(p.shape), step: 0 };
        this.slots.set(name, s);
      }
      s.step += 1;
      const t = s.step;
      // Step size in double precision, like PyTorch's Python-float arithmetic.
      const stepSize = correctBias ? (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t) : lr;
      const slot = s;
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, b1), tf.mul(g, 1 - b1)); // exp_avg
        const v = tf.add(tf.mul(slot.v, b2), tf.mul(tf.mul(g, g), 1 - b2)); // exp_avg_sq
        const denom = tf.add(tf.sqrt(v), eps);
        let np = tf.add(p, tf.mul(tf.div(m, denom), -stepSize));
        if (weightDecay > 0) np = tf.add(np, tf.mul(np, -lr * weightDecay));
        slot.m.assign(m);
        slot.v.assign(v);
        p.assign(np);
      });
    }
  }

  /** Optimiser state for a checkpoint: `optimizer.<param>.exp_avg|exp_avg_sq` (F32) and `.step` (I32 [1]). */
  getState(): Map<string, TensorEntry> {
    const out = new Map<string, TensorEntry>();
    for (const [name, s] of this.slots) {
      out.set(`optimizer.${name}.exp_avg`, { dtype: 'F32', shape: [...s.m.shape], data: s.m.dataSync() as Float32Array });
      out.set(`optimizer.${name}.exp_avg_sq`, { dtype: 'F32', shape: [...s.v.shape], data: s.v.dataSync() as Float32Array });
      out.set(`optimizer.${name}.step`, { dtype: 'I32', shape: [1], data: Int32Array.of(s.step) });
    }
    return out;
  }

  /** getState() read asynchronously (every backend, webgpu included). */
  async getStateAsync(): Promise<Map<string, TensorEntry>> {
    const out = new Map<string, TensorEntry>();
    for (const [name, s] of this.slots) {
      out.set(`optimizer.${name}.exp_avg`, { dtype: 'F32', shape: [...s.m.shape], data: (await s.m.data()) as Float32Array });
      out.set(`optimizer.${name}.exp_avg_sq`, { dtype: 'F32', shape: [...s.v.shape], data: (await s.v.data()) as Float32Array });
      out.set(`optimizer.${name}.step`, { dtype: 'I32', shape: [1], data: Int32Array.of(s.step) });
    }
    return out;
  }

  /** Restore getState() output (other keys, e.g. model weights in the same file, are ignored). */
  setState(state: Map<string, TensorEntry>): void {
    const names = new Set<string>();
    for (const k of state.keys()) {
      const m = /^optimizer\.(.+)\.(exp_avg|exp_avg_sq|step)$/.exec(k);
      if (m) names.add(m[1]);
    }
    for (const name of names) {
      const m = state.get(`optimizer.${name}.exp_avg`);
      const v = state.get(`optimizer.${name}.exp_avg_sq`);
      const st = state.get(`optimizer.${name}.step`);
      if (!m || !v || !st) throw new Error(`AdamW.setState: incomplete state for '${name}' (needs exp_avg, exp_avg_sq, step)`);
      if (m.shape.join(',') !== v.shape.join(',')) throw new Error(`AdamW.setState: '${name}' exp_avg [${m.shape}] vs exp_avg_sq [${v.shape}]`);
      const step = st.dtype === 'I64' ? Number((st.data as BigInt64Array)[0]) : st.dtype === 'I32' ? (st.data as Int32Array)[0] : Math.round((toFloat32(k(name), st))[0]);
      const old = this.slots.get(name);
      if (old) { old.m.dispose(); old.v.dispose(); }
      this.slots.set(name, {
        m: ownedVariable(tf.tensor(toFloat32(`optimizer.${name}.exp_avg`, m), m.shape)),
        v: ownedVariable(tf.tensor(toFloat32(`optimizer.${name}.exp_avg_sq`, v), v.shape)),
        step,
      });
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) { s.m.dispose(); s.v.dispose(); }
    this.slots.clear();
  }
}

/** A non-trainable variable from a temporary tensor (the temporary is freed). */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

function zerosVariable(shape: number[]): tf.Variable {
  return ownedVariable(tf.zeros(shape));
}

function k(name: string): string {
  return `optimizer.${name}.step`;
}

/**
 * torch.nn.utils.clip_grad_norm_: global L2 norm over all gradients; when max/(norm+1e-6) < 1 every gradient
 * is scaled by it. Returns NEW tensors (the caller still owns and disposes the inputs) and the pre-clip norm.
 */
export function clipGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const sq = sumOfSquares(grads);
  const norm = sq ? Math.sqrt(sq.dataSync()[0]) : 0;
  sq?.dispose();
  return scaleByNorm(grads, maxNorm, norm);
}

/** clipGlobalNorm with the norm read asynchronously (every backend, webgpu included). */
export async function clipGlobalNormAsync(grads: Map<string, tf.Tensor>, maxNorm: number): Promise<{ grads: Map<string, tf.Tensor>; norm: number }> {
  const sq = sumOfSquares(grads);
  try {
    return scaleByNorm(grads, maxNorm, sq ? Math.sqrt((await sq.data())[0]) : 0);
  } finally {
    sq?.dispose();
  }
}

/** Σ‖g‖² over the gradients, as a scalar the caller disposes (undefined for none). */
function sumOfSquares(grads: Map<string, tf.Tensor>): tf.Scalar | undefined {
  if (grads.size === 0) return undefined;
  // Per-tensor Σg² summed in order, as torch stacks per-tensor norms. tf.norm would go through Abs and Pow
  // (wasm: 88 ms of a small step, bench/results/profile-before.md) only to be squared again.
  return tf.tidy(() => addAll([...grads.values()].map((g) => tf.sum(tf.square(g)) as tf.Scalar)));
}

function scaleByNorm(grads: Map<string, tf.Tensor>, maxNorm: number, norm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const coef = maxNorm / (norm + 1e-6);
  const out = new Map<string, tf.Tensor>();
  for (const [n, g] of grads) out.set(n, coef < 1 ? tf.mul(g, coef) : tf.clone(g));
  return { grads: out, norm };
}

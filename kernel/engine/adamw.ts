// AdamW with transformers-2.7 semantics (the original train.py) and PyTorch's clip_grad_norm_.
import * as tf from '@tensorflow/tfjs';
import { addAll } from './ops';
import type { TensorEntry } from './safetensors';
import { toFloat32 } from './safetensors';
import { hostBackend, ownedTensor, storageView, writableStorage } from './tensorStorage';

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

/** Where the moments live: backend variables, or JavaScript arrays outside the backend's memory. */
export type AdamWStorage = 'device' | 'host';

interface DeviceSlot {
  m: tf.Variable; // exp_avg, same shape as the parameter
  v: tf.Variable; // exp_avg_sq
  step: number;
}

interface HostSlot {
  m: Float32Array;
  v: Float32Array;
  shape: number[];
  step: number;
}

const f32 = Math.fround;

/**
 * Per parameter: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= lr·sqrt(1-β2^t)/(1-β1^t) · m / (sqrt(v) + eps); then p -= lr·wd·p.
 * Parameters without a gradient this step are skipped (their state and step count unchanged).
 * On the host backends (wasm, cpu) the moments are JavaScript arrays and the update runs in JavaScript on
 * the parameter's storage in place, in float32 like the kernels (bit-identical to the device path): the
 * 2 × 4 bytes per trained weight never enter the wasm heap. Elsewhere (GPU backends) they are variables.
 */
export class AdamW {
  readonly opts: AdamWOptions;
  private readonly slots = new Map<string, DeviceSlot>();
  private readonly hostSlots = new Map<string, HostSlot>();
  private chosen?: AdamWStorage;

  /** `storage`: 'host' or 'device', or chosen from the backend at the first step (default). */
  constructor(opts: Partial<AdamWOptions> = {}, private readonly storagePref: AdamWStorage | 'auto' = 'auto') {
    this.opts = { ...defaultAdamWOptions, ...opts };
  }

  /** Where the moments are kept (decided by the first step or setState when 'auto'). */
  get storage(): AdamWStorage {
    this.chosen ??= this.storagePref !== 'auto' ? this.storagePref : hostBackend() ? 'host' : 'device';
    return this.chosen;
  }

  /** Bytes of moments held outside the backend (host storage). */
  hostBytes(): number {
    let n = 0;
    for (const s of this.hostSlots.values()) n += s.m.byteLength + s.v.byteLength;
    return n;
  }

  /** Update `vars` from `grads` (tensors, or host arrays such as HostGradients gives) at learning rate `lr`. */
  step(vars: Map<string, tf.Variable>, grads: Map<string, tf.Tensor | Float32Array>, lr: number = this.opts.lr): void {
    for (const [name, g] of grads) {
      const p = vars.get(name);
      if (!p) throw new Error(`AdamW: gradient for unknown parameter '${name}'`);
      const what = g instanceof Float32Array ? (g.length === p.size ? undefined : `${g.length} values`) : g.shape.join(',') === p.shape.join(',') ? undefined : `shape [${g.shape}]`;
      if (what) throw new Error(`AdamW: gradient of '${name}' has ${what}, parameter [${p.shape}]`);
      if (this.storage === 'host') this.stepHost(name, p, g, lr);
      else if (g instanceof Float32Array) tf.tidy(() => this.stepDevice(name, p, tf.tensor(g, p.shape, 'float32'), lr));
      else this.stepDevice(name, p, g, lr);
    }
  }

  private stepSize(t: number, lr: number): number {
    const [b1, b2] = this.opts.betas;
    // Step size in double precision, like PyTorch's Python-float arithmetic.
    return this.opts.correctBias ? (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t) : lr;
  }

  private stepDevice(name: string, p: tf.Variable, g: tf.Tensor, lr: number): void {
    const [b1, b2] = this.opts.betas;
    const { eps, weightDecay } = this.opts;
    let s = this.slots.get(name);
    if (!s) {
      s = { m: zerosVariable(p.shape), v: zerosVariable(p.shape), step: 0 };
      this.slots.set(name, s);
    }
    s.step += 1;
    const stepSize = this.stepSize(s.step, lr);
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

  /** The device path's arithmetic, op for op in float32 (each tf op rounds; scalars are float32 too). */
  private stepHost(name: string, p: tf.Variable, grad: tf.Tensor | Float32Array, lr: number): void {
    const [b1, b2] = this.opts.betas;
    const { eps, weightDecay } = this.opts;
    let s = this.hostSlots.get(name);
    if (!s) {
      s = { m: new Float32Array(p.size), v: new Float32Array(p.size), shape: [...p.shape], step: 0 };
      this.hostSlots.set(name, s);
    }
    s.step += 1;
    const S = f32(-this.stepSize(s.step, lr));
    const [B1, C1, B2, C2, EPS, WD] = [f32(b1), f32(1 - b1), f32(b2), f32(1 - b2), f32(eps), f32(-lr * weightDecay)];
    const w = paramStorage(p); // may allocate (once): take the views below after it, a wasm view dies if the heap grows
    const src = w ?? storageView(p) ?? (p.dataSync() as Float32Array);
    const out = w ?? scratch(p.size);
    const g = grad instanceof Float32Array ? grad : (storageView(grad) ?? (grad.dataSync() as Float32Array));
    const { m, v } = s;
    for (let i = 0; i < out.length; i++) {
      const gi = g[i];
      const mi = f32(f32(m[i] * B1) + f32(gi * C1));
      const vi = f32(f32(v[i] * B2) + f32(f32(gi * gi) * C2));
      m[i] = mi;
      v[i] = vi;
      let np = f32(src[i] + f32(f32(mi / f32(f32(Math.sqrt(vi)) + EPS)) * S));
      if (weightDecay > 0) np = f32(np + f32(np * WD));
      out[i] = np;
    }
    if (!w) assignOwned(p, out);
  }

  /** Optimiser state for a checkpoint: `optimizer.<param>.exp_avg|exp_avg_sq` (F32) and `.step` (I32 [1]). */
  getState(): Map<string, TensorEntry> {
    const out = this.hostState();
    for (const [name, s] of this.slots) {
      out.set(`optimizer.${name}.exp_avg`, { dtype: 'F32', shape: [...s.m.shape], data: s.m.dataSync() as Float32Array });
      out.set(`optimizer.${name}.exp_avg_sq`, { dtype: 'F32', shape: [...s.v.shape], data: s.v.dataSync() as Float32Array });
      out.set(`optimizer.${name}.step`, { dtype: 'I32', shape: [1], data: Int32Array.of(s.step) });
    }
    return out;
  }

  /** getState() read asynchronously (every backend, webgpu included). */
  async getStateAsync(): Promise<Map<string, TensorEntry>> {
    const out = this.hostState();
    for (const [name, s] of this.slots) {
      out.set(`optimizer.${name}.exp_avg`, { dtype: 'F32', shape: [...s.m.shape], data: (await s.m.data()) as Float32Array });
      out.set(`optimizer.${name}.exp_avg_sq`, { dtype: 'F32', shape: [...s.v.shape], data: (await s.v.data()) as Float32Array });
      out.set(`optimizer.${name}.step`, { dtype: 'I32', shape: [1], data: Int32Array.of(s.step) });
    }
    return out;
  }

  /** The host moments as entries: the live arrays, not copies (write them out before the next step). */
  private hostState(): Map<string, TensorEntry> {
    const out = new Map<string, TensorEntry>();
    for (const [name, s] of this.hostSlots) {
      out.set(`optimizer.${name}.exp_avg`, { dtype: 'F32', shape: [...s.shape], data: s.m });
      out.set(`optimizer.${name}.exp_avg_sq`, { dtype: 'F32', shape: [...s.shape], data: s.v });
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
      const mData = toFloat32(`optimizer.${name}.exp_avg`, m);
      const vData = toFloat32(`optimizer.${name}.exp_avg_sq`, v);
      const old = this.slots.get(name);
      if (old) { old.m.dispose(); old.v.dispose(); this.slots.delete(name); }
      if (this.storage === 'host') {
        this.hostSlots.set(name, { m: new Float32Array(mData), v: new Float32Array(vData), shape: [...m.shape], step });
        continue;
      }
      this.slots.set(name, {
        m: ownedVariable(tf.tensor(mData, m.shape)),
        v: ownedVariable(tf.tensor(vData, v.shape)),
        step,
      });
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) { s.m.dispose(); s.v.dispose(); }
    this.slots.clear();
    this.hostSlots.clear();
  }
}

/**
 * The parameter's storage to update in place on the cpu backend: its own (adopted once if shared or
 * caller-owned). Undefined elsewhere, wasm included: its XNNPACK kernels cache weights packed by tensor id
 * (a matmul's constant operand), so an in-place write would leave them stale; the new values go in as a new
 * buffer (Variable.assign), which also drops that cache.
 */
function paramStorage(p: tf.Variable): Float32Array | undefined {
  if (tf.getBackend() !== 'cpu') return undefined;
  const w = writableStorage(p);
  if (w) return w;
  assignOwned(p, storageView(p) ?? (p.dataSync() as Float32Array));
  return writableStorage(p);
}

let scratchBuf = new Float32Array(0);
/** A reused array of at least n values (the largest parameter's size after the first step). */
function scratch(n: number): Float32Array {
  if (scratchBuf.length < n) scratchBuf = new Float32Array(n);
  return scratchBuf.subarray(0, n);
}

/** p.assign(values) through a tensor whose storage p then holds alone. */
function assignOwned(p: tf.Variable, values: Float32Array): void {
  const t = ownedTensor(values, p.shape);
  p.assign(t);
  t.dispose();
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

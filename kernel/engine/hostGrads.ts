// A step's gradients in JavaScript arrays, outside the backend's memory: micro-batch gradients summed in
// with their share of the step (float32 arithmetic, as tf.add(acc, tf.mul(g, w)) does it) and the global-norm
// clip in place (torch.nn.utils.clip_grad_norm_). The arrays are reused from step to step.
import * as tf from '@tensorflow/tfjs';
import { storageView } from './tensorStorage';

const f32 = Math.fround;

export class HostGradients {
  private readonly buf = new Map<string, Float32Array>();
  /** Names that received a gradient this step, in arrival order. */
  private readonly got = new Set<string>();

  /** Start a step: no gradient yet (the arrays are kept for reuse). */
  begin(): void {
    this.got.clear();
  }

  /** Add w·g for `name` (the first one this step is stored, not added). Reads g in place where it can. */
  add(name: string, g: tf.Tensor, w: number): void {
    const src = storageView(g) ?? (g.dataSync() as Float32Array);
    let acc = this.buf.get(name);
    if (!acc || acc.length !== src.length) {
      acc = new Float32Array(src.length);
      this.buf.set(name, acc);
    }
    const W = f32(w);
    if (!this.got.has(name)) {
      if (w === 1) acc.set(src);
      else for (let i = 0; i < src.length; i++) acc[i] = f32(src[i] * W);
      this.got.add(name);
    } else {
      for (let i = 0; i < src.length; i++) acc[i] = f32(acc[i] + f32(src[i] * W));
    }
  }

  /** This step's gradients by name, in `order` (names without a gradient left out). */
  grads(order: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const n of order) if (this.got.has(n)) out.set(n, this.buf.get(n)!);
    return out;
  }

  /** Bytes held by the arrays. */
  bytes(): number {
    let n = 0;
    for (const a of this.buf.values()) n += a.byteLength;
    return n;
  }

  clear(): void {
    this.buf.clear();
    this.got.clear();
  }
}

/**
 * clip_grad_norm_ in place: the global L2 norm over all gradients (Σ per tensor, in double precision);
 * when max/(norm+1e-6) < 1 every gradient is scaled by it (in float32). Returns the pre-clip norm.
 */
export function clipGlobalNormHost(grads: Map<string, Float32Array>, maxNorm: number): number {
  let sq = 0;
  for (const g of grads.values()) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sq += s;
  }
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    const c = f32(coef);
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] = f32(g[i] * c);
  }
  return norm;
}

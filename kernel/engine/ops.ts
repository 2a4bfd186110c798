// The model's tensor primitives with their own gradients: matMul/dense (materialised transposes, fast on
// wasm), embeddingLookup (scatter gradient; wasm lacks UnsortedSegmentSum), erf-GELU, LayerNorm, dropout.
import * as tf from '@tensorflow/tfjs';
import { ortTransposesFree } from './ortMatMul';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad with a typed signature: f(inputs, save) -> { value, gradFunc }. */
function customOp(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }): (...xs: tf.Tensor[]) => tf.Tensor {
  type CG = Parameters<typeof tf.customGrad>[0];
  const g = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as tf.Tensor[], save);
  }) as unknown as CG);
  return (...xs: tf.Tensor[]) => g(...xs);
}

/** Swap the last two axes with a real (materialised) transpose. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  if (r < 2) throw new Error(`swapLast needs rank >= 2, got ${r}`);
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

// a [..., m, k] @ b [..., k, n] with identical batch dims; gradients use plain matMuls on transposed copies
// (tfjs's own matMul gradient uses transposeA/transposeB matMuls, 12–45× slower on wasm).
const plainMatMul = customOp(([a, b], save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b), // [..., m, n]
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved;
      if (ortTransposesFree()) {
        // onnxruntime's GEMM reads transposed operands in place: no materialised copies.
        return [
          tf.matMul(dy, sb, false, true), // [..., m, n] @ [..., k, n]^T -> [..., m, k]
          tf.matMul(sa, dy, true, false), // [..., m, k]^T @ [..., m, n] -> [..., k, n]
        ];
      }
      return [
        tf.matMul(dy, swapLast(sb)), // [..., m, n] @ [..., n, k] -> [..., m, k]
        tf.matMul(swapLast(sa), dy), // [..., k, m] @ [..., m, n] -> [..., k, n]
      ];
    },
  };
});

/**
 * Batched matrix product like tf.matMul(a, b, transposeA, transposeB), same ranks and batch dims, but the
 * transposes are materialised and the gradient is two plain matMuls (bit-identical to tfjs's, much faster on wasm).
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank !== b.rank || a.rank < 2) throw new Error(`matMul: ranks must match and be >= 2, got [${a.shape}] and [${b.shape}]`);
  const A = transposeA ? swapLast(a) : a;
  const B = transposeB ? swapLast(b) : b;
  for (let i = 0; i < a.rank - 2; i++) {
    if (A.shape[i] !== B.shape[i]) throw new Error(`matMul: batch dims differ: [${A.shape}] vs [${B.shape}]`);
  }
  return plainMatMul(A, B);
}

// y = x @ W^T + b for a PyTorch-layout weight W [out, in]: dx = dy @ W, dW = dy^T @ x, db = sum(dy).
const denseOp = customOp(([x, w, b], save) => {
  save([x, w]);
  // On onnxruntime's GEMM (ortMatMul.ts) transposed operands cost nothing; tfjs's kernels want plain ones.
  const ort = ortTransposesFree();
  const y = tf.add(ort ? tf.matMul(x, w, false, true) : tf.matMul(x, tf.transpose(w)), b); // [N, in] @ [in, out] + [out] -> [N, out]
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved;
      return [
        tf.matMul(dy, sw), // [N, out] @ [out, in] -> [N, in]
        ort ? tf.matMul(dy, sx, true, false) : tf.matMul(tf.transpose(dy), sx), // [out, N] @ [N, in] -> [out, in]
        colSum(dy as tf.Tensor2D), // [out]
      ];
    },
  };
});

/** nn.Linear on a 2-D input: x [N, in], weight [out, in] (PyTorch layout), bias [out] -> [N, out]. */
export function dense(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  if (x.rank !== 2) throw new Error(`dense expects a 2-D input, got [${x.shape}]`);
  if (x.shape[1] !== weight.shape[1]) throw new Error(`dense: input [${x.shape}] does not match weight [${weight.shape}]`);
  return denseOp(x, weight, bias) as tf.Tensor2D;
}

/**
 * Row lookup table[ids] with a scatter-add gradient (duplicates summed); rows equal to `paddingIdx`
 * get no gradient, like nn.Embedding(padding_idx). table [V, H], ids int32 [N] -> [N, H].
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor1D, paddingIdx?: number): tf.Tensor2D {
  if (ids.dtype !== 'int32') throw new Error(`embeddingLookup: ids must be int32, got ${ids.dtype}`);
  const [V, H] = table.shape as [number, number];
  // ids is an int32 input (no gradient of its own), saved so it outlives the forward scope.
  const f = customOp(([t, idx], save) => {
    save([idx]);
    return {
      value: tf.gather(t, idx), // [N, H]
      gradFunc: (dy, saved) => {
        const [sid] = saved;
        let upd = dy; // [N, H]
        if (paddingIdx !== undefined) {
          const keep = tf.cast(tf.notEqual(sid, tf.scalar(paddingIdx, 'int32')), 'float32'); // [N]
          upd = tf.mul(dy, tf.expandDims(keep, 1)); // [N, H]
        }
        return [tf.scatterND(tf.expandDims(sid, 1), upd, [V, H]), tf.zeros(sid.shape)]; // [V, H], duplicate rows summed
      },
    };
  });
  return f(table, ids) as tf.Tensor2D;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact (erf) GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as HF's `gelu`. tfjs's erf is Abramowitz–Stegun 7.1.26
 * (|error| ≤ 1.5e-7), matching the fixtures to ~1e-7; gradient Φ(x) + x·φ(x) in closed form.
 */
const geluOp = customOp(([x], save) => {
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, SQRT1_2)))); // Φ(x)
  save([x, cdf]); // reuse Φ(x) in the backward instead of a second erf
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, saved) => {
      const [sx, phi] = saved;
      const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(sx)))); // φ(x)
      return [tf.mul(dy, tf.add(phi, tf.mul(sx, pdf)))];
    },
  };
});
export function geluErf(x: tf.Tensor): tf.Tensor {
  return geluOp(x);
}

/** Column sums of a 2-D tensor as a [1, N] @ [N, H] product (wasm reduces axis 0 via a slow transpose). [N, H] -> [H]. */
export function colSum(t: tf.Tensor2D): tf.Tensor1D {
  const [N, H] = t.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), t), [H]) as tf.Tensor1D;
}

// LayerNorm on [N, H] with a closed-form backward:
// dx = inv·(g·dy - mean(g·dy) - x̂·mean(g·dy·x̂)), dγ = Σ_rows dy·x̂, dβ = Σ_rows dy.
const layerNormOp = (eps: number) => customOp(([x, gamma, beta], save) => {
  const mean = tf.mean(x, -1, true); // [N, 1]
  const xc = tf.sub(x, mean); // [N, H]
  const variance = tf.mean(tf.square(xc), -1, true); // [N, 1], biased like PyTorch
  const inv = tf.rsqrt(tf.add(variance, eps)); // [N, 1]
  const xhat = tf.mul(xc, inv); // [N, H]
  save([xhat, inv, gamma]);
  return {
    value: tf.add(tf.mul(xhat, gamma), beta), // [N, H]
    gradFunc: (dy, saved) => {
      const [sx, sinv, sg] = saved;
      const dxhat = tf.mul(dy, sg); // [N, H]
      const m1 = tf.mean(dxhat, -1, true); // [N, 1]
      const m2 = tf.mean(tf.mul(dxhat, sx), -1, true); // [N, 1]
      const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(sx, m2)), sinv); // [N, H]
      return [dx, colSum(tf.mul(dy, sx) as tf.Tensor2D), colSum(dy as tf.Tensor2D)];
    },
  };
});
const layerNormByEps = new Map<number, (...xs: tf.Tensor[]) => tf.Tensor>();

/** LayerNorm over the last axis with biased variance (PyTorch): x [N, H], gamma/beta [H] -> [N, H]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (x.rank !== 2) throw new Error(`layerNorm expects [N, H], got [${x.shape}]`);
  let op = layerNormByEps.get(eps);
  if (!op) { op = layerNormOp(eps); layerNormByEps.set(eps, op); }
  return op(x, gamma, beta);
}

/** Deterministic seed stream for the dropout sites of one forward pass. */
export class SeedStream {
  private n = 0;
  constructor(private readonly base: number) {}
  next(): number {
    this.n += 1;
    // Mix base and counter into a 31-bit integer (distinct per site, reproducible per forward seed).
    return (Math.imul(this.base ^ 0x5bd1e995, 2654435761) + Math.imul(this.n, 40503)) >>> 1;
  }
}

/** Inverted dropout: zero with probability `rate`, scale survivors by 1/(1-rate). Identity when rate is 0 or rng absent. */
export function dropout(x: tf.Tensor, rate: number, rng: SeedStream | undefined): tf.Tensor {
  if (!rng || rate <= 0) return x;
  const seed = rng.next();
  // A custom op, so the tape keeps only the scaled mask (dx = dy · mask): built from plain ops it would
  // also keep the uniform draws, the 0/1 keep tensor and x (inner ops of a custom op are not recorded).
  const f = customOp(([input], save) => {
    const mask = tf.mul(tf.cast(tf.greaterEqual(tf.randomUniform(input.shape, 0, 1, 'float32', seed), rate), 'float32'), 1 / (1 - rate)); // same shape as x
    save([mask]);
    return {
      value: tf.mul(input, mask),
      gradFunc: (dy, saved) => [tf.mul(dy, saved[0])],
    };
  });
  return f(x);
}

/**
 * Mean (or weighted mean) cross-entropy from logits [N, C] and int labels [N]; rows with weight 0 or
 * label < 0 are ignored. Weighted form = PyTorch's CrossEntropyLoss(weight) mean: Σ w_i·nll_i / Σ w_i.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: Int32Array, rowWeights?: Float32Array, classWeights?: readonly number[]): tf.Scalar {
  const [N, C] = logits.shape;
  if (labels.length !== N) throw new Error(`crossEntropy: ${labels.length} labels for ${N} rows`);
  const w = new Float32Array(N);
  const safe = new Int32Array(N);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const y = labels[i];
    if (y >= C) throw new Error(`crossEntropy: label ${y} at row ${i} outside [0, ${C})`);
    const wi = y < 0 ? 0 : (rowWeights ? rowWeights[i] : 1) * (classWeights ? classWeights[y] : 1);
    w[i] = wi;
    safe[i] = y < 0 ? 0 : y;
    total += wi;
  }
  const logp = tf.logSoftmax(logits); // [N, C]
  const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(safe, 'int32'), C)), 1); // [N]
  if (total === 0) return tf.mul(tf.sum(picked), 0) as tf.Scalar; // no active rows: 0, still connected
  return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(w)))), total) as tf.Scalar;
}

/**
 * Σ tensors (same shape) by sequential adds, in order: bit-identical to tf.addN on cpu/wasm, and correct on
 * webgpu, whose AddN kernel binds every input as a storage buffer and silently loses terms past the adapter's
 * per-stage limit (4 in compatibility mode: a 51-term gradient norm came out 36 % low).
 */
export function addAll<T extends tf.Tensor>(ts: T[]): T {
  if (ts.length === 0) throw new Error('addAll needs at least one tensor');
  return tf.tidy(() => ts.slice(1).reduce<tf.Tensor>((acc, t) => tf.add(acc, t), ts[0].clone()) as T);
}

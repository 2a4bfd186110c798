// Multinomial logistic regression on sparse rows, L2-penalised, class-weighted, fitted by L-BFGS:
// the classifier of the linear baseline (scikit-learn's LogisticRegression(solver='lbfgs') objective).
import { minimizeLbfgs, type Objective } from './lbfgs';
import type { Csr } from './sparse';

export interface LogRegConfig {
  /** Inverse regularisation strength (sklearn's C). */
  C: number; // 1
  /** 'balanced': weight class c by n / (k · count_c), as sklearn's class_weight='balanced'. */
  classWeight: 'balanced' | 'none'; // 'balanced'
  /** L-BFGS iterations at most. */
  maxIter: number; // 300
  /** Stop when the largest gradient entry falls below this. */
  tol: number; // 1e-4
  /** L-BFGS history length. */
  history: number; // 10
}

export const defaultLogRegConfig: LogRegConfig = { C: 1, classWeight: 'balanced', maxIter: 300, tol: 1e-4, history: 10 };

/** Fitted parameters: W is feature-major [d, k] (W[j*k + c]), b is [k]. */
export interface LogRegParams {
  k: number;
  d: number;
  W: Float64Array;
  b: Float64Array;
}

export interface LogRegFit extends LogRegParams {
  iterations: number;
  converged: boolean;
  loss: number;
}

/** Per-class sample weights n / (k · count_c) (classes absent from y get weight 0). */
export function balancedClassWeights(y: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts.map((c) => (c > 0 ? y.length / (k * c) : 0));
}

/** Class scores X·W + b, [n, k] row-major. */
function logits(x: Csr, p: LogRegParams, out: Float64Array): void {
  const { k, W, b } = p;
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    for (let c = 0; c < k; c++) out[o + c] = b[c];
    for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++) {
      const v = x.values[q];
      const w = x.indices[q] * k;
      for (let c = 0; c < k; c++) out[o + c] += v * W[w + c];
    }
  }
}

/** In-place row softmax of [n, k] scores; returns the per-row log-sum-exp. */
function softmaxRows(z: Float64Array, n: number, k: number, lse: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, z[o + c]);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(z[o + c] - m);
    lse[i] = m + Math.log(s);
    for (let c = 0; c < k; c++) z[o + c] = Math.exp(z[o + c] - lse[i]);
  }
}

/** Class probabilities [n, k] row-major. */
export function predictProba(x: Csr, p: LogRegParams): Float64Array {
  const z = new Float64Array(x.rows * p.k);
  logits(x, p, z);
  softmaxRows(z, x.rows, p.k, new Float64Array(x.rows));
  return z;
}

/** Sample weights s_i of the first n rows (each row's class weight) and their sum S. */
function sampleWeights(y: Int32Array, n: number, k: number, classWeight: LogRegConfig['classWeight']): { sw: Float64Array; S: number } {
  const cw = classWeight === 'balanced' ? balancedClassWeights(y, k) : new Array<number>(k).fill(1);
  const sw = new Float64Array(n);
  let S = 0;
  for (let i = 0; i < n; i++) {
    sw[i] = cw[y[i]];
    S += sw[i];
  }
  return { sw, S };
}

/** θ = [W (d·k), b (k)] seen as parameters (views, no copy). */
function paramsView(theta: Float64Array, d: number, k: number): LogRegParams {
  return { k, d, W: theta.subarray(0, d * k), b: theta.subarray(d * k) };
}

/**
 * f(θ) = (1/S)·Σ s_i·CE_i + ‖W‖² / (2·C·S) and its gradient (written into g), as an L-BFGS objective;
 * `alpha` = 1 / (C·S). Owns its [n, k] score and [n] log-sum-exp scratch.
 */
function logRegObjective(x: Csr, y: Int32Array, k: number, sw: Float64Array, S: number, alpha: number): Objective {
  const n = x.rows;
  const d = x.cols;
  const z = new Float64Array(n * k);
  const lse = new Float64Array(n);
  return (theta, g) => {
    const p = paramsView(theta, d, k);
    logits(x, p, z);
    softmaxRows(z, n, k, lse);
    let f = 0;
    g.fill(0);
    const gW = g.subarray(0, d * k);
    const gb = g.subarray(d * k);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const s = sw[i] / S;
      // CE_i = lse_i − z_{i,y}; recover z_{i,y} from the probability: log p_y = z_y − lse.
      f -= s * Math.log(Math.max(z[o + y[i]], 1e-300));
      for (let cc = 0; cc < k; cc++) z[o + cc] = s * (z[o + cc] - (cc === y[i] ? 1 : 0)); // residual r_i
      for (let cc = 0; cc < k; cc++) gb[cc] += z[o + cc];
      for (let q = x.indptr[i]; q < x.indptr[i + 1]; q++) {
        const v = x.values[q];
        const w = x.indices[q] * k;
        for (let cc = 0; cc < k; cc++) gW[w + cc] += v * z[o + cc];
      }
    }
    const W = p.W;
    let reg = 0;
    for (let j = 0; j < d * k; j++) {
      reg += W[j] * W[j];
      gW[j] += alpha * W[j];
    }
    return f + 0.5 * alpha * reg;
  };
}

/**
 * Minimise f(W, b) = (1/S)·Σ s_i·CE_i + ‖W‖² / (2·C·S), S = Σ s_i (sklearn's scaling; b unpenalised),
 * with L-BFGS and a backtracking Armijo line search (lbfgs.ts). `init` warm-starts (e.g. along a C path).
 */
export function fitLogReg(x: Csr, y: Int32Array, k: number, cfg: Partial<LogRegConfig> = {}, init?: LogRegParams): LogRegFit {
  const c = { ...defaultLogRegConfig, ...cfg };
  const d = x.cols;
  const { sw, S } = sampleWeights(y, x.rows, k, c.classWeight);
  const alpha = 1 / (c.C * S);
  const theta = new Float64Array(d * k + k); // θ = [W (d·k), b (k)]
  if (init && init.d === d && init.k === k) {
    theta.set(init.W, 0);
    theta.set(init.b, d * k);
  }
  const r = minimizeLbfgs(logRegObjective(x, y, k, sw, S, alpha), theta, { maxIter: c.maxIter, tol: c.tol, history: c.history });
  const p = paramsView(theta, d, k);
  return { k, d, W: new Float64Array(p.W), b: new Float64Array(p.b), iterations: r.iterations, converged: r.converged, loss: r.f };
}

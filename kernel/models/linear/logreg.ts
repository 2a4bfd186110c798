// Multinomial logistic regression on sparse rows, L2-penalised, class-weighted, fitted by L-BFGS:
// the classifier of the linear baseline (scikit-learn's LogisticRegression(solver='lbfgs') objective).
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

/**
 * Minimise f(W, b) = (1/S)·Σ s_i·CE_i + ‖W‖² / (2·C·S), S = Σ s_i (sklearn's scaling; b unpenalised),
 * with L-BFGS and a backtracking Armijo line search. `init` warm-starts (e.g. along a C path).
 */
export function fitLogReg(x: Csr, y: Int32Array, k: number, cfg: Partial<LogRegConfig> = {}, init?: LogRegParams): LogRegFit {
  const c = { ...defaultLogRegConfig, ...cfg };
  const n = x.rows;
  const d = x.cols;
  const cw = c.classWeight === 'balanced' ? balancedClassWeights(y, k) : new Array<number>(k).fill(1);
  const sw = new Float64Array(n);
  let S = 0;
  for (let i = 0; i < n; i++) {
    sw[i] = cw[y[i]];
    S += sw[i];
  }
  const dim = d * k + k; // θ = [W (d·k), b (k)]
  const z = new Float64Array(n * k);
  const lse = new Float64Array(n);
  const alpha = 1 / (c.C * S);

  const view = (theta: Float64Array): LogRegParams => ({ k, d, W: theta.subarray(0, d * k), b: theta.subarray(d * k) });

  // f and ∇f at θ (gradient written into g).
  const evaluate = (theta: Float64Array, g: Float64Array): number => {
    const p = view(theta);
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

  const theta = new Float64Array(dim);
  if (init && init.d === d && init.k === k) {
    theta.set(init.W, 0);
    theta.set(init.b, d * k);
  }
  const g = new Float64Array(dim);
  let f = evaluate(theta, g);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(dim);
  const thetaNew = new Float64Array(dim);
  const gNew = new Float64Array(dim);
  const a = new Float64Array(c.history);
  let it = 0;
  let converged = false;
  const maxAbs = (v: Float64Array): number => {
    let m = 0;
    for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]));
    return m;
  };
  const dot = (u: Float64Array, v: Float64Array): number => {
    let s = 0;
    for (let j = 0; j < u.length; j++) s += u[j] * v[j];
    return s;
  };

  for (; it < c.maxIter; it++) {
    if (maxAbs(g) < c.tol) {
      converged = true;
      break;
    }
    // Two-loop recursion: dir = −H·g.
    for (let j = 0; j < dim; j++) dir[j] = -g[j];
    const m = sHist.length;
    for (let h = m - 1; h >= 0; h--) {
      a[h] = rho[h] * dot(sHist[h], dir);
      const yh = yHist[h];
      for (let j = 0; j < dim; j++) dir[j] -= a[h] * yh[j];
    }
    const gamma = m > 0 ? dot(sHist[m - 1], yHist[m - 1]) / dot(yHist[m - 1], yHist[m - 1]) : 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12);
    for (let j = 0; j < dim; j++) dir[j] *= gamma;
    for (let h = 0; h < m; h++) {
      const bh = rho[h] * dot(yHist[h], dir);
      const sh = sHist[h];
      for (let j = 0; j < dim; j++) dir[j] += (a[h] - bh) * sh[j];
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sHist.length = yHist.length = rho.length = 0;
      for (let j = 0; j < dim; j++) dir[j] = -g[j] / Math.max(Math.sqrt(dot(g, g)), 1e-12);
      slope = dot(g, dir);
    }
    // Backtracking Armijo line search from the unit step.
    let step = 1;
    let fNew = NaN;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < dim; j++) thetaNew[j] = theta[j] + step * dir[j];
      fNew = evaluate(thetaNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // no progress possible
    const sv = new Float64Array(dim);
    const yv = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      sv[j] = thetaNew[j] - theta[j];
      yv[j] = gNew[j] - g[j];
    }
    const sy = dot(sv, yv);
    if (sy > 1e-12) {
      if (sHist.length === c.history) {
        sHist.shift();
        yHist.shift();
        rho.shift();
      }
      sHist.push(sv);
      yHist.push(yv);
      rho.push(1 / sy);
    }
    const rel = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    theta.set(thetaNew);
    g.set(gNew);
    f = fNew;
    if (rel < 1e-10) {
      converged = true;
      it++;
      break;
    }
  }
  const p = view(theta);
  return { k, d, W: new Float64Array(p.W), b: new Float64Array(p.b), iterations: it, converged, loss: f };
}

// L-BFGS with a backtracking Armijo line search over a Float64Array of parameters: the minimiser the
// linear baseline's logistic regression (logreg.ts) fits with.

/** f at θ, its gradient written into g. */
export type Objective = (theta: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  /** Iterations at most. */
  maxIter: number;
  /** Stop when the largest gradient entry falls below this. */
  tol: number;
  /** Curvature pairs kept. */
  history: number;
}

export interface LbfgsResult {
  iterations: number;
  converged: boolean;
  /** f at the final θ. */
  f: number;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]));
  return m;
}

function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < u.length; j++) s += u[j] * v[j];
  return s;
}

/** The last `size` curvature pairs s = Δθ, y = Δg with ρ = 1 / (s·y): L-BFGS's picture of the inverse Hessian. */
class CurvatureHistory {
  readonly s: Float64Array[] = [];
  readonly y: Float64Array[] = [];
  readonly rho: number[] = [];
  /** The two-loop recursion's per-pair coefficients (scratch). */
  private readonly a: Float64Array;

  constructor(private readonly size: number) {
    this.a = new Float64Array(size);
  }

  clear(): void {
    this.s.length = this.y.length = this.rho.length = 0;
  }

  /** Keeps the step's pair when it has positive curvature (s·y > 1e-12), dropping the oldest when full. */
  push(theta: Float64Array, thetaNew: Float64Array, g: Float64Array, gNew: Float64Array): void {
    const dim = theta.length;
    const sv = new Float64Array(dim);
    const yv = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      sv[j] = thetaNew[j] - theta[j];
      yv[j] = gNew[j] - g[j];
    }
    const sy = dot(sv, yv);
    if (!(sy > 1e-12)) return;
    if (this.s.length === this.size) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
    this.s.push(sv);
    this.y.push(yv);
    this.rho.push(1 / sy);
  }

  /** Two-loop recursion: dir = −H·g (H scaled by s·y / y·y of the newest pair, or 1/‖g‖ with none). */
  direction(g: Float64Array, dir: Float64Array): void {
    const { s: sHist, y: yHist, rho, a } = this;
    const dim = g.length;
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
  }
}

/**
 * Backtracking Armijo line search from the unit step along `dir` (at most 30 halvings): leaves the last
 * point tried in thetaNew / gNew and returns f there.
 */
function armijoLineSearch(evaluate: Objective, theta: Float64Array, f: number, dir: Float64Array, slope: number, thetaNew: Float64Array, gNew: Float64Array): number {
  const dim = theta.length;
  let step = 1;
  let fNew = NaN;
  for (let ls = 0; ls < 30; ls++) {
    for (let j = 0; j < dim; j++) thetaNew[j] = theta[j] + step * dir[j];
    fNew = evaluate(thetaNew, gNew);
    if (fNew <= f + 1e-4 * step * slope) break;
    step *= 0.5;
  }
  return fNew;
}

/**
 * Minimise `evaluate` from `theta`, updated in place. Stops when the largest gradient entry is below `tol`
 * or the relative decrease below 1e-10 (converged), when a line search makes no progress, or after
 * `maxIter` iterations.
 */
export function minimizeLbfgs(evaluate: Objective, theta: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const dim = theta.length;
  const g = new Float64Array(dim);
  let f = evaluate(theta, g);
  const history = new CurvatureHistory(opts.history);
  const dir = new Float64Array(dim);
  const thetaNew = new Float64Array(dim);
  const gNew = new Float64Array(dim);
  let it = 0;
  let converged = false;
  for (; it < opts.maxIter; it++) {
    if (maxAbs(g) < opts.tol) {
      converged = true;
      break;
    }
    history.direction(g, dir);
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      history.clear();
      for (let j = 0; j < dim; j++) dir[j] = -g[j] / Math.max(Math.sqrt(dot(g, g)), 1e-12);
      slope = dot(g, dir);
    }
    const fNew = armijoLineSearch(evaluate, theta, f, dir, slope, thetaNew, gNew);
    if (!(fNew <= f)) break; // no progress possible
    history.push(theta, thetaNew, g, gNew);
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
  return { iterations: it, converged, f };
}

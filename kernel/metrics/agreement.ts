// Agreement between two raters of the same items on an ordinal scale (the levels 0, 1, 2): Cohen's κ,
// unweighted and with quadratic weights (disagreeing by two levels costs four times one level).

export type KappaWeights = 'none' | 'quadratic';

/**
 * Cohen's κ of two raters' labels in 0..k-1 (`a[i]` and `b[i]` rate the same item):
 * κ = 1 − Σ w·observed / Σ w·expected, with w(i, j) = [i ≠ j] (unweighted) or ((i − j)/(k − 1))²
 * (quadratic). Undefined — `null` — when there are no items or chance agreement is already perfect
 * (both raters used one and the same label throughout).
 */
export function cohenKappa(a: readonly number[], b: readonly number[], weights: KappaWeights = 'none', k = 3): number | null {
  if (a.length !== b.length) throw new Error(`cohenKappa: ${a.length} labels against ${b.length}`);
  const n = a.length;
  if (n === 0) return null;
  const obs = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const ra = new Array<number>(k).fill(0);
  const rb = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < k && y < k)) throw new Error(`cohenKappa: item ${i} has labels ${x}, ${y} outside 0..${k - 1}`);
    obs[x][y]++;
    ra[x]++;
    rb[y]++;
  }
  const w = (i: number, j: number) => (weights === 'quadratic' ? ((i - j) / (k - 1)) ** 2 : i === j ? 0 : 1);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += w(i, j) * obs[i][j] / n;
      expected += w(i, j) * (ra[i] / n) * (rb[j] / n);
    }
  }
  return expected === 0 ? null : 1 - observed / expected;
}

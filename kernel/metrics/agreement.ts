// Agreement between two raters of the same items on an ordinal scale (the levels 0, 1, 2): Cohen's κ,
// unweighted and with quadratic weights (disagreeing by two levels costs four times one level). The one
// κ of the project: level metrics (model ↔ gold) and review agreement (reviewer ↔ gold, model, reviewer).

export type KappaWeights = 'none' | 'quadratic';

/**
 * κ of a k×k confusion matrix m[a][b] (rater a's label, rater b's): 1 − Σ w·observed / Σ w·expected,
 * with w(i, j) = [i ≠ j] (unweighted) or ((i − j)/(k − 1))² (quadratic). Undefined — `null` — with no
 * items, or when chance agreement is already perfect (both raters used one and the same label).
 */
export function kappaOfConfusion(m: readonly (readonly number[])[], weights: KappaWeights = 'none'): number | null {
  const k = m.length;
  const n = m.flat().reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0));
  const w = (i: number, j: number) => (weights === 'quadratic' ? ((i - j) / (k - 1)) ** 2 : i === j ? 0 : 1);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += w(i, j) * m[i][j];
      expected += (w(i, j) * rows[i] * cols[j]) / n;
    }
  }
  return expected === 0 ? null : 1 - observed / expected;
}

/** Cohen's κ of two raters' labels in 0..k-1 (`a[i]` and `b[i]` rate the same item); null as above. */
export function cohenKappa(a: readonly number[], b: readonly number[], weights: KappaWeights = 'none', k = 3): number | null {
  if (a.length !== b.length) throw new Error(`cohenKappa: ${a.length} labels against ${b.length}`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < k && y < k)) throw new Error(`cohenKappa: item ${i} has labels ${x}, ${y} outside 0..${k - 1}`);
    m[x][y]++;
  }
  return kappaOfConfusion(m, weights);
}

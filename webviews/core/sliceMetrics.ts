// Level metrics over a slice of rows, computed in the browser (the panel's slices change on every
// keystroke, so asking the kernel each time would lag). Same definitions as kernel/metrics/levels.ts.

export interface SliceLevelMetrics { n: number; accuracy: number; macroF1: number; kappa: number; confusion: number[][] }

export function levelMetrics(gold: number[], pred: number[]): SliceLevelMetrics {
  const k = 3;
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < gold.length; i++) cm[gold[i]][pred[i]]++;
  const n = gold.length;
  let correct = 0, f1Sum = 0;
  const rowSum = cm.map((r) => r.reduce((a, b) => a + b, 0));
  const colSum = [0, 1, 2].map((j) => cm.reduce((a, r) => a + r[j], 0));
  for (let c = 0; c < k; c++) {
    correct += cm[c][c];
    const p = colSum[c] ? cm[c][c] / colSum[c] : 0;
    const r = rowSum[c] ? cm[c][c] / rowSum[c] : 0;
    f1Sum += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  const po = n ? correct / n : 0;
  const pe = n ? rowSum.reduce((a, r, c) => a + r * colSum[c], 0) / (n * n) : 0;
  return { n, accuracy: po, macroF1: f1Sum / k, kappa: pe < 1 ? (po - pe) / (1 - pe) : 0, confusion: cm };
}

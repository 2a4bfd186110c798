// A float as Python prints it, for train.py's Args block (the families' banner lines): 2e-05, 0.5, 1.0.

export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 1e-4) return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

// How the workbench prints a metric: one rule for the notebook renderers (webviews/core/format.ts) and
// the static fallbacks (kernel/report/fallback/), so both show the same digits. Browser-safe.

/** 0.8312 → "0.831"; integers stay integers; null/NaN → "–". */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  if (Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(2);
  return x.toFixed(digits);
}

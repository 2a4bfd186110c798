// Number and text formatting shared by the tables and charts.

export { fmt } from '../../kernel/protocol/numberFormat';

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

/** Shorten long text for table cells, keeping whole code points (never splits an emoji). */
export function ellipsis(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : cps.slice(0, max - 1).join('') + '…';
}

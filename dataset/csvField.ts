// CSV field quoting as every layer writes it: RFC 4180 with Python csv's QUOTE_MINIMAL (quote a field
// only for a comma, quote, CR or LF; double inner quotes). Browser-safe leaf (no imports): the data
// layer's writers use it, and the webviews' slice export through kernel/protocol/csv.ts.

/** Quote a field when it needs it (Python csv QUOTE_MINIMAL: comma, quote, CR, LF). */
export function csvField(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\n';
}

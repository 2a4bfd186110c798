// CSV field quoting as every layer writes it: RFC 4180 with Python csv's QUOTE_MINIMAL (quote a field
// only for a comma, quote, CR or LF; double inner quotes), and CSV-injection neutralisation. Browser-safe
// leaf (no imports): the data layer's writers use it, and so does the webviews' slice export (the layer
// rule lets webviews import this one file of dataset/).

/** How CSV files are written. */
export interface WriteCsvOptions {
  /**
   * Write cells exactly as they are. Default false: a text cell starting with = + - @ TAB or CR gets
   * a leading ' so a spreadsheet shows it as text instead of running it as a formula (CSV injection,
   * OWASP). Plain numbers (-1, +2.5) are left alone.
   */
  raw?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell a spreadsheet would run as a formula gets a leading ' (the text is otherwise unchanged). */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

/** Quote a field when it needs it (Python csv QUOTE_MINIMAL: comma, quote, CR, LF); formulas neutralised unless raw. */
export function csvField(v: unknown, opts: WriteCsvOptions = {}): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (!opts.raw) s = neutraliseFormula(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[], opts: WriteCsvOptions = {}): string {
  return values.map((v) => csvField(v, opts)).join(',') + '\n';
}

// CSV field quoting as every layer writes it: RFC 4180 with Python csv's QUOTE_MINIMAL (quote a field
// only for a comma, quote, CR or LF; double inner quotes), CSV-injection neutralisation and, for the files
// it marks as guarded, its exact inverse (the project's own readers give back the original text). Browser-safe
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

const FORMULA_START = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell a spreadsheet would run as a formula gets a leading ' (the text is otherwise unchanged). A cell
 * that already starts with ' and then such a character gets one more, so unguardFormula() is exact:
 * `'=x` (a user's own text) is written `''=x` and read back as `'=x`.
 */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

/** The inverse of neutraliseFormula, for the cells of a file marked as guarded (see csvHeader). */
export function unguardFormula(s: string): string {
  return GUARDED.test(s) ? s.slice(1) : s;
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

/**
 * The header line. A guarded file (not raw) is marked by its first column name in quotes and the
 * second without (`"id",seeker_post,…`): every CSV reader sees the same names, and the project's reader
 * (dataset/csv.ts) knows to undo exactly the guard's '. Unmarked files (--raw_csv, anyone else's) are
 * read verbatim, so a cell of theirs that really starts with ' keeps it.
 */
export function csvHeader(names: readonly string[], opts: WriteCsvOptions = {}): string {
  if (opts.raw || names.length < 2 || /[",\r\n]/.test(names[1])) return csvLine(names, opts);
  return [`"${String(names[0]).replace(/"/g, '""')}"`, ...names.slice(1).map((v) => csvField(v, opts))].join(',') + '\n';
}

/** Whether a header record marks a guarded file: its first field was quoted, its second not (csvHeader). */
export function isGuardMark(quoted: readonly boolean[]): boolean {
  return quoted.length >= 2 && quoted[0] && !quoted[1];
}

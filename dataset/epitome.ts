// The EPITOME raw format (`sp_id,rp_id,seeker_post,response_post,level,rationales`): loading with
// row-numbered validation (rationales located once per row, missed ones reported), the mechanism of a
// file from its name, and the joint merge of the three mechanism files into LabeledPairs.
import * as path from 'node:path';
import type { LabeledPair, Level, Mechanism, MechanismLabel } from './schema';
import { MECHANISMS } from './schema';
import { DataError, readCsvFile, streamCsvFile, type CsvRecord, type ReadCsvOptions } from './csv';
import { labelFor, labelOf } from './label';

export const RAW_COLUMNS = ['sp_id', 'rp_id', 'seeker_post', 'response_post', 'level', 'rationales'] as const;

/**
 * One row of a raw EPITOME file. Posts are trimmed (as the original process_data.py does). The row is
 * its mechanism's label: level, rationales, and their spans in response_post, located when it was read.
 */
export interface RawRow extends MechanismLabel {
  sp_id: string;
  rp_id: string;
  seeker_post: string;
  response_post: string;
  /** `|`-separated rationale substrings of the response; empty pieces dropped. */
  rationales: string[];
  /** 1-based line of the row in its file (the header is line 1). */
  line: number;
}

export interface LoadedEpitome {
  rows: RawRow[];
  /** Non-fatal findings (rationales not found verbatim, level > 0 without rationale, …), one line each. */
  warnings: string[];
  /** Mechanism inferred from the file name, if any. */
  mechanism?: Mechanism;
}

/** ER / IP / EX from names like `emotional-reactions-reddit.csv`, `sample_input_ER.csv`, `ip.dev.csv`. */
export function mechanismFromFileName(file: string): Mechanism | undefined {
  const b = path.basename(file).toLowerCase();
  if (b.includes('emotional-reaction') || b.includes('emotional_reaction')) return 'ER';
  if (b.includes('interpretation')) return 'IP';
  if (b.includes('exploration')) return 'EX';
  const m = /(?:^|[^a-z])(er|ip|ex)(?=[^a-z]|$)/.exec(b.replace(/\.csv$/, ''));
  return m ? (m[1].toUpperCase() as Mechanism) : undefined;
}

/** Parse a level cell: 0, 1, 2 (also "1.0" as pandas may write it); anything else is undefined. */
export function parseLevel(s: string): Level | undefined {
  const m = /^\s*([012])(?:\.0*)?\s*$/.exec(s);
  return m ? (Number(m[1]) as Level) : undefined;
}

/** Split a `rationales` cell on `|`, dropping empty pieces (the original skips them). */
export function splitRationales(s: string): string[] {
  return s
    .trim()
    .split('|')
    .filter((r) => r.trim() !== '');
}

/** Map header names to column indexes; a missing required column is a DataError on line 1. */
export function headerIndex(header: CsvRecord, required: readonly string[], file: string): Record<string, number> {
  const names = header.fields.map((h) => h.trim());
  const idx: Record<string, number> = {};
  names.forEach((n, i) => {
    if (!(n in idx)) idx[n] = i;
  });
  const missing = required.filter((c) => !(c in idx));
  if (missing.length > 0) {
    throw new DataError(file, header.line, `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (header has: ${names.join(',')})`);
  }
  return idx;
}

/** Check a record has as many fields as the header. */
export function checkWidth(rec: CsvRecord, width: number, file: string): void {
  if (rec.fields.length !== width) {
    throw new DataError(file, rec.line, `expected ${width} fields like the header, found ${rec.fields.length} (an unquoted comma or a missing quote?)`);
  }
}

/**
 * Validates raw records as they stream in (header first) into RawRows, one DataError naming the line on
 * a bad row, and keeps only counts for the warnings (and the ids seen, for the repeated-id warning):
 * `process-data` streams a 200,000-row file through it without holding the rows.
 */
export class RawRowReader {
  private header: CsvRecord | undefined;
  private ix: Record<string, number> = {};
  private rowsSeen = 0;
  private notVerbatim = 0;
  private notFound = 0;
  private firstNotFound: number | undefined;
  private positiveNoRationale = 0;
  private zeroWithRationale = 0;
  private readonly ids = new Set<string>();
  private repeats = 0;
  private firstRepeat: number | undefined;

  constructor(readonly file: string) {}

  /** RawRows of these records (the first record of the file is its header). */
  take(recs: readonly CsvRecord[]): RawRow[] {
    const out: RawRow[] = [];
    for (const rec of recs) {
      if (!this.header) {
        this.ix = headerIndex(rec, RAW_COLUMNS, this.file);
        this.header = rec;
        continue;
      }
      out.push(this.row(rec));
    }
    return out;
  }

  private row(rec: CsvRecord): RawRow {
    const file = this.file;
    checkWidth(rec, this.header!.fields.length, file);
    const f = (c: string) => rec.fields[this.ix[c]];
    const level = parseLevel(f('level'));
    if (level === undefined) throw new DataError(file, rec.line, `level must be 0, 1 or 2, found ${JSON.stringify(f('level'))}`);
    const seeker = f('seeker_post').trim();
    const response = f('response_post').trim();
    if (seeker === '') throw new DataError(file, rec.line, 'empty seeker_post');
    if (response === '') throw new DataError(file, rec.line, 'empty response_post');
    const label = labelOf(response, level, splitRationales(f('rationales')));
    const { rationales, missed } = label;
    for (const r of rationales) if (!response.includes(r)) this.notVerbatim++;
    if (missed.length > 0) {
      this.notFound += missed.length;
      this.firstNotFound ??= rec.line;
    }
    if (level > 0 && rationales.length === 0) this.positiveNoRationale++;
    if (level === 0 && rationales.length > 0) this.zeroWithRationale++;
    const row: RawRow = { sp_id: f('sp_id').trim(), rp_id: f('rp_id').trim(), seeker_post: seeker, response_post: response, ...label, line: rec.line };
    const id = pairId(row);
    if (this.ids.has(id)) {
      this.repeats++;
      this.firstRepeat ??= rec.line;
    } else this.ids.add(id);
    this.rowsSeen++;
    return row;
  }

  /** At the end of the file: an empty file or one without data rows is an error; else the warnings. */
  finish(): string[] {
    const file = this.file;
    if (!this.header) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
    if (this.rowsSeen === 0) throw new DataError(file, undefined, 'no data rows after the header');
    const warnings: string[] = [];
    if (this.notVerbatim > 0) {
      warnings.push(
        `${file}: ${this.notVerbatim} rationale(s) are not exact substrings of their response; ${this.notVerbatim - this.notFound} matched ignoring whitespace, ${this.notFound} not found` +
          (this.firstNotFound !== undefined ? ` (first at line ${this.firstNotFound})` : ''),
      );
    }
    if (this.positiveNoRationale > 0) warnings.push(`${file}: ${this.positiveNoRationale} row(s) with level > 0 have no rationale`);
    if (this.zeroWithRationale > 0) warnings.push(`${file}: ${this.zeroWithRationale} row(s) with level 0 have a rationale`);
    if (this.repeats > 0) warnings.push(duplicateIdMessage(file, this.repeats, this.firstRepeat!));
    return warnings;
  }
}

/** Validate raw records (header first) into RawRows. Throws DataError naming the line on bad rows. */
export function rawRowsFromRecords(recs: CsvRecord[], file: string): LoadedEpitome {
  if (recs.length === 0) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  const reader = new RawRowReader(file);
  reader.take(recs.slice(0, 1));
  if (recs.length === 1) reader.finish(); // no data rows: the error, before any row is looked at
  const rows = reader.take(recs.slice(1));
  return { rows, warnings: reader.finish(), mechanism: mechanismFromFileName(file) };
}

/** Stream a raw EPITOME CSV's rows in batches (as parsed), validated by `reader`; call `reader.finish()` after. */
export async function* streamEpitomeCsv(file: string, reader: RawRowReader, opts: ReadCsvOptions = {}): AsyncGenerator<RawRow[]> {
  for await (const recs of streamCsvFile(file, opts)) {
    const rows = reader.take(recs);
    if (rows.length > 0) yield rows;
  }
}

/** A warning when (sp_id, rp_id) pairs repeat: how many rows repeat an id, and the first such line. */
export function duplicateIdWarning(rows: ReadonlyArray<Pick<RawRow, 'sp_id' | 'rp_id' | 'line'>>, file: string): string | undefined {
  const seen = new Set<string>();
  let n = 0;
  let first: number | undefined;
  for (const r of rows) {
    const id = pairId(r);
    if (seen.has(id)) {
      n++;
      first ??= r.line;
    } else seen.add(id);
  }
  return n > 0 ? duplicateIdMessage(file, n, first!) : undefined;
}

function duplicateIdMessage(file: string, n: number, first: number): string {
  return `${file}: ${n} row(s) repeat an id (sp_id, rp_id) already seen, first at line ${first} (duplicates are kept; the k-th repeat joins the k-th in sibling files)`;
}

/** Load and validate a raw EPITOME CSV. */
export async function loadEpitomeCsv(file: string, opts: ReadCsvOptions = {}): Promise<LoadedEpitome> {
  return rawRowsFromRecords(await readCsvFile(file, opts), file);
}

/** The original's pair id: `<sp_id>_<rp_id>`. */
export function pairId(r: Pick<RawRow, 'sp_id' | 'rp_id'>): string {
  return `${r.sp_id}_${r.rp_id}`;
}

/**
 * Merge per-mechanism rows into LabeledPairs keyed by (sp_id, rp_id); the k-th duplicate of a key
 * in one file joins the k-th in another. Order: first file's order, then pairs only in later files.
 * Texts come from the first file holding the pair (the files differ only in spacing at times).
 */
export function toLabeledPairs(byMechanism: Partial<Record<Mechanism, RawRow[]>>): LabeledPair[] {
  const out: LabeledPair[] = [];
  const byKey = new Map<string, LabeledPair[]>();
  for (const mech of MECHANISMS) {
    const rows = byMechanism[mech];
    if (!rows) continue;
    const seen = new Map<string, number>();
    for (const r of rows) {
      const id = pairId(r);
      const k = seen.get(id) ?? 0;
      seen.set(id, k + 1);
      const list = byKey.get(id) ?? [];
      byKey.set(id, list);
      let p = list[k];
      if (!p) {
        p = { id, spId: r.sp_id, seekerPost: r.seeker_post, responsePost: r.response_post, labels: {} };
        list.push(p);
        out.push(p);
      }
      p.labels[mech] = labelFor(p.responsePost, r, r.response_post); // spans as read, unless the texts differ
    }
  }
  return out;
}

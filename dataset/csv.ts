// RFC 4180 CSV: an incremental parser (quoted newlines, commas, escaped quotes, BOM, CRLF) over
// strictly decoded text (dataset/textDecode.ts), whose errors name the file and line, and the CSV
// writer: quoting, formula neutralisation for spreadsheets, atomic files (dataset/atomicFile.ts).
import * as fs from 'node:fs';
import { AtomicFile, writeFileAtomic } from './atomicFile';
import { TextDecodeStream, decodeText, type DecodeOptions } from './textDecode';
import { isGuardMark, unguardFormula } from './csvField';

/** A malformed or invalid data file. `message` is one line: `<file>:<line>: <what>`. */
import { DataError } from './dataError';
export { DataError };

/** One parsed record with the (1-based) line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Incremental RFC 4180 parser: `push()` text chunks, get complete records back, `end()` at EOF.
 * A file whose header carries the formula guard's mark (csvHeader: a file this project wrote) has the
 * guard's leading ' taken off its cells, so they read back as the text that was written.
 * Blank lines between records are skipped (as pandas does). A quote inside an unquoted field, text
 * after a closing quote, or an unterminated quoted field is an error naming the line.
 */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private state: 'start' | 'unquoted' | 'quoted' | 'quoteInQuoted' = 'start';
  private line = 1; // current physical line
  private recordLine = 1; // line where the current record starts
  private quoteLine = 1; // line where the open quoted field started
  private first = true; // strip a BOM on the very first chunk
  private pendingCR = false;
  private recordHasContent = false;
  /** Which fields of the header (the first record) were quoted; undefined once the header is done. */
  private headerQuoted: boolean[] | undefined = [];
  /** The header marks a guarded file: cells lose the guard's ' (see csvField.ts). */
  guarded = false;

  constructor(readonly file: string) {}

  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let s = chunk;
    if (this.first) {
      this.first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') continue; // CRLF already ended the record / line
      }
      switch (this.state) {
        case 'quoted':
          if (c === '"') this.state = 'quoteInQuoted';
          else {
            // CRLF inside a quoted field counts as one line, even when split across chunks.
            if (c === '\r' || (c === '\n' && !this.field.endsWith('\r'))) this.line++;
            this.field += c;
          }
          break;
        case 'quoteInQuoted':
          if (c === '"') {
            this.field += '"';
            this.state = 'quoted';
          } else if (c === ',') {
            this.endField();
          } else if (c === '\n' || c === '\r') {
            this.endRecord(out, c);
          } else {
            throw new DataError(this.file, this.line, `malformed CSV: unexpected character ${JSON.stringify(c)} after a closing quote (quotes inside a quoted field must be doubled: "")`);
          }
          break;
        case 'start':
        case 'unquoted':
          if (c === ',') {
            this.recordHasContent = true;
            this.endField();
          } else if (c === '\n' || c === '\r') {
            this.endRecord(out, c);
          } else if (c === '"') {
            if (this.state === 'start') {
              this.headerQuoted?.push(true);
              this.state = 'quoted';
              this.quoteLine = this.line;
              this.recordHasContent = true;
            } else {
              throw new DataError(this.file, this.line, 'malformed CSV: a quote inside an unquoted field (quote the whole field and double inner quotes)');
            }
          } else {
            this.field += c;
            this.state = 'unquoted';
            this.recordHasContent = true;
          }
          break;
      }
    }
    return out;
  }

  /** Flush the last record; throws when the file ends inside a quoted field. */
  end(): CsvRecord[] {
    if (this.state === 'quoted') {
      throw new DataError(this.file, this.quoteLine, 'malformed CSV: a quoted field opened here is never closed');
    }
    const out: CsvRecord[] = [];
    this.flushRecord(out);
    return out;
  }

  /** Emit the record in progress (if it has anything) and start an empty one. */
  private flushRecord(out: CsvRecord[]): void {
    if (this.recordHasContent || this.field !== '' || this.fields.length > 0) {
      this.noteUnquoted();
      this.fields.push(this.field);
      if (this.headerQuoted) {
        this.guarded = isGuardMark(this.headerQuoted);
        this.headerQuoted = undefined;
        out.push({ fields: this.fields, line: this.recordLine });
      } else {
        out.push({ fields: this.guarded ? this.fields.map(unguardFormula) : this.fields, line: this.recordLine });
      }
    }
    this.field = '';
    this.fields = [];
    this.state = 'start';
  }

  /** In the header: the field ending now had no opening quote. */
  private noteUnquoted(): void {
    if (this.headerQuoted && this.headerQuoted.length === this.fields.length) this.headerQuoted.push(false);
  }

  private endField(): void {
    this.noteUnquoted();
    this.fields.push(this.field);
    this.field = '';
    this.state = 'start';
  }

  private endRecord(out: CsvRecord[], c: string): void {
    this.flushRecord(out);
    this.recordHasContent = false;
    this.line++;
    this.recordLine = this.line;
    if (c === '\r') this.pendingCR = true;
  }
}

/** Parse a whole CSV text into records with their line numbers. */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  const p = new CsvParser(file);
  const out = p.push(text);
  out.push(...p.end());
  return out;
}

/** Parse a whole CSV text (RFC 4180). Errors name `file` and the line. */
export function parseCsv(text: string, file: string): string[][] {
  return parseCsvRecords(text, file).map((r) => r.fields);
}

/** How CSV files are read: the text encoding (strict UTF-8 by default). */
export type ReadCsvOptions = DecodeOptions;

function readError(file: string, e: unknown): DataError {
  if (e instanceof DataError) return e;
  const err = e as NodeJS.ErrnoException;
  if (!err.code) return new DataError(file, undefined, err.message); // e.g. an unknown --encoding
  return new DataError(file, undefined, err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a CSV file' : `cannot read (${err.code})`);
}

/** Read and parse a CSV file (strict UTF-8 unless `encoding`; a missing/empty file is a one-line DataError). */
export async function readCsvFile(file: string, opts: ReadCsvOptions = {}): Promise<CsvRecord[]> {
  let text: string;
  try {
    text = decodeText(await fs.promises.readFile(file), file, opts);
  } catch (e) {
    throw readError(file, e);
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  return parseCsvRecords(text, file);
}

/**
 * Stream records from a CSV file without holding the whole file (for 100k+ row inputs).
 * Yields batches of records as they are parsed; decoding is as strict as readCsvFile's.
 */
export async function* streamCsvFile(file: string, opts: ReadCsvOptions & { highWaterMark?: number } = {}): AsyncGenerator<CsvRecord[]> {
  let decoder: TextDecodeStream;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new DataError(file, undefined, 'is a directory, not a CSV file');
    if (st.size === 0) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
    decoder = new TextDecodeStream(file, opts);
  } catch (e) {
    throw readError(file, e);
  }
  const parser = new CsvParser(file);
  const stream = fs.createReadStream(file, { highWaterMark: opts.highWaterMark ?? 1 << 16 });
  try {
    for await (const chunk of stream) {
      const recs = parser.push(decoder.push(chunk as Buffer));
      if (recs.length > 0) yield recs;
    }
  } finally {
    stream.destroy();
  }
  const last = [...parser.push(decoder.end()), ...parser.end()];
  if (last.length > 0) yield last;
}

// Field quoting and formula neutralisation live in the browser-safe leaf ./csvField.ts (the webviews'
// slice export uses the same rules).
import { csvHeader, csvLine, type WriteCsvOptions } from './csvField';
export { csvField, csvHeader, csvLine, neutraliseFormula, unguardFormula, type WriteCsvOptions } from './csvField';

/** Write a CSV (header + rows) atomically: temp file in the same folder, then rename. Missing folders are created. */
export function writeCsvAtomic(file: string, header: readonly string[], rows: Iterable<readonly unknown[]>, opts: WriteCsvOptions = {}): void {
  const w = new AtomicFile(file);
  try {
    w.write(csvHeader(header, opts));
    for (const r of rows) w.write(csvLine(r, opts));
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
}

/** Write any text atomically (JSON reports, etc.). */
export function writeTextAtomic(file: string, text: string): void {
  writeFileAtomic(file, text);
}

// RFC 4180 CSV: an incremental parser (quoted newlines, commas, escaped quotes, BOM, CRLF, UTF-8)
// whose errors name the file and line, and atomic writers (temp file + rename) that never write
// over an input file and never leave an empty or half-written file behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A malformed or invalid data file. `message` is one line: `<file>:<line>: <what>`. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DataError';
  }
}

/** One parsed record with the (1-based) line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Incremental RFC 4180 parser: `push()` text chunks, get complete records back, `end()` at EOF.
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
      this.fields.push(this.field);
      out.push({ fields: this.fields, line: this.recordLine });
    }
    this.field = '';
    this.fields = [];
    this.state = 'start';
  }

  private endField(): void {
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

/** Read and parse a CSV file as UTF-8 (a missing/empty file is a one-line DataError). */
export async function readCsvFile(file: string): Promise<CsvRecord[]> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataError(file, undefined, err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not a CSV file' : `cannot read (${err.code ?? err.message})`);
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  return parseCsvRecords(text, file);
}

/**
 * Stream records from a CSV file without holding the whole file (for 100k+ row inputs).
 * Yields batches of records as they are parsed.
 */
export async function* streamCsvFile(file: string, opts: { highWaterMark?: number } = {}): AsyncGenerator<CsvRecord[]> {
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new DataError(file, undefined, 'is a directory, not a CSV file');
    if (st.size === 0) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  } catch (e) {
    if (e instanceof DataError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new DataError(file, undefined, err.code === 'ENOENT' ? 'no such file' : `cannot read (${err.code ?? err.message})`);
  }
  const parser = new CsvParser(file);
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: opts.highWaterMark ?? 1 << 16 });
  for await (const chunk of stream) {
    const recs = parser.push(chunk as string);
    if (recs.length > 0) yield recs;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

// Field quoting lives in the browser-safe leaf ./csvField.ts (the webviews' export uses it too).
import { csvLine } from './csvField';
export { csvField, csvLine } from './csvField';

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      try {
        return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  return real(a) === real(b);
}

/** Throw when `output` is one of `inputs` (we never write over an input file). */
export function assertNotInput(output: string, inputs: ReadonlyArray<string | undefined>): void {
  for (const i of inputs) {
    if (i && samePath(output, i)) throw new DataError(output, undefined, 'refusing to write over an input file; choose another --output_path');
  }
}

/**
 * A file written to a temp sibling and renamed into place on `commit()` (atomic on one filesystem).
 * `abort()` removes the temp file; the destination is untouched until commit.
 */
export class AtomicWriter {
  readonly tmp: string;
  private fd: number | undefined;
  constructor(readonly dest: string) {
    fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
    this.tmp = path.join(path.dirname(path.resolve(dest)), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.fd = fs.openSync(this.tmp, 'w');
  }
  write(s: string): void {
    if (this.fd === undefined) throw new Error('AtomicWriter: already closed');
    fs.writeSync(this.fd, s);
  }
  commit(): void {
    if (this.fd === undefined) throw new Error('AtomicWriter: already closed');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.tmp, this.dest);
  }
  abort(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Write a CSV (header + rows) atomically: temp file in the same folder, then rename. Missing folders are created. */
export function writeCsvAtomic(file: string, header: readonly string[], rows: Iterable<readonly unknown[]>): void {
  const w = new AtomicWriter(file);
  try {
    w.write(csvLine(header));
    for (const r of rows) w.write(csvLine(r));
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Write any text atomically (JSON reports, etc.). */
export function writeTextAtomic(file: string, text: string): void {
  const w = new AtomicWriter(file);
  try {
    w.write(text);
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

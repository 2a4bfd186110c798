// Bytes → text for data files, never silently: UTF-8 is decoded strictly (an invalid byte is an error
// naming file:line and the byte, with the fix), UTF-16 byte-order marks are honoured, UTF-32 is a
// clear error, a NUL character is an error. Other encodings (cp1252, latin1, utf-16le…) on request.
// Works on a whole buffer or chunk by chunk (streamed CSVs), with the same positions either way.
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { DataError } from './dataError';

/** What `--encoding` accepts: `utf-8` (default, strict) or any WHATWG label Node's TextDecoder knows. */
export const DEFAULT_ENCODING = 'utf-8';

export interface DecodeOptions {
  /** Text encoding of the file (default utf-8, strict). `cp1252`, `latin1`, `utf-16le`, `utf-16be`… */
  encoding?: string;
}

const FIX = 'pass --encoding cp1252 (Windows/Excel "ANSI" files; latin1 works too) or re-save the file as UTF-8';

/** Normalise an encoding name; unknown names are an Error listing examples. */
export function checkEncoding(encoding: string | undefined): string {
  const e = (encoding ?? DEFAULT_ENCODING).trim().toLowerCase();
  const label = e === 'cp1252' ? 'windows-1252' : e;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new Error(`unknown --encoding ${JSON.stringify(encoding)} (try utf-8, cp1252, latin1, utf-16le, utf-16be)`);
  }
}

/**
 * Length of the valid UTF-8 prefix of `b`: returns `{ ok }` = bytes that form complete valid
 * characters, and `bad` = offset of the first invalid byte, if any (an incomplete sequence at the very
 * end is not invalid: more bytes may follow).
 */
export function scanUtf8(b: Uint8Array): { ok: number; bad?: number } {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // no overlongs
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return { ok: i, bad: i };
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { ok: i }; // incomplete at the end of this chunk
      const d = b[i + k];
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return { ok: i, bad: i }; // name the lead byte
    }
    i += need + 1;
  }
  return { ok: n };
}

/**
 * An incremental decoder: `push(bytes)` returns the text decoded so far, `end()` the rest. Errors are
 * DataErrors naming `file`, the line (1-based) and, for bad bytes, the byte value and its file offset.
 */
export class TextDecodeStream {
  private encoding: string;
  private decoder: TextDecoder | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  private first = true;
  private offset = 0; // file offset of pending[0]
  private line = 1; // line at pending[0] (UTF-8) / after the text returned so far
  private utf8: boolean;

  constructor(
    readonly file: string,
    opts: DecodeOptions = {},
  ) {
    this.encoding = checkEncoding(opts.encoding);
    this.utf8 = this.encoding === 'utf-8';
  }

  push(chunk: Uint8Array): string {
    let b = chunk;
    if (this.pending.length > 0) {
      b = new Uint8Array(this.pending.length + chunk.length);
      b.set(this.pending);
      b.set(chunk, this.pending.length);
    }
    if (this.first) {
      if (b.length < 4 && chunk.length > 0) {
        this.pending = b; // need 4 bytes to tell a BOM
        return '';
      }
      this.first = false;
      b = this.sniffBom(b);
    }
    return this.decode(b, false);
  }

  end(): string {
    if (this.first) {
      this.first = false;
      const b = this.sniffBom(this.pending);
      this.pending = new Uint8Array(0);
      return this.decode(b, true);
    }
    const b = this.pending;
    this.pending = new Uint8Array(0);
    return this.decode(b, true);
  }

  private sniffBom(b: Uint8Array): Uint8Array {
    const at = (i: number) => b[i];
    if ((at(0) === 0xff && at(1) === 0xfe && at(2) === 0 && at(3) === 0) || (at(0) === 0 && at(1) === 0 && at(2) === 0xfe && at(3) === 0xff)) {
      throw new DataError(this.file, undefined, 'the file is UTF-32 (byte-order mark), which is not supported; re-save it as UTF-8');
    }
    if (at(0) === 0xff && at(1) === 0xfe) return this.switchTo('utf-16le', b.subarray(2));
    if (at(0) === 0xfe && at(1) === 0xff) return this.switchTo('utf-16be', b.subarray(2));
    if (at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) {
      this.offset += 3;
      return this.utf8 ? b.subarray(3) : this.switchTo('utf-8', b.subarray(3));
    }
    return b;
  }

  /** A byte-order mark wins over --encoding: it says what the file is. */
  private switchTo(encoding: string, rest: Uint8Array): Uint8Array {
    this.offset += 2;
    this.encoding = encoding;
    this.utf8 = encoding === 'utf-8';
    return rest;
  }

  private decode(b: Uint8Array, final: boolean): string {
    let text: string;
    if (this.utf8) {
      const { ok, bad } = isUtf8(b) ? { ok: b.length, bad: undefined } : scanUtf8(b); // native check first; the scan finds where
      if (bad !== undefined || (final && ok < b.length)) this.invalid(b, bad ?? ok, bad === undefined);
      text = Buffer.from(b.buffer, b.byteOffset, ok).toString('utf8');
      this.pending = b.slice(ok);
      this.offset += ok;
    } else {
      this.decoder ??= new TextDecoder(this.encoding, { fatal: true });
      try {
        text = this.decoder.decode(b, { stream: !final });
      } catch {
        throw new DataError(this.file, this.line, `invalid ${this.encoding} text (an odd number of bytes or a lone surrogate)`);
      }
      this.pending = new Uint8Array(0);
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      const line = this.line + countNewlines(text, nul);
      const hint = this.utf8 ? ' (UTF-16 without a byte-order mark? then pass --encoding utf-16le; else it is not a text file)' : '';
      throw new DataError(this.file, line, `NUL character in the text: not a plain-text CSV${hint}`);
    }
    this.line += countNewlines(text, text.length);
    return text;
  }

  private invalid(b: Uint8Array, at: number, truncated: boolean): never {
    let line = this.line;
    for (let i = 0; i < at; i++) if (b[i] === 0x0a) line++;
    const byte = b[at] ?? 0;
    const nul = b.indexOf(0) >= 0 && b.indexOf(0) < 64;
    const where = `0x${byte.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${this.offset + at}`;
    const what = truncated ? `the file ends inside a UTF-8 character (byte ${where})` : `invalid UTF-8 byte ${where}`;
    const hint = nul ? 'it looks like UTF-16 without a byte-order mark: pass --encoding utf-16le, or re-save it as UTF-8' : FIX;
    throw new DataError(this.file, line, `${what}: the file is not UTF-8; ${hint}`);
  }
}

function countNewlines(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Decode a whole file's bytes (see TextDecodeStream). */
export function decodeText(bytes: Uint8Array, file: string, opts: DecodeOptions = {}): string {
  const d = new TextDecodeStream(file, opts);
  return d.push(bytes) + d.end();
}

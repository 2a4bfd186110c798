// Safetensors reader/writer (F32, F16, BF16, I64, I32): the one weight/checkpoint file format, PyTorch-readable.
// Format: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, __metadata__},
// padded with spaces to a multiple of 8, then the raw little-endian data (offsets relative to its start).
import * as fs from 'node:fs';
import { writeFileAtomicAsync } from '../../dataset/atomicFile';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

/** One tensor: F32 → Float32Array, F16/BF16 → Uint16Array (raw bits), I64 → BigInt64Array, I32 → Int32Array. */
export type TensorEntry = {
  dtype: Dtype;
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint16Array;
};

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function typedFromBytes(dtype: Dtype, bytes: Uint8Array, copyFirst = true): TensorEntry['data'] {
  // Copy into a fresh, aligned buffer (file offsets need not be aligned to the element size), unless the
  // bytes are already a whole buffer of their own.
  let copy = bytes;
  if (copyFirst) {
    copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
  }
  switch (dtype) {
    case 'F32': return new Float32Array(copy.buffer);
    case 'I32': return new Int32Array(copy.buffer);
    case 'I64': return new BigInt64Array(copy.buffer);
    case 'F16':
    case 'BF16': return new Uint16Array(copy.buffer);
  }
}

/** A dtype named in a header, checked against the table's own keys (a dtype of `toString` is not one). */
function isDtype(v: unknown): v is Dtype {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(BYTES, v);
}

/** One tensor of a safetensors header: where its bytes are in the data section. */
interface HeaderEntry { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }

/**
 * Parse a safetensors buffer. Every header entry is checked before any byte is read: a JSON object header,
 * own-table dtypes, shapes of non-negative integers, integer offsets with 0 ≤ begin ≤ end ≤ data length,
 * byte counts that match the shape, no two tensors sharing bytes, and no byte outside every tensor (a gap
 * or trailing bytes). Errors name the tensor.
 */
export function readSafetensors(buf: Uint8Array): { tensors: Map<string, TensorEntry>; metadata: Record<string, string> } {
  if (buf.byteLength < 8) throw new Error(`safetensors: file too short (${buf.byteLength} bytes)`);
  const n = headerLength(new DataView(buf.buffer, buf.byteOffset, 8), buf.byteLength);
  const dataStart = 8 + n;
  const { entries, metadata } = parseHeader(buf.subarray(8, dataStart), buf.byteLength - dataStart);
  const tensors = new Map<string, TensorEntry>();
  for (const t of entries) {
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: typedFromBytes(t.dtype, buf.subarray(dataStart + t.begin, dataStart + t.end)) });
  }
  return { tensors, metadata };
}

/** The header's length from the first 8 bytes, checked against the file's size. */
function headerLength(first8: DataView, fileSize: number): number {
  const n64 = first8.getBigUint64(0, true);
  if (n64 > BigInt(fileSize - 8)) throw new Error(`safetensors: header length ${n64} exceeds file size ${fileSize}`);
  return Number(n64);
}

/** The header's tensors and metadata, every entry checked (see readSafetensors) against the data's length. */
function parseHeader(headerBytes: Uint8Array, dataLength: number): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new Error(`safetensors: header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error('safetensors: header is not a JSON object');
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('safetensors: __metadata__ is not an object');
      for (const [k, v] of Object.entries(raw)) if (typeof v !== 'string') throw new Error(`safetensors: __metadata__ '${k}' is not a string`);
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const bad = (what: string) => new Error(`safetensors: tensor '${name}' ${what}`);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('is not an object with dtype, shape and data_offsets');
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(info.dtype)) throw bad(`has unsupported dtype ${typeof info.dtype === 'string' ? info.dtype : JSON.stringify(info.dtype)} (expected one of ${Object.keys(BYTES).join(', ')})`);
    const dtype = info.dtype;
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`has shape ${JSON.stringify(shape)}, expected an array of non-negative integers`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o))) {
      throw bad(`has data_offsets ${JSON.stringify(offsets)}, expected two integers [begin, end]`);
    }
    const [b, e] = offsets as [number, number];
    if (!(b >= 0 && b <= e)) throw bad(`has data_offsets [${b}, ${e}] outside 0 ≤ begin ≤ end ≤ ${dataLength} (the data's length)`);
    if (e > dataLength) throw bad(`data [${b}, ${e}) past end of the data (${dataLength} bytes)`);
    const count = numel(shape as number[]);
    const expected = count * BYTES[dtype];
    if (!Number.isSafeInteger(expected) || e - b !== expected) throw bad(`has ${e - b} bytes, shape [${shape}] ${dtype} needs ${expected}`);
    entries.push({ name, dtype, shape: [...(shape as number[])], begin: b, end: e });
  }
  // No byte belongs to two tensors (empty tensors own no bytes), and every byte to one: as the reference
  // implementation, a gap between tensors or bytes after the last one are refused (data smuggled in, or a
  // file truncated and padded).
  const spans = entries.filter((t) => t.end > t.begin).sort((x, y) => x.begin - y.begin);
  let covered = 0;
  for (let i = 0; i < spans.length; i++) {
    if (i > 0 && spans[i].begin < spans[i - 1].end) {
      throw new Error(`safetensors: tensor '${spans[i].name}' data [${spans[i].begin}, ${spans[i].end}) overlaps tensor '${spans[i - 1].name}' [${spans[i - 1].begin}, ${spans[i - 1].end})`);
    }
    if (spans[i].begin > covered) throw new Error(`safetensors: data bytes [${covered}, ${spans[i].begin}) before tensor '${spans[i].name}' belong to no tensor`);
    covered = spans[i].end;
  }
  if (covered < dataLength) throw new Error(`safetensors: ${dataLength - covered} byte(s) after the last tensor's data (at ${covered} of ${dataLength}) belong to no tensor`);
  return { entries, metadata };
}

/** The first non-finite value (NaN, ±Inf) of a floating entry, or undefined (integer dtypes have none). */
export function firstNonFinite(t: TensorEntry): { index: number; value: number } | undefined {
  if (t.dtype === 'F32') {
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return { index: i, value: d[i] };
    return undefined;
  }
  if (t.dtype === 'F16' || t.dtype === 'BF16') {
    // All-ones exponent = Inf or NaN, straight from the bits.
    const mask = t.dtype === 'F16' ? 0x7c00 : 0x7f80;
    const d = t.data as Uint16Array;
    for (let i = 0; i < d.length; i++) {
      if ((d[i] & mask) === mask) return { index: i, value: (t.dtype === 'F16' ? f16ToF32 : bf16ToF32)(d.subarray(i, i + 1))[0] };
    }
  }
  return undefined;
}

/** Serialise tensors (in the Map's order) and string metadata. */
export function writeSafetensors(tensors: Map<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array {
  const chunks = [...safetensorsChunks(tensors, metadata)];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

/**
 * The file as chunks: the length and header, then each tensor's bytes as a view of its data (no copy), so a
 * checkpoint is written without a second, whole-file copy of its weights in memory.
 */
export function safetensorsChunks(tensors: Map<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata '${k}' must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = numel(t.shape) * BYTES[t.dtype];
    if (t.data.byteLength !== bytes) throw new Error(`safetensors: tensor '${name}' has ${t.data.byteLength} bytes, shape [${t.shape}] ${t.dtype} needs ${bytes}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20); // the header padded with spaces to 8 bytes
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return [head, ...[...tensors.values()].map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
}

/**
 * Read a safetensors file: the header first (checked as readSafetensors checks it), then each tensor `keep`
 * accepts (default: all) straight into a buffer of its own. The file is never held whole in memory, and
 * tensors left out (a checkpoint's optimiser state, for inference) are never read.
 */
export async function readSafetensorsFile(file: string, opts: { keep?: (name: string) => boolean } = {}): Promise<{ tensors: Map<string, TensorEntry>; metadata: Record<string, string> }> {
  const st = SafetensorsFile.open(file);
  const tensors = new Map<string, TensorEntry>();
  for (const name of st.names()) if (!opts.keep || opts.keep(name)) tensors.set(name, st.tensor(name));
  return { tensors, metadata: st.metadata };
}

/**
 * A safetensors file opened by its header (checked as readSafetensors checks it); each tensor is read from
 * the file when asked for, into a buffer of its own. A read finds the file as it was opened (same size and
 * modification time) or fails naming it.
 */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    readonly metadata: Record<string, string>,
    private readonly entries: Map<string, HeaderEntry>,
    private readonly dataStart: number,
    private readonly stamp: string,
  ) {}

  /** Open `file` and check its header (errors name the file). */
  static open(file: string): SafetensorsFile {
    const fd = fs.openSync(file, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (st.size < 8) throw new Error(`safetensors: file too short (${st.size} bytes)`);
      const n = headerLength(new DataView(readAt(fd, 0, 8).buffer), st.size);
      const { entries, metadata } = parseHeader(readAt(fd, 8, n), st.size - 8 - n);
      return new SafetensorsFile(file, metadata, new Map(entries.map((e) => [e.name, e])), 8 + n, `${st.size}:${st.mtimeMs}`);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Tensor names, in the header's order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** A tensor's dtype and shape (undefined when the file has no such tensor). */
  info(name: string): { dtype: Dtype; shape: number[] } | undefined {
    const e = this.entries.get(name);
    return e && { dtype: e.dtype, shape: [...e.shape] };
  }

  /** One tensor's values, read from the file now. */
  tensor(name: string): TensorEntry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.file}: no tensor '${name}'`);
    const fd = fs.openSync(this.file, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (`${st.size}:${st.mtimeMs}` !== this.stamp) throw new Error('safetensors: the file changed on disk since it was opened');
      return { dtype: e.dtype, shape: [...e.shape], data: typedFromBytes(e.dtype, readAt(fd, this.dataStart + e.begin, e.end - e.begin), false) };
    } catch (err) {
      throw new Error(`${this.file}: ${(err as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** `length` bytes at `position` into a fresh buffer (short reads continue; a file that shrank is an error). */
function readAt(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const got = fs.readSync(fd, out, done, length - done, position + done);
    if (got === 0) throw new Error(`safetensors: file ended at byte ${position + done}, expected ${position + length}`);
    done += got;
  }
  return out;
}

/** Write atomically (dataset/atomicFile.ts: temp sibling, fsync, rename, fsync the folder; folders created). */
export async function writeSafetensorsFileAtomic(file: string, tensors: Map<string, TensorEntry>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomicAsync(file, safetensorsChunks(tensors, metadata));
}

// ---- dtype conversions (half floats are stored as raw bits) ----

/** IEEE half (F16) bits → float32. */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) out[i] = s * m * 2 ** -24;
    else if (e === 31) out[i] = m ? NaN : s * Infinity;
    else out[i] = s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** float32 → IEEE half bits (round to nearest even). */
export function f32ToF16(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i];
    const b = u[0];
    const sign = (b >>> 16) & 0x8000;
    const exp = (b >>> 23) & 0xff;
    let mant = b & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); continue; }
    let e = exp - 127 + 15;
    if (e >= 31) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      mant |= 0x800000;
      const shift = 14 - e;
      let hm = mant >> shift;
      const rem = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && (hm & 1))) hm++;
      out[i] = sign | hm;
      continue;
    }
    let hm = mant >> 13;
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (hm & 1))) {
      hm++;
      if (hm === 0x400) { hm = 0; e++; if (e >= 31) { out[i] = sign | 0x7c00; continue; } }
    }
    out[i] = sign | (e << 10) | hm;
  }
  return out;
}

/** bfloat16 bits → float32 (exact: bf16 is the top half of an f32). */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const u = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i] << 16;
  return new Float32Array(u.buffer);
}

/** float32 → bfloat16 bits (round to nearest even). */
export function f32ToBf16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = u[i];
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff)) { out[i] = (b >>> 16) | 0x40; continue; }
    out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** Any floating entry as float32 values (F16/BF16 converted). Throws for integer dtypes. */
export function toFloat32(name: string, t: TensorEntry): Float32Array {
  switch (t.dtype) {
    case 'F32': return t.data as Float32Array;
    case 'F16': return f16ToF32(t.data as Uint16Array);
    case 'BF16': return bf16ToF32(t.data as Uint16Array);
    default: throw new Error(`tensor '${name}' has integer dtype ${t.dtype}, expected a float tensor`);
  }
}

/** Any integer entry as int32 values (I64 narrowed, with a range check). */
export function toInt32(name: string, t: TensorEntry): Int32Array {
  if (t.dtype === 'I32') return t.data as Int32Array;
  if (t.dtype === 'I64') {
    const src = t.data as BigInt64Array;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (v > 2147483647n || v < -2147483648n) throw new Error(`tensor '${name}' value ${v} at ${i} does not fit int32`);
      out[i] = Number(v);
    }
    return out;
  }
  throw new Error(`tensor '${name}' has float dtype ${t.dtype}, expected an integer tensor`);
}

/** Convenience: a float32 entry. */
export function f32Entry(shape: number[], data: Float32Array): TensorEntry {
  return { dtype: 'F32', shape: [...shape], data };
}

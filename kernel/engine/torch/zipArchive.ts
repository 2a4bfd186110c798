// A small, bounds-checked ZIP reader for PyTorch's zip checkpoints (torch ≥ 1.6 writes stored entries,
// 64-byte aligned): the central directory (zip64 included) is read, every entry's local header and data
// span are checked against the file, stored entries are returned as views (no copy), deflated ones are
// inflated with node:zlib up to their declared size, and CRC-32s are checked where zlib offers crc32.
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate (the only methods read). */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the local file header. */
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start like a ZIP archive (a local file header). */
export function looksLikeZip(buf: Uint8Array): boolean {
  return buf.byteLength >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

function u64(dv: DataView, at: number, what: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`zip: ${what} ${v} is too large`);
  return Number(v);
}

/** Where the central directory is and how many entries it lists (zip64 records followed when present). */
function findCentralDirectory(buf: Uint8Array, dv: DataView): { count: number; offset: number; size: number } {
  const min = Math.max(0, buf.byteLength - 22 - 0xffff);
  let at = -1;
  for (let i = buf.byteLength - 22; i >= min; i--) {
    if (dv.getUint32(i, true) === EOCD) { at = i; break; }
  }
  if (at < 0) throw new Error('zip: no end-of-central-directory record (the file is truncated or not a zip archive)');
  let count = dv.getUint16(at + 10, true);
  let size = dv.getUint32(at + 12, true);
  let offset = dv.getUint32(at + 16, true);
  if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && at >= 20 && dv.getUint32(at - 20, true) === ZIP64_LOCATOR) {
    const rec = u64(dv, at - 20 + 8, 'zip64 record offset');
    if (rec + 56 > buf.byteLength || dv.getUint32(rec, true) !== ZIP64_EOCD) throw new Error('zip: the zip64 end-of-central-directory record is missing or outside the file');
    count = u64(dv, rec + 32, 'entry count');
    size = u64(dv, rec + 40, 'central directory size');
    offset = u64(dv, rec + 48, 'central directory offset');
  }
  if (offset + size > buf.byteLength) throw new Error(`zip: central directory [${offset}, ${offset + size}) lies outside the file (${buf.byteLength} bytes)`);
  return { count, offset, size };
}

/** The zip64 extra field's 64-bit values, in the order the central header asks for them. */
function zip64Values(dv: DataView, start: number, len: number, wanted: number): number[] {
  for (let p = start; p + 4 <= start + len; ) {
    const id = dv.getUint16(p, true);
    const n = dv.getUint16(p + 2, true);
    if (p + 4 + n > start + len) break;
    if (id === 0x0001) {
      if (n < wanted * 8) throw new Error('zip: zip64 extra field too short');
      return Array.from({ length: wanted }, (_, i) => u64(dv, p + 4 + i * 8, 'zip64 value'));
    }
    p += 4 + n;
  }
  throw new Error('zip: an entry needs a zip64 extra field and has none');
}

/** Every entry of the central directory, checked to lie inside the file. Names are unique. */
export function readZipDirectory(buf: Uint8Array): Map<string, ZipEntry> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { count, offset, size } = findCentralDirectory(buf, dv);
  const entries = new Map<string, ZipEntry>();
  const end = offset + size;
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || dv.getUint32(p, true) !== CENTRAL) throw new Error(`zip: central directory entry ${i} is malformed`);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let fileSize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > end) throw new Error(`zip: central directory entry ${i} runs past the directory`);
    const name = new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(p + 46, p + 46 + nameLen));
    const big = [fileSize === 0xffffffff, compressedSize === 0xffffffff, localOffset === 0xffffffff];
    if (big.some(Boolean)) {
      const vals = zip64Values(dv, p + 46 + nameLen, extraLen, big.filter(Boolean).length);
      if (big[0]) fileSize = vals.shift()!;
      if (big[1]) compressedSize = vals.shift()!;
      if (big[2]) localOffset = vals.shift()!;
    }
    if (entries.has(name)) throw new Error(`zip: entry '${name}' is listed twice`);
    if (localOffset + 30 > buf.byteLength) throw new Error(`zip: entry '${name}' starts past the end of the file`);
    entries.set(name, { name, method, compressedSize, size: fileSize, crc32, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** One entry's bytes: a view for a stored entry, inflated for deflate; sizes and CRC checked. */
export function readZipEntry(buf: Uint8Array, e: ZipEntry): Uint8Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(e.localOffset, true) !== LOCAL) throw new Error(`zip: entry '${e.name}' has no local file header at ${e.localOffset}`);
  const start = e.localOffset + 30 + dv.getUint16(e.localOffset + 26, true) + dv.getUint16(e.localOffset + 28, true);
  if (start + e.compressedSize > buf.byteLength) throw new Error(`zip: entry '${e.name}' data [${start}, ${start + e.compressedSize}) runs past the end of the file (${buf.byteLength} bytes)`);
  const raw = buf.subarray(start, start + e.compressedSize);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new Error(`zip: stored entry '${e.name}' declares ${e.compressedSize} stored but ${e.size} bytes`);
    data = raw;
  } else if (e.method === 8) {
    let out: Buffer;
    try {
      out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      throw new Error(`zip: entry '${e.name}' does not inflate to its declared ${e.size} bytes (${(err as Error).message})`);
    }
    if (out.byteLength !== e.size) throw new Error(`zip: entry '${e.name}' inflates to ${out.byteLength} bytes, declared ${e.size}`);
    data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } else {
    throw new Error(`zip: entry '${e.name}' uses compression method ${e.method} (only stored and deflate are read)`);
  }
  const crc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (crc && (crc(data) >>> 0) !== e.crc32) throw new Error(`zip: entry '${e.name}' fails its CRC-32 check (the file is corrupt)`);
  return data;
}

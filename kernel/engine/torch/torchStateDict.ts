// What `torch.save(state_dict)` writes, read as tensors without running it: the zip format (torch ≥ 1.6:
// <archive>/data.pkl + one raw file per storage) and the legacy format (five pickles — magic number,
// protocol, sys info, the state dict, storage keys — then the raw storages). The pickles go through the
// restricted unpickler; every storage's size, every tensor's dtype, shape and strided extent are checked
// against the bytes really there, like the safetensors reader. Also reads Hugging Face `pytorch_model.bin`.
import { promises as fsp } from 'node:fs';
import type { Dtype, TensorEntry } from '../safetensors';
import { describePy, isStorage, isTensor, PyDict, PyGlobal, PyTuple, STORAGE_TYPES, unpickle, type PyValue, type StorageRef, type TensorRef } from './restrictedUnpickler';
import { looksLikeZip, readZipDirectory, readZipEntry } from './zipArchive';

export interface TorchStateDict {
  tensors: Map<string, TensorEntry>;
  format: 'zip' | 'legacy';
}

/** Element sizes of torch's storage types, and the safetensors dtype of those the engine reads. */
const STORAGE: Record<(typeof STORAGE_TYPES)[number], { bytes: number; dtype?: Dtype; torch: string }> = {
  FloatStorage: { bytes: 4, dtype: 'F32', torch: 'float32' },
  HalfStorage: { bytes: 2, dtype: 'F16', torch: 'float16' },
  BFloat16Storage: { bytes: 2, dtype: 'BF16', torch: 'bfloat16' },
  LongStorage: { bytes: 8, dtype: 'I64', torch: 'int64' },
  IntStorage: { bytes: 4, dtype: 'I32', torch: 'int32' },
  DoubleStorage: { bytes: 8, torch: 'float64' },
  ShortStorage: { bytes: 2, torch: 'int16' },
  CharStorage: { bytes: 1, torch: 'int8' },
  ByteStorage: { bytes: 1, torch: 'uint8' },
  BoolStorage: { bytes: 1, torch: 'bool' },
};

/** torch's legacy-format magic number (the first pickle of such a file). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** Bytes enough to tell a torch file by its start (`looksLikeTorchFile`). */
export const TORCH_SNIFF_BYTES = 16;

/** True when the bytes start like either torch format (a zip archive, or a pickle holding the magic number). */
export function looksLikeTorchFile(head: Uint8Array): boolean {
  if (looksLikeZip(head)) return true;
  if (head.byteLength < 4 || head[0] !== 0x80) return false;
  // PROTO n, a FRAME from protocol 4 on, then LONG1 of 10 bytes: the legacy magic number.
  const p = head[2] === 0x95 ? 11 : 2;
  return head.byteLength >= p + 2 && head[p] === 0x8a && head[p + 1] === 0x0a;
}

/** Reads the first bytes of `file` and says whether it is a torch checkpoint (zip or legacy). */
export async function isTorchFile(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(TORCH_SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, TORCH_SNIFF_BYTES, 0);
    return looksLikeTorchFile(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** A persistent id `('storage', torch.XStorage, key, location, numel[, view_metadata])` as a storage, one per key. */
function storageTable(legacy: boolean): { resolve: (pid: PyValue) => StorageRef; byKey: Map<string, StorageRef> } {
  const byKey = new Map<string, StorageRef>();
  const resolve = (pid: PyValue): StorageRef => {
    const t = pid instanceof PyTuple ? pid.items : undefined;
    if (!t || t[0] !== 'storage' || t.length < 5) throw new Error(`pickle: a persistent id is ${describePy(pid)}, not ('storage', type, key, location, size)`);
    const [, type, key, , numel] = t;
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in STORAGE)) throw new Error(`pickle: storage type ${describePy(type)} is not a torch storage type`);
    if (typeof key !== 'string') throw new Error('pickle: a storage key is not a string');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw new Error(`pickle: storage '${key}' has size ${String(numel)}, not a non-negative integer`);
    if (legacy && t.length > 5 && t[5] !== null) throw new Error(`pickle: storage '${key}' is a view of another storage (a format older than torch 0.4); re-save it with a current torch`);
    const prev = byKey.get(key);
    if (prev && (prev.type !== type.name || prev.numel !== numel)) throw new Error(`pickle: storage '${key}' is declared twice with different types or sizes`);
    const s = prev ?? { kind: 'storage' as const, type: type.name, key, numel };
    byKey.set(key, s);
    return s;
  };
  return { resolve, byKey };
}

/** The top-level dict's tensors by name, in order (anything else is an error naming the entry). */
function tensorRefs(v: PyValue): Map<string, TensorRef> {
  if (!(v instanceof PyDict)) throw new Error(`the file holds ${describePy(v)}, not a state dict (what torch.save(model.state_dict(), path) writes)`);
  const out = new Map<string, TensorRef>();
  for (const [k, t] of v.map) {
    if (typeof k !== 'string') throw new Error(`a state dict key is ${typeof k}, not a string`);
    if (!isTensor(t)) throw new Error(`entry '${k}' is ${describePy(t)}, not a tensor: expected what torch.save(model.state_dict(), path) writes`);
    out.set(k, t);
  }
  return out;
}

/** One tensor's values from its storage bytes: bounds and dtype checked, strided views gathered. */
function materialise(name: string, t: TensorRef, storageBytes: Uint8Array): TensorEntry {
  const info = STORAGE[t.storage.type as keyof typeof STORAGE];
  if (!info.dtype) throw new Error(`tensor '${name}' is ${info.torch}: only float32, float16, bfloat16, int64 and int32 tensors are read`);
  const es = info.bytes;
  const numel = t.size.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numel * es)) throw new Error(`tensor '${name}' has an impossible shape [${t.size}]`);
  if (numel > 0) {
    const last = t.size.reduce((acc, d, i) => acc + (d - 1) * t.stride[i], t.offset);
    if (last >= t.storage.numel) throw new Error(`tensor '${name}' (shape [${t.size}], stride [${t.stride}], offset ${t.offset}) reaches element ${last} of storage '${t.storage.key}', which holds ${t.storage.numel}`);
  }
  let contiguous = true;
  for (let i = t.size.length - 1, want = 1; i >= 0; i--) {
    if (t.size[i] !== 1 && t.stride[i] !== want) contiguous = false;
    want *= t.size[i];
  }
  const at = storageBytes.byteOffset + t.offset * es;
  // A contiguous tensor at an aligned offset (torch aligns zip entries to 64 bytes) is a view of the file's
  // bytes: a roberta-base checkpoint is not held twice.
  if (contiguous && at % es === 0) return { dtype: info.dtype, shape: [...t.size], data: typedView(info.dtype, storageBytes.buffer, at, numel) };
  const out = new Uint8Array(numel * es);
  if (contiguous) {
    out.set(storageBytes.subarray(t.offset * es, (t.offset + numel) * es));
  } else {
    const idx = new Array<number>(t.size.length).fill(0);
    for (let n = 0; n < numel; n++) {
      const src = t.offset + idx.reduce((a, v, i) => a + v * t.stride[i], 0);
      out.set(storageBytes.subarray(src * es, src * es + es), n * es);
      for (let d = idx.length - 1; d >= 0 && ++idx[d] === t.size[d]; d--) idx[d] = 0;
    }
  }
  return { dtype: info.dtype, shape: [...t.size], data: typedView(info.dtype, out.buffer, 0, numel) };
}

function typedView(dtype: Dtype, buf: ArrayBufferLike, byteOffset: number, length: number): TensorEntry['data'] {
  switch (dtype) {
    case 'F32': return new Float32Array(buf, byteOffset, length);
    case 'I64': return new BigInt64Array(buf, byteOffset, length);
    case 'I32': return new Int32Array(buf, byteOffset, length);
    case 'F16':
    case 'BF16': return new Uint16Array(buf, byteOffset, length);
  }
}

function checkStorageBytes(s: StorageRef, bytes: number): void {
  const want = s.numel * STORAGE[s.type as keyof typeof STORAGE].bytes;
  if (bytes !== want) throw new Error(`storage '${s.key}' (${s.numel} × ${s.type}) needs ${want} bytes, the file holds ${bytes}`);
}

function readZipFormat(buf: Uint8Array): Map<string, TensorEntry> {
  const entries = readZipDirectory(buf);
  const pkls = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) throw new Error(`zip archive has ${pkls.length} '<name>/data.pkl' entries, expected one (is it a torch.save file?)`);
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order) {
    const bo = new TextDecoder().decode(readZipEntry(buf, order)).trim();
    if (bo !== 'little') throw new Error(`the tensors are stored ${bo}-endian; only little-endian files are read`);
  }
  const table = storageTable(false);
  const { value } = unpickle(readZipEntry(buf, entries.get(pkls[0])!), 0, { resolvePersistent: table.resolve });
  const refs = tensorRefs(value);
  const bytes = new Map<string, Uint8Array>();
  for (const s of table.byKey.values()) {
    const e = entries.get(`${prefix}data/${s.key}`);
    if (!e) throw new Error(`storage '${s.key}' has no entry ${prefix}data/${s.key} in the archive`);
    const b = readZipEntry(buf, e);
    checkStorageBytes(s, b.byteLength);
    bytes.set(s.key, b);
  }
  return new Map([...refs].map(([k, t]) => [k, materialise(k, t, bytes.get(t.storage.key)!)]));
}

function readLegacyFormat(buf: Uint8Array): Map<string, TensorEntry> {
  const none = { resolvePersistent: () => { throw new Error('pickle: a persistent id in a header pickle'); } };
  const magic = unpickle(buf, 0, none);
  if (typeof magic.value !== 'bigint' || magic.value !== LEGACY_MAGIC) throw new Error('not a torch legacy file (wrong magic number)');
  const proto = unpickle(buf, magic.end, none);
  if (proto.value !== LEGACY_PROTOCOL) throw new Error(`torch legacy protocol ${String(proto.value)} (only ${LEGACY_PROTOCOL} is read)`);
  const sys = unpickle(buf, proto.end, none);
  if (!(sys.value instanceof PyDict) || sys.value.map.get('little_endian') !== true) throw new Error('the tensors are not stored little-endian; only little-endian files are read');
  const table = storageTable(true);
  const main = unpickle(buf, sys.end, { resolvePersistent: table.resolve });
  const refs = tensorRefs(main.value);
  const keys = unpickle(buf, main.end, none);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new Error('the storage key list is not a list of strings');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bytes = new Map<string, Uint8Array>();
  let p = keys.end;
  for (const key of keys.value as string[]) {
    const s = table.byKey.get(key);
    if (!s) throw new Error(`storage '${key}' is listed but no tensor uses it`);
    if (bytes.has(key)) throw new Error(`storage '${key}' is listed twice`);
    if (p + 8 > buf.byteLength) throw new Error(`storage '${key}' starts past the end of the file`);
    const n = dv.getBigUint64(p, true);
    if (n !== BigInt(s.numel)) throw new Error(`storage '${key}' holds ${n} elements, the pickle declares ${s.numel}`);
    const len = s.numel * STORAGE[s.type as keyof typeof STORAGE].bytes;
    if (p + 8 + len > buf.byteLength) throw new Error(`storage '${key}' [${p + 8}, ${p + 8 + len}) runs past the end of the file (${buf.byteLength} bytes)`);
    bytes.set(key, buf.subarray(p + 8, p + 8 + len));
    p += 8 + len;
  }
  for (const s of table.byKey.values()) if (!bytes.has(s.key)) throw new Error(`storage '${s.key}' is used by a tensor but its data is missing`);
  if (p !== buf.byteLength) throw new Error(`${buf.byteLength - p} unexpected bytes after the last storage`);
  return new Map([...refs].map(([k, t]) => [k, materialise(k, t, bytes.get(t.storage.key)!)]));
}

/** Parse a torch checkpoint held in memory. Errors say what is wrong; refusals are `PickleRefused`. */
export function readTorchStateDict(buf: Uint8Array): TorchStateDict {
  if (looksLikeZip(buf)) return { tensors: readZipFormat(buf), format: 'zip' };
  if (looksLikeTorchFile(buf)) return { tensors: readLegacyFormat(buf), format: 'legacy' };
  throw new Error('not a PyTorch checkpoint (neither the zip format of torch ≥ 1.6 nor the legacy format)');
}

/** Read a torch checkpoint file; every error names the file. */
export async function readTorchStateDictFile(file: string): Promise<TorchStateDict> {
  const buf = await fsp.readFile(file);
  try {
    return readTorchStateDict(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    const err = e as Error;
    err.message = `${file}: ${err.message}`;
    throw err;
  }
}

// A restricted unpickler for tensor state dicts: a pickle is a program, so this one reads only the opcodes
// plain data needs (numbers, strings, tuples, lists, dicts, memo, marks) and calls only the globals a state
// dict uses — collections.OrderedDict and the tensor/storage rebuild functions and storage types of torch,
// each implemented here as data (nothing of Python is ever run). Any other global, opcode or argument shape
// is refused with an error naming it, before anything is built from the file.
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyTuple | PyValue[] | PyDict | PyGlobal | StorageRef | TensorRef;

/** A Python tuple (arrays are lists). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A dict (or OrderedDict) in insertion order; `attrs` holds a BUILD's state (e.g. a state dict's `_metadata`). */
export class PyDict {
  readonly map = new Map<string | number | bigint | boolean | null, PyValue>();
  attrs?: PyValue;
}

/** An allowed global, by its qualified name: a storage type or a function REDUCE may call. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A typed storage a tensor views: what the persistent id resolved to. */
export interface StorageRef {
  kind: 'storage';
  /** torch storage type name, e.g. FloatStorage. */
  type: string;
  key: string;
  numel: number;
}

/** A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

/** Storage types a state dict may name (torch.<Name>), the only classes this reader knows. */
export const STORAGE_TYPES = ['FloatStorage', 'HalfStorage', 'BFloat16Storage', 'DoubleStorage', 'LongStorage', 'IntStorage', 'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage'] as const;

const REBUILD_FUNCTIONS = ['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_parameter'];
const ALLOWED_GLOBALS = new Set(['collections.OrderedDict', ...REBUILD_FUNCTIONS, ...STORAGE_TYPES.map((s) => `torch.${s}`)]);

/** The list of what may be named, for the refusal message. */
export const ALLOWED_GLOBALS_TEXT = 'collections.OrderedDict, torch._utils._rebuild_tensor_v2/_rebuild_tensor/_rebuild_parameter and torch.*Storage types';

/** A refusal: the pickle asks for something outside the allowlist (nothing was executed). */
export class PickleRefused extends Error {}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

export interface UnpickleOptions {
  /** Turns a persistent id (BINPERSID) into a value: the caller's storage table. */
  resolvePersistent: (pid: PyValue) => StorageRef;
}

const isStorage = (v: PyValue): v is StorageRef => typeof v === 'object' && v !== null && (v as StorageRef).kind === 'storage';
const isTensor = (v: PyValue): v is TensorRef => typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';

function intList(v: PyValue, what: string): number[] {
  if (!(v instanceof PyTuple) || !v.items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new Error(`pickle: ${what} is not a tuple of non-negative integers`);
  }
  return v.items as number[];
}

/** REDUCE on an allowed global: the call, done as data. */
function callGlobal(g: PyGlobal, args: PyValue): PyValue {
  if (!(args instanceof PyTuple)) throw new Error(`pickle: ${g.qualified} is called with non-tuple arguments`);
  const a = args.items;
  switch (g.qualified) {
    case 'collections.OrderedDict':
      if (a.length !== 0) throw new PickleRefused(`pickle: collections.OrderedDict is called with ${a.length} argument(s); a state dict's has none`);
      return new PyDict();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor': {
      if (a.length < 4) throw new Error(`pickle: ${g.qualified} needs storage, offset, size and stride`);
      const [storage, offset] = a;
      if (!isStorage(storage)) throw new Error(`pickle: ${g.qualified}'s first argument is not a storage`);
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new Error(`pickle: ${g.qualified}'s storage offset is not a non-negative integer`);
      const size = intList(a[2], 'a tensor size');
      const stride = intList(a[3], 'a tensor stride');
      if (size.length !== stride.length) throw new Error(`pickle: a tensor has ${size.length} sizes but ${stride.length} strides`);
      // backward_hooks (a[5]) must be empty: a hook is code.
      const hooks = a[5];
      if (hooks instanceof PyDict && hooks.map.size > 0) throw new PickleRefused('pickle: a tensor carries backward hooks (code); refused');
      return { kind: 'tensor', storage, offset, size, stride };
    }
    case 'torch._utils._rebuild_parameter': {
      if (!isTensor(a[0])) throw new Error('pickle: torch._utils._rebuild_parameter is not given a tensor');
      const hooks = a[2];
      if (hooks instanceof PyDict && hooks.map.size > 0) throw new PickleRefused('pickle: a parameter carries backward hooks (code); refused');
      return a[0];
    }
    default:
      throw new PickleRefused(`pickle: ${g.qualified} cannot be called`);
  }
}

/** Reads one pickle from `buf` at `start`; returns the value and the offset just past its STOP. */
export function unpickle(buf: Uint8Array, start: number, opts: UnpickleOptions): { value: PyValue; end: number } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let p = start;
  const need = (n: number, what: string) => {
    if (n < 0 || p + n > buf.byteLength) throw new Error(`pickle: ${what} at byte ${p} runs past the end of the data (${buf.byteLength} bytes)`);
  };
  const bytes = (n: number, what: string) => { need(n, what); const b = buf.subarray(p, p + n); p += n; return b; };
  const u8 = () => { need(1, 'an argument'); return buf[p++]; };
  const u16 = () => { need(2, 'an argument'); const v = dv.getUint16(p, true); p += 2; return v; };
  const u32 = () => { need(4, 'an argument'); const v = dv.getUint32(p, true); p += 4; return v; };
  const i32 = () => { need(4, 'an argument'); const v = dv.getInt32(p, true); p += 4; return v; };
  const u64 = () => { need(8, 'a length'); const v = dv.getBigUint64(p, true); p += 8; if (v > BigInt(buf.byteLength)) throw new Error(`pickle: length ${v} at byte ${p - 8} exceeds the data`); return Number(v); };
  const line = () => { const e = buf.indexOf(0x0a, p); if (e < 0) throw new Error(`pickle: unterminated line at byte ${p}`); const s = latin1.decode(buf.subarray(p, e)); p = e + 1; return s; };
  const text = (b: Uint8Array) => { try { return utf8.decode(b); } catch { throw new Error(`pickle: a string at byte ${p - b.byteLength} is not UTF-8`); } };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new Error(`pickle: stack underflow at byte ${p - 1}`);
    return v;
  };
  const top = (): PyValue => { const v = stack[stack.length - 1]; if (v === undefined || v === MARK) throw new Error(`pickle: stack underflow at byte ${p - 1}`); return v; };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new Error(`pickle: no MARK before byte ${p - 1}`);
    const items = stack.splice(m + 1) as PyValue[];
    stack.pop(); // the MARK itself
    return items;
  };
  const memoGet = (i: number) => { if (!memo.has(i)) throw new Error(`pickle: memo ${i} read before it is written (byte ${p})`); return memo.get(i)!; };
  const global = (module: string, name: string) => {
    const q = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(q)) throw new PickleRefused(`the pickle names ${q}, which a tensor state dict never needs (allowed: ${ALLOWED_GLOBALS_TEXT}); refused, nothing was executed`);
    return new PyGlobal(module, name);
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof PyDict)) throw new Error(`pickle: SETITEM(S) on something that is not a dict (byte ${p - 1})`);
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (!(k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k))) throw new Error(`pickle: a dict key at byte ${p - 1} is not a string or number`);
      d.map.set(k as string, kv[i + 1]);
    }
  };
  const appendAll = (l: PyValue, items: PyValue[]) => {
    if (!Array.isArray(l)) throw new Error(`pickle: APPEND(S) on something that is not a list (byte ${p - 1})`);
    for (const x of items) l.push(x);
  };
  for (;;) {
    need(1, 'an opcode');
    const at = p;
    const op = buf[p++];
    switch (op) {
      case 0x80: if (u8() > 5) throw new Error('pickle: protocol above 5'); break; // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: { // STOP
        const v = pop();
        if (stack.length !== 0) throw new Error(`pickle: ${stack.length} value(s) left on the stack at STOP`);
        return { value: v, end: p };
      }
      case 0x28: marks.push(stack.length); stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: stack.push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x61: { const v = pop(); appendAll(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendAll(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x30: pop(); break; // POP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement
        const b = bytes(u8(), 'a long');
        let v = 0n;
        for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8, 'a float'); stack.push(dv.getFloat64(p, false)); p += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(text(bytes(u32(), 'a string'))); break; // BINUNICODE
      case 0x8c: stack.push(text(bytes(u8(), 'a string'))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(bytes(u64(), 'a string'))); break; // BINUNICODE8
      case 0x54: { const n = i32(); stack.push(latin1.decode(bytes(n, 'a string'))); break; } // BINSTRING (Python 2 str)
      case 0x55: stack.push(latin1.decode(bytes(u8(), 'a string'))); break; // SHORT_BINSTRING
      case 0x42: stack.push(bytes(u32(), 'bytes').slice()); break; // BINBYTES
      case 0x43: stack.push(bytes(u8(), 'bytes').slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(bytes(u64(), 'bytes').slice()); break; // BINBYTES8
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(); const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new Error(`pickle: STACK_GLOBAL at byte ${at} is not given two strings`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(); const fn = pop();
        if (!(fn instanceof PyGlobal)) throw new PickleRefused(`pickle: REDUCE at byte ${at} calls something that is not an allowed global`);
        stack.push(callGlobal(fn, args));
        break;
      }
      case 0x62: { // BUILD: only a dict's attribute state (OrderedDict._metadata) is accepted, and kept as data
        const state = pop(); const obj = top();
        if (!(obj instanceof PyDict)) throw new PickleRefused(`pickle: BUILD at byte ${at} sets the state of something that is not a dict`);
        obj.attrs = state;
        break;
      }
      case 0x51: stack.push(opts.resolvePersistent(pop())); break; // BINPERSID
      default:
        throw new PickleRefused(`pickle: opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} is not one a tensor state dict uses; refused, nothing was executed`);
    }
  }
}

/** Name of a value's kind, for errors. */
export function describePy(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof PyTuple) return 'a tuple';
  if (v instanceof PyDict) return 'a dict';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyGlobal) return v.qualified;
  if (isTensor(v)) return 'a tensor';
  if (isStorage(v)) return 'a storage';
  return typeof v;
}

export { isStorage, isTensor };

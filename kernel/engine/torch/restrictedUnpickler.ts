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
  return new Machine(buf, start, opts).run();
}

/** The pickle machine: a byte reader, a stack with marks, a memo, and the opcodes allowed, as data. */
class Machine {
  private readonly dv: DataView;
  private readonly stack: Slot[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly latin1 = new TextDecoder('latin1');

  constructor(private readonly buf: Uint8Array, private p: number, private readonly opts: UnpickleOptions) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  run(): { value: PyValue; end: number } {
    for (;;) {
      this.need(1, 'an opcode');
      const at = this.p;
      const op = this.buf[this.p++];
      if (op === 0x2e) { // STOP
        const value = this.pop();
        if (this.stack.length !== 0) throw new Error(`pickle: ${this.stack.length} value(s) left on the stack at STOP`);
        return { value, end: this.p };
      }
      const v = this.scalar(op);
      if (v !== NOT_SCALAR) this.stack.push(v);
      else if (!this.structure(op, at)) {
        throw new PickleRefused(`pickle: opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} is not one a tensor state dict uses; refused, nothing was executed`);
      }
    }
  }

  // ---- reading ----
  private need(n: number, what: string): void {
    if (n < 0 || this.p + n > this.buf.byteLength) throw new Error(`pickle: ${what} at byte ${this.p} runs past the end of the data (${this.buf.byteLength} bytes)`);
  }
  private bytes(n: number, what: string): Uint8Array { this.need(n, what); const b = this.buf.subarray(this.p, this.p + n); this.p += n; return b; }
  private u8(): number { this.need(1, 'an argument'); return this.buf[this.p++]; }
  private u16(): number { this.need(2, 'an argument'); const v = this.dv.getUint16(this.p, true); this.p += 2; return v; }
  private u32(): number { this.need(4, 'an argument'); const v = this.dv.getUint32(this.p, true); this.p += 4; return v; }
  private i32(): number { this.need(4, 'an argument'); const v = this.dv.getInt32(this.p, true); this.p += 4; return v; }
  private u64(): number {
    this.need(8, 'a length');
    const v = this.dv.getBigUint64(this.p, true);
    this.p += 8;
    if (v > BigInt(this.buf.byteLength)) throw new Error(`pickle: length ${v} at byte ${this.p - 8} exceeds the data`);
    return Number(v);
  }
  private line(): string {
    const e = this.buf.indexOf(0x0a, this.p);
    if (e < 0) throw new Error(`pickle: unterminated line at byte ${this.p}`);
    const s = this.latin1.decode(this.buf.subarray(this.p, e));
    this.p = e + 1;
    return s;
  }
  private text(b: Uint8Array): string {
    try { return this.utf8.decode(b); } catch { throw new Error(`pickle: a string at byte ${this.p - b.byteLength} is not UTF-8`); }
  }
  private long(b: Uint8Array): number | bigint { // little-endian two's complement
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length > 0 && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** A constant, number, string or bytes opcode's value (NOT_SCALAR for any other opcode). */
  private scalar(op: number): PyValue | typeof NOT_SCALAR {
    switch (op) {
      case 0x4e: return null; // NONE
      case 0x88: return true; // NEWTRUE
      case 0x89: return false; // NEWFALSE
      case 0x4a: return this.i32(); // BININT
      case 0x4b: return this.u8(); // BININT1
      case 0x4d: return this.u16(); // BININT2
      case 0x8a: return this.long(this.bytes(this.u8(), 'a long')); // LONG1
      case 0x47: { this.need(8, 'a float'); const v = this.dv.getFloat64(this.p, false); this.p += 8; return v; } // BINFLOAT (big-endian)
      case 0x58: return this.text(this.bytes(this.u32(), 'a string')); // BINUNICODE
      case 0x8c: return this.text(this.bytes(this.u8(), 'a string')); // SHORT_BINUNICODE
      case 0x8d: return this.text(this.bytes(this.u64(), 'a string')); // BINUNICODE8
      case 0x54: return this.latin1.decode(this.bytes(this.i32(), 'a string')); // BINSTRING (Python 2 str)
      case 0x55: return this.latin1.decode(this.bytes(this.u8(), 'a string')); // SHORT_BINSTRING
      case 0x42: return this.bytes(this.u32(), 'bytes').slice(); // BINBYTES
      case 0x43: return this.bytes(this.u8(), 'bytes').slice(); // SHORT_BINBYTES
      case 0x8e: return this.bytes(this.u64(), 'bytes').slice(); // BINBYTES8
      case 0x7d: return new PyDict(); // EMPTY_DICT
      case 0x5d: return []; // EMPTY_LIST
      case 0x29: return new PyTuple([]); // EMPTY_TUPLE
      default: return NOT_SCALAR;
    }
  }

  /** Stack, memo, container, global and call opcodes; false for an opcode not allowed. */
  private structure(op: number, at: number): boolean {
    const st = this.stack;
    switch (op) {
      case 0x80: if (this.u8() > 5) throw new Error('pickle: protocol above 5'); return true; // PROTO
      case 0x95: this.u64(); return true; // FRAME: a length hint only
      case 0x28: this.marks.push(st.length); st.push(MARK); return true; // MARK
      case 0x74: st.push(new PyTuple(this.popMark())); return true; // TUPLE
      case 0x85: st.push(new PyTuple([this.pop()])); return true; // TUPLE1
      case 0x86: { const b = this.pop(); st.push(new PyTuple([this.pop(), b])); return true; } // TUPLE2
      case 0x87: { const c = this.pop(); const b = this.pop(); st.push(new PyTuple([this.pop(), b, c])); return true; } // TUPLE3
      case 0x61: { const v = this.pop(); this.append(this.top(), [v]); return true; } // APPEND
      case 0x65: { const items = this.popMark(); this.append(this.top(), items); return true; } // APPENDS
      case 0x73: { const v = this.pop(); const k = this.pop(); this.setItems(this.top(), [k, v]); return true; } // SETITEM
      case 0x75: { const kv = this.popMark(); this.setItems(this.top(), kv); return true; } // SETITEMS
      case 0x71: this.memo.set(this.u8(), this.top()); return true; // BINPUT
      case 0x72: this.memo.set(this.u32(), this.top()); return true; // LONG_BINPUT
      case 0x94: this.memo.set(this.memo.size, this.top()); return true; // MEMOIZE
      case 0x68: st.push(this.memoGet(this.u8())); return true; // BINGET
      case 0x6a: st.push(this.memoGet(this.u32())); return true; // LONG_BINGET
      case 0x30: this.pop(); return true; // POP
      case 0x63: { const module = this.line(); st.push(allowedGlobal(module, this.line())); return true; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = this.pop(); const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new Error(`pickle: STACK_GLOBAL at byte ${at} is not given two strings`);
        st.push(allowedGlobal(module, name));
        return true;
      }
      case 0x52: { // REDUCE
        const args = this.pop(); const fn = this.pop();
        if (!(fn instanceof PyGlobal)) throw new PickleRefused(`pickle: REDUCE at byte ${at} calls something that is not an allowed global`);
        st.push(callGlobal(fn, args));
        return true;
      }
      case 0x62: { // BUILD: only a dict's attribute state (OrderedDict._metadata) is accepted, and kept as data
        const state = this.pop(); const obj = this.top();
        if (!(obj instanceof PyDict)) throw new PickleRefused(`pickle: BUILD at byte ${at} sets the state of something that is not a dict`);
        obj.attrs = state;
        return true;
      }
      case 0x51: st.push(this.opts.resolvePersistent(this.pop())); return true; // BINPERSID
      default: return false;
    }
  }

  // ---- the stack ----
  private pop(): PyValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) throw new Error(`pickle: stack underflow at byte ${this.p - 1}`);
    return v;
  }
  private top(): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) throw new Error(`pickle: stack underflow at byte ${this.p - 1}`);
    return v;
  }
  private popMark(): PyValue[] {
    const m = this.marks.pop();
    if (m === undefined) throw new Error(`pickle: no MARK before byte ${this.p - 1}`);
    const items = this.stack.splice(m + 1) as PyValue[];
    this.stack.pop(); // the MARK itself
    return items;
  }
  private memoGet(i: number): PyValue {
    if (!this.memo.has(i)) throw new Error(`pickle: memo ${i} read before it is written (byte ${this.p})`);
    return this.memo.get(i)!;
  }
  private setItems(d: PyValue, kv: PyValue[]): void {
    if (!(d instanceof PyDict)) throw new Error(`pickle: SETITEM(S) on something that is not a dict (byte ${this.p - 1})`);
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (!(k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k))) throw new Error(`pickle: a dict key at byte ${this.p - 1} is not a string or number`);
      d.map.set(k as string, kv[i + 1]);
    }
  }
  private append(l: PyValue, items: PyValue[]): void {
    if (!Array.isArray(l)) throw new Error(`pickle: APPEND(S) on something that is not a list (byte ${this.p - 1})`);
    for (const x of items) l.push(x);
  }
}

const NOT_SCALAR = Symbol('not a scalar opcode');

/** A global by name, only when a state dict may use it; anything else is refused before it could be used. */
function allowedGlobal(module: string, name: string): PyGlobal {
  const q = `${module}.${name}`;
  if (!ALLOWED_GLOBALS.has(q)) throw new PickleRefused(`the pickle names ${q}, which a tensor state dict never needs (allowed: ${ALLOWED_GLOBALS_TEXT}); refused, nothing was executed`);
  return new PyGlobal(module, name);
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

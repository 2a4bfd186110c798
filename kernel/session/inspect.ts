// How a value looks in the notebook: the MIME bundle of a cell's last expression (text/plain always,
// plus a table for DataFrames / arrays of records, or the value's own bundle), and the one-line
// type + preview the variables listing shows.
import { inspect } from 'node:util';
import type { MimeBundle } from '../protocol/mime';
import type { VariableInfo } from '../protocol/kernel';
import { tableFromValue } from '../payloads/table';

/** Values may supply their own bundle: `[Symbol.for('empathy.mimeBundle')](): MimeBundle`. */
export const MIME_BUNDLE_SYMBOL = Symbol.for('empathy.mimeBundle');

export function plainText(value: unknown): string {
  if (typeof value === 'string') return inspect(value);
  if (isTensor(value)) return tensorText(value);
  return inspect(value, { depth: 4, colors: false, maxArrayLength: 100, maxStringLength: 2000, breakLength: 100 });
}

interface TensorLike { shape: number[]; dtype: string; rank: number; isDisposed?: boolean; toString(verbose?: boolean): string }

function isTensor(v: unknown): v is TensorLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as TensorLike).shape) && typeof (v as TensorLike).dtype === 'string' &&
    typeof (v as { dataSync?: unknown }).dataSync === 'function';
}

function tensorText(t: TensorLike): string {
  if (t.isDisposed) return `Tensor ${t.dtype} [${t.shape.join(',')}] (disposed)`;
  try {
    return t.toString(true).replace(/^\s*Tensor\n/, `Tensor ${t.dtype} [${t.shape.join(',')}]\n`);
  } catch {
    return `Tensor ${t.dtype} [${t.shape.join(',')}]`;
  }
}

/** The bundle shown for a cell's last expression. */
export function toBundle(value: unknown): MimeBundle {
  const own = (value as { [MIME_BUNDLE_SYMBOL]?: () => MimeBundle } | null)?.[MIME_BUNDLE_SYMBOL];
  if (typeof own === 'function') {
    const b = own.call(value);
    if (b && typeof b['text/plain'] === 'string') return b;
  }
  const text = plainText(value);
  const table = tableFromValue(value, { maxRows: 200, strict: true });
  if (table) return { 'text/plain': table.text, 'application/vnd.empathy.table+json': table.payload };
  return { 'text/plain': text };
}

/** Runtime type name for the variables listing. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (isTensor(value)) return `Tensor ${value.dtype} [${value.shape.join(',')}]`;
  if (typeof value === 'function') return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    if (value instanceof Map) return `Map(${value.size})`;
    if (value instanceof Set) return `Set(${value.size})`;
    if (ArrayBuffer.isView(value) && 'length' in value) return `${ctor}(${(value as unknown as { length: number }).length})`;
    if (ctor === 'DataFrame') {
      const shape = (value as { shape?: number[] }).shape;
      return shape ? `DataFrame [${shape.join('×')}]` : 'DataFrame';
    }
    return ctor && ctor !== 'Object' ? ctor : 'object';
  }
  return typeof value;
}

/** One-line preview (≤ max chars). */
export function shortValue(value: unknown, max = 120): string {
  let s: string;
  if (isTensor(value)) s = typeName(value);
  else if (typeof value === 'function') s = `${typeName(value)} ${(value as { name?: string }).name || '(anonymous)'}`;
  else {
    try {
      s = inspect(value, { depth: 1, colors: false, maxArrayLength: 10, maxStringLength: max, breakLength: Infinity, compact: true });
    } catch {
      s = String(value);
    }
  }
  s = s.replace(/\s+/g, ' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function describeVariable(name: string, kind: VariableInfo['kind'], value: unknown): VariableInfo {
  return { name, type: typeName(value), value: shortValue(value), kind };
}

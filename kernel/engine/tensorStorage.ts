// Zero-copy access to a float32 tensor's storage on the host backends (wasm: a view of the module's heap;
// cpu: the backend's own array), so optimiser math and gradient copies run in JavaScript without a readback.
import * as tf from '@tensorflow/tfjs';

/** The slices of the wasm and cpu backends read here (tfjs 4.x internals, as ortMatMul.ts reads them). */
interface WasmStore { wasm: { HEAPU8: Uint8Array }; dataIdMap: { get(id: object): { memoryOffset: number; refCount: number } | undefined } }
interface CpuStore { data: { get(id: object): { values?: Float32Array; refCount: number } | undefined } }

/** Whether the active backend keeps tensors in this process's memory (wasm heap or JS arrays). */
export function hostBackend(name: string = tf.getBackend()): name is 'wasm' | 'cpu' {
  return name === 'wasm' || name === 'cpu';
}

/**
 * The tensor's float32 values in place (no copy), or undefined off the host backends. A wasm view is
 * invalidated when the heap grows: use it before the next tfjs allocation, never keep it.
 */
export function storageView(t: tf.Tensor): Float32Array | undefined {
  if (t.dtype !== 'float32' || t.isDisposed) return undefined;
  const be = tf.backend() as unknown;
  const name = tf.getBackend();
  if (name === 'wasm') {
    const w = be as WasmStore;
    const d = w.dataIdMap.get(t.dataId);
    return d ? new Float32Array(w.wasm.HEAPU8.buffer, d.memoryOffset, t.size) : undefined;
  }
  if (name === 'cpu') {
    const v = (be as CpuStore).data.get(t.dataId)?.values;
    return v instanceof Float32Array && v.length === t.size ? v : undefined;
  }
  return undefined;
}

/**
 * Storage the caller may write in place: only when this tensor alone holds it (no reshape or clone shares
 * it) and, on cpu, only when the engine allocated it (tf.tensor(array) there keeps the caller's array, which
 * an in-place write would change behind its back: `adopt` first). Undefined otherwise.
 */
export function writableStorage(t: tf.Tensor): Float32Array | undefined {
  const name = tf.getBackend();
  if (!hostBackend(name) || t.isDisposed) return undefined;
  const be = tf.backend() as unknown;
  const refs = name === 'wasm' ? (be as WasmStore).dataIdMap.get(t.dataId)?.refCount : (be as CpuStore).data.get(t.dataId)?.refCount;
  if (refs !== 1) return undefined;
  if (name === 'cpu' && !owned.has(t.dataId)) return undefined;
  return storageView(t);
}

/** cpu storage this module allocated (so no caller holds the array). */
const owned = new WeakSet<object>();

/**
 * A tensor whose storage nobody else holds, with `values` copied in: what a variable is assigned so that
 * writableStorage() then works on it. The caller owns (disposes) it.
 */
export function ownedTensor(values: Float32Array, shape: number[]): tf.Tensor {
  if (tf.getBackend() !== 'cpu') return tf.tensor(values, shape, 'float32'); // wasm copies into its heap
  const t = tf.tensor(new Float32Array(values), shape, 'float32');
  owned.add(t.dataId);
  return t;
}

// Where the process's memory is at one moment: live tensors (tf.memory), the wasm backend's linear memory
// (which grows to its peak and never shrinks), the resident set now and its peak so far (kernel maxrss).
import * as tf from '@tensorflow/tfjs';

export interface MemorySnapshot {
  numTensors: number;
  /** Bytes held by live tensors (tf.memory().numBytes). */
  tensorBytes: number;
  /** Size of the wasm module's linear memory, when the wasm backend is active. */
  wasmHeapBytes?: number;
  rssBytes: number;
  /** Peak resident set of this process so far (getrusage ru_maxrss). */
  maxRssBytes: number;
}

/** The wasm backend's linear memory size in bytes (undefined on other backends). */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const mod = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return mod?.HEAPU8?.buffer.byteLength;
}

export function memorySnapshot(): MemorySnapshot {
  const m = tf.memory();
  return {
    numTensors: m.numTensors,
    tensorBytes: m.numBytes,
    wasmHeapBytes: wasmHeapBytes(),
    rssBytes: process.memoryUsage().rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// The synchronous native session of onnxruntime-node 1.31 (its internal dist/binding): loadModel is async,
// run is synchronous. Pinned here, in one file, and checked by shape; anything else is refused with a reason.
import * as path from 'node:path';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { locateNativeModule } from './nativeModule';

/** The onnxruntime-node version whose internal binding API this file was written against. */
export const PINNED_ORT_VERSION = '1.31.';

/** The native session as dist/binding exposes it (dist/binding.d.ts, Binding.InferenceSession). */
export interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): Promise<void>;
  /** Synchronous; a fetch given as a tensor is written in place (measured: bench/results/ort-matmul.md). */
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}

export interface SyncOrt {
  version: string;
  Tensor: typeof OrtTensor;
  newSession(): NativeSession;
}

let loaded: SyncOrt | { reason: string } | undefined;

/** onnxruntime-node's synchronous binding, or why it cannot be used (loaded once). */
export function loadSyncOrt(): SyncOrt | { reason: string } {
  if (loaded) return loaded;
  try {
    // From the engine's own folder or EMPATHY_NATIVE_MODULE_PATH only, as onnx/runtime.ts and the native
    // backends do: never a workspace's node_modules reached through NODE_PATH.
    const loc = locateNativeModule('onnxruntime-node');
    if (loc.kind === 'missing') return (loaded = { reason: 'onnxruntime-node is not installed beside the engine' });
    if (loc.kind === 'refused') return (loaded = { reason: loc.reason });
    const version = (require(path.join(loc.dir, 'package.json')) as { version: string }).version;
    if (!version.startsWith(PINNED_ORT_VERSION)) {
      return (loaded = { reason: `onnxruntime-node ${version}: the synchronous binding is pinned to ${PINNED_ORT_VERSION}x (kernel/engine/ortBinding.ts)` });
    }
    const ort = require(loc.dir) as typeof import('onnxruntime-node');
    const mod = require(path.join(loc.dir, 'dist', 'binding')) as { binding?: { InferenceSession?: new () => NativeSession }; initOrt?: () => void };
    const Ctor = mod.binding?.InferenceSession;
    if (typeof Ctor !== 'function' || typeof mod.initOrt !== 'function') {
      return (loaded = { reason: `onnxruntime-node ${version}: dist/binding has no InferenceSession/initOrt` });
    }
    mod.initOrt();
    const probe = new Ctor();
    if (typeof probe.loadModel !== 'function' || typeof probe.run !== 'function' || typeof probe.dispose !== 'function') {
      return (loaded = { reason: `onnxruntime-node ${version}: the native session lacks loadModel/run/dispose` });
    }
    return (loaded = { version, Tensor: ort.Tensor, newSession: () => new Ctor() });
  } catch (e) {
    return (loaded = { reason: `onnxruntime-node does not load: ${(e as Error).message.split('\n')[0]}` });
  }
}

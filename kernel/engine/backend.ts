// The backend ladder: tfjs-node-gpu → webgpu (Dawn; hardware adapters only in auto) → tfjs-node → wasm (SIMD,
// threads: wasmThreads.ts) → cpu; forced by argument or EMPATHY_BACKEND, always reported (name, device,
// detail, adapter, why faster ones were skipped, who chose).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from './types';
import { registerBackendSource } from './activeBackend';
import { loadNativeModule, warnNativeModule } from './nativeModule';
import { tryWebGpu } from './webgpuBackend';
import { installWasmKernelOverrides } from './wasmKernels';
import { activateWasm, resolveWasmThreads, type WasmThreadsChoice } from './wasmThreads';
import { configureMatMul, describeMatMul } from './ortMatMul';

export type BackendName = BackendInfo['name'];
export type BackendPreference = 'auto' | BackendName;

const LADDER: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

let current: BackendInfo | undefined;

/** The backend chosen by the last successful initBackend(), if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
registerBackendSource(currentBackend); // the kernel process reports it without loading the engine

/** Name of the first NVIDIA GPU from `nvidia-smi -L`, if the driver is there. */
function nvidiaGpuName(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /GPU \d+: ([^(]+?)\s*\(/.exec(out);
    return m ? m[1].trim() : undefined;
  } catch {
    return undefined;
  }
}

type Attempt = { ok: true; device: 'GPU' | 'CPU'; detail: string; adapter?: BackendInfo['adapter'] } | { ok: false; reason: string };

/** Load a native tfjs-node(-gpu) package; it registers the 'tensorflow' backend in the shared tfjs-core. */
async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  // Only from the engine's own folder or EMPATHY_NATIVE_MODULE_PATH, never a workspace's NODE_PATH
  // (nativeModule.ts); a refused or throwing package is also said on stderr.
  const load = loadNativeModule(pkg);
  if (!load.ok) {
    warnNativeModule(pkg, load);
    return { ok: false, reason: load.reason };
  }
  if (!tf.findBackend('tensorflow')) return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend in this tfjs-core (version mismatch?)` };
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `${pkg}: the 'tensorflow' backend failed to initialise` };
  await tf.ready();
  if (pkg === '@tensorflow/tfjs-node-gpu') {
    nativeGpuLoaded = true;
    const gpu = nvidiaGpuName();
    if (!gpu) return { ok: false, reason: 'tfjs-node-gpu loaded but no NVIDIA GPU is visible (nvidia-smi -L failed); it would run on the CPU' };
    return { ok: true, device: 'GPU', detail: `tfjs-node-gpu (CUDA, ${gpu})` };
  }
  return { ok: true, device: 'CPU', detail: 'tfjs-node (libtensorflow, CPU)' };
}
/** Set once tfjs-node-gpu has loaded: its 'tensorflow' backend then also serves the CPU rung. */
let nativeGpuLoaded = false;

async function tryNativeCpu(): Promise<Attempt> {
  if (nativeGpuLoaded && tf.findBackend('tensorflow')) {
    // tfjs-node-gpu without a visible GPU is still libtensorflow on the CPU (faster than wasm); both
    // packages cannot be loaded together anyway (they register the same backend).
    if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: "tfjs-node-gpu's 'tensorflow' backend failed to initialise" };
    await tf.ready();
    return { ok: true, device: 'CPU', detail: 'tfjs-node-gpu (libtensorflow, no GPU visible: CPU)' };
  }
  return tryNative('@tensorflow/tfjs-node');
}

async function tryWasm(threads: WasmThreadsChoice): Promise<Attempt> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    // Point at the .wasm files in node_modules, so it also works from out/ or a bundle.
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    if (!tf.findBackendFactory('wasm')) {
      return { ok: false, reason: 'the wasm backend did not register with this tfjs-core' };
    }
    if (!wasmPathsSet) {
      wasm.setWasmPaths(dist);
      wasmPathsSet = true;
    }
    // More than one thread: the threaded SIMD build through worker_threads (tfjs disables it under Node);
    // if that cannot start, tfjs's single-threaded build, with the reason in the detail.
    const run = await activateWasm(wasm, threads);
    if (!run) return { ok: false, reason: 'the wasm backend failed to initialise' };
    await tf.ready();
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const n = `${run.threads} thread${run.threads === 1 ? '' : 's'}`;
    return { ok: true, device: 'CPU', detail: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${n}${run.note ? `; ${run.note}` : ''})` };
  } catch (e) {
    return { ok: false, reason: `wasm backend failed: ${(e as Error).message.split('\n')[0]}` };
  }
}
let wasmPathsSet = false;

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
  await tf.ready();
  return { ok: true, device: 'CPU', detail: 'cpu (pure JavaScript, slow)' };
}

/** Start one rung; `forced` lets webgpu take a software adapter (auto wants a real GPU). */
function attempt(name: BackendName, forced: boolean, threads: WasmThreadsChoice): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu': return tryNative('@tensorflow/tfjs-node-gpu');
    case 'webgpu': return tryWebGpu(forced);
    case 'tensorflow': return tryNativeCpu();
    case 'wasm': return tryWasm(threads);
    case 'cpu': return tryCpu();
  }
}

export interface BackendOptions {
  /**
   * Threads for the wasm backend (1 = the single-threaded SIMD build; at most 8). Default: physical cores.
   * EMPATHY_WASM_THREADS overrides it. The wasm module starts once per process: the first start fixes it.
   */
  threads?: number;
}

/** On wasm and cpu, BatchMatMul may run on onnxruntime's GEMM (ortMatMul.ts, EMPATHY_MATMUL); its line. */
// Its sessions take as many intra-op threads as the wasm backend was asked for (the cpu backend too).
async function matMulFor(name: BackendName, threads: WasmThreadsChoice): Promise<string | undefined> {
  if (name !== 'wasm' && name !== 'cpu') return undefined;
  return describeMatMul(await configureMatMul(name, process.env, threads.threads));
}

/**
 * Pick and activate a backend. `pref` 'auto' walks the ladder; a named backend is forced (an error if it
 * cannot start). EMPATHY_BACKEND, when set, overrides `pref` (chosenBy 'env').
 */
export async function initBackend(pref: BackendPreference = 'auto', chosenBy: BackendInfo['chosenBy'] = pref === 'auto' ? 'auto' : 'config', opts: BackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.EMPATHY_BACKEND?.trim();
  if (env) {
    pref = env as BackendPreference;
    chosenBy = env === 'auto' ? 'auto' : 'env';
  }
  if (pref !== 'auto' && !LADDER.includes(pref)) {
    throw new Error(`unknown backend '${pref}'${env ? ' (from EMPATHY_BACKEND)' : ''}: use one of auto, ${LADDER.join(', ')}`);
  }
  const threads = resolveWasmThreads(opts.threads); // a bad EMPATHY_WASM_THREADS or count is an error here
  const skipped: BackendInfo['skipped'] = [];
  if (pref !== 'auto') {
    const a = await attempt(pref, true, threads);
    if (!a.ok) throw new Error(`backend '${pref}' was requested${chosenBy === 'env' ? ' by EMPATHY_BACKEND' : ''} but cannot start: ${a.reason}`);
    for (const n of LADDER.slice(0, LADDER.indexOf(pref))) skipped.push({ name: n, reason: `not tried: '${pref}' was forced (${chosenBy})` });
    if (pref === 'wasm') installWasmKernelOverrides(); // saved-for-backward clones share buffers
    const matmul = await matMulFor(pref, threads);
    current = { name: pref, device: a.device, detail: a.detail, ...(a.adapter ? { adapter: a.adapter } : {}), ...(matmul ? { matmul } : {}), skipped, chosenBy };
    return current;
  }
  for (const name of LADDER) {
    const a = await attempt(name, false, threads);
    if (a.ok) {
      if (name === 'wasm') installWasmKernelOverrides();
      const matmul = await matMulFor(name, threads);
      current = { name, device: a.device, detail: a.detail, ...(a.adapter ? { adapter: a.adapter } : {}), ...(matmul ? { matmul } : {}), skipped, chosenBy: 'auto' };
      return current;
    }
    skipped.push({ name, reason: a.reason });
  }
  throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** One line for logs: "wasm (SIMD, 2 threads) · matmul: onnxruntime 1.31.1 MLAS on CPU [auto; skipped tensorflow-gpu: …]". */
export function describeBackend(info: BackendInfo): string {
  const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `${info.detail}${info.matmul ? ` · matmul: ${info.matmul}` : ''}${info.training ? ` · training: ${info.training}` : ''} on ${info.device} [${info.chosenBy}${skipped ? `; skipped ${skipped}` : ''}]`;
}

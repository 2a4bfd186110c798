// Threads for the wasm backend under Node. tfjs-backend-wasm ships a threaded SIMD build but turns it off
// in Node (flags_wasm.js), because its pthread workers start from blob: URLs, which worker_threads cannot
// run. Here the build is started by us: Emscripten's own factory from the package's wasm-out/, each
// pthread worker from a real file (wasmThreadWorker.js beside this one), XNNPACK's pool sized to the
// count asked for, the result registered as tfjs's 'wasm' backend. One thread is tfjs's own
// single-threaded SIMD build, untouched. The wasm module starts once per process: the first start fixes
// the count. Thread count: EMPATHY_WASM_THREADS, else the option (`--threads`), else physical cores.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { physicalCores } from './cores';

export { physicalCores } from './cores';

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

export const WASM_THREADS_ENV = 'EMPATHY_WASM_THREADS';
/** The threaded build creates 8 pthread workers up front and caps XNNPACK's pool there (tfjs cc/backend.cc). */
export const WASM_MAX_THREADS = 8;
/** tfjs-backend-wasm registers 'wasm' with this priority; a replacement keeps it. */
const WASM_PRIORITY = 2;
/** How long the pthread workers may take to load the module before the start counts as failed. */
const START_TIMEOUT_MS = 60_000;

export interface WasmThreadsChoice {
  /** Threads for XNNPACK's pool, 1…WASM_MAX_THREADS (1 = tfjs's single-threaded SIMD build). */
  threads: number;
  /** Where the number came from. */
  source: 'env' | 'option' | 'default';
  /** The number asked for when it was above WASM_MAX_THREADS. */
  asked?: number;
  /** For the default: how the cores were counted. */
  coresFrom?: string;
}

/** The count set for later backend starts that pass none (the CLI's `--threads` for training). */
let configured: number | undefined;

/** Ask for `threads` in every later start that passes no count (EMPATHY_WASM_THREADS still wins). */
export function setWasmThreads(threads: number | undefined): void {
  if (threads !== undefined) checkCount(threads, 'threads');
  configured = threads;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number ≥ 1, got ${JSON.stringify(n)}`);
}

/** The thread count to start with: EMPATHY_WASM_THREADS, else `option`, else physical cores; capped at 8. */
export function resolveWasmThreads(option?: number, env: NodeJS.ProcessEnv = process.env): WasmThreadsChoice {
  const raw = env[WASM_THREADS_ENV]?.trim();
  let choice: WasmThreadsChoice;
  if (raw) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1) throw new Error(`${WASM_THREADS_ENV} must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
    choice = { threads: n, source: 'env' };
  } else if ((option ?? configured) !== undefined) {
    const n = (option ?? configured)!;
    checkCount(n, 'threads');
    choice = { threads: n, source: 'option' };
  } else {
    const { cores, from } = physicalCores();
    choice = { threads: cores, source: 'default', coresFrom: from };
  }
  if (choice.threads > WASM_MAX_THREADS) choice = { ...choice, threads: WASM_MAX_THREADS, asked: choice.threads };
  return choice;
}

/** What the wasm backend runs with once started: its thread count and, if any, why not what was asked. */
export interface WasmStart {
  threads: number;
  note?: string;
}

/** Set by the first start in this process, with the count it was asked for. */
let started: (WasmStart & { asked: number }) | undefined;

/**
 * Make 'wasm' tfjs's backend with `choice.threads` threads (the threaded build for more than one; on any
 * failure there, tfjs's single-threaded build, with the reason in `note`). If the wasm backend already
 * runs in this process, it is reused as it is. Returns false when not even the single-threaded build starts.
 */
export async function activateWasm(pkg: WasmPackage, choice: WasmThreadsChoice): Promise<WasmStart | false> {
  const registry = (tf.engine() as unknown as { registry: Record<string, tf.KernelBackend | undefined> }).registry;
  if (registry.wasm) {
    // Already initialised (by an earlier start, or by a plain tf.setBackend('wasm')): reuse it.
    if (!(await tf.setBackend('wasm'))) return false;
    const threads = pkg.getThreadsCount();
    started ??= { threads, asked: threads };
    const other = choice.source !== 'default' && choice.threads !== started.asked ? `${choice.threads} asked: the wasm module starts once per process` : undefined;
    const note = [started.note, other].filter(Boolean).join('; ');
    return { threads, ...(note ? { note } : {}) };
  }
  const capped = choice.asked !== undefined ? `${choice.asked} asked; the threaded build's pool holds ${WASM_MAX_THREADS}` : undefined;
  let failed: string | undefined;
  if (choice.threads > 1) {
    failed = await startThreaded(pkg, choice.threads);
    if (failed === undefined) {
      started = { threads: pkg.getThreadsCount(), asked: choice.threads, ...(capped ? { note: capped } : {}) };
      return { threads: started.threads, ...(capped ? { note: capped } : {}) };
    }
  }
  if (!(await tf.setBackend('wasm'))) return false;
  const note = failed ? `the threaded build failed to start: ${failed}` : undefined;
  started = { threads: 1, asked: choice.threads, ...(note ? { note } : {}) };
  return { threads: 1, ...(note ? { note } : {}) };
}

/** The package's folder (holding dist/ and wasm-out/), found the same way from out/ and from the bundle. */
function wasmPackageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** The files the threaded start needs, each checked before anything starts. */
function threadedFiles(): { script: string; binary: string; workerSource: string; loader: string } {
  const dir = wasmPackageDir();
  return {
    // Emscripten's factory, run on the main thread and (importScripts) in every pthread worker.
    script: path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
    binary: path.join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm'),
    // Emscripten's pthread worker script, as a string module (tfjs turns it into a blob: URL).
    workerSource: path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
    // Ours: runs that string in a worker_thread (built beside this file, and beside the bundled kernel).
    loader: path.join(__dirname, 'wasmThreadWorker.js'),
  };
}

/** Start the threaded build as the 'wasm' backend; undefined on success, else why not (tfjs's own factory is back). */
async function startThreaded(pkg: WasmPackage, threads: number): Promise<string | undefined> {
  const files = threadedFiles();
  const missing = Object.values(files).filter((f) => !fs.existsSync(f));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return 'no wasm SIMD (the threaded build needs it)';
  const tfjsFactory = tf.findBackendFactory('wasm');
  if (!tfjsFactory) return 'the wasm backend did not register with this tfjs-core';

  let failure: string | undefined;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    try {
      return await createThreadedBackend(pkg, files, threads);
    } catch (e) {
      failure = (e as Error)?.message?.split('\n')[0] ?? String(e);
      throw e;
    }
  }, WASM_PRIORITY);
  pkg.setThreadsCount(threads);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  if (await tf.setBackend('wasm')) return undefined;

  // Back to tfjs's own factory (its single-threaded SIMD build).
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', tfjsFactory, WASM_PRIORITY);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  pkg.setThreadsCount(1);
  return failure ?? 'the threaded wasm backend failed to initialise';
}

/** Emscripten's module as far as this file and tfjs's BackendWasm use it. */
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
}
type Imports = { env: Record<string, unknown> };
/** The WebAssembly API this file uses (the project's lib settings do not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Imports): Promise<{ instance: unknown; module: unknown }>;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Run Emscripten's factory with Node-friendly settings and wrap the module in tfjs's BackendWasm.
 * - `locateFile`: the pthread worker script is our loader file (tfjs gives a blob: URL here);
 * - a `Worker` global over worker_threads while the factory creates its 8 workers: each worker never keeps
 *   the process alive (Emscripten refs a worker while its thread runs, and XNNPACK's threads run forever),
 *   and a worker that fails to start fails this start instead of throwing on the main thread;
 * - `instantiateWasm`: the build caps XNNPACK's pool at logical cores / 2 (it assumes 2 hardware threads per
 *   core); it is told 2 × threads, so the pool gets exactly the count asked for (≤ 8).
 */
async function createThreadedBackend(pkg: WasmPackage, files: ReturnType<typeof threadedFiles>, threads: number): Promise<tf.KernelBackend> {
  const factory = require(files.script) as (cfg: object) => Promise<ThreadedModule>;
  let fail: (e: unknown) => void = () => undefined;
  let running = false; // once started, a worker error is Emscripten's to handle (it rethrows)
  const pool: NodeWorker[] = [];

  class PoolWorker extends NodeWorker {
    constructor(file: string) {
      super(file);
      pool.push(this);
      this.on('error', (e) => { if (!running) fail(e); });
    }
    override ref(): void { /* idle pool threads must not keep the process alive */ }
    // Emscripten's handler rethrows on the main thread; while starting, the 'error' listener above reports.
    set onerror(handler: (e: unknown) => void) { this.emscriptenOnError = handler; }
    get onerror(): (e: unknown) => void { return (e) => { if (running) this.emscriptenOnError?.(e); }; }
    private emscriptenOnError: ((e: unknown) => void) | undefined;
  }
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  // Emscripten assigns global.Worker = worker_threads.Worker and then uses it: keep ours in place.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PoolWorker, set: () => undefined });
  const restoreWorkerGlobal = () => {
    if (previous) Object.defineProperty(globalThis, 'Worker', previous);
    else delete (globalThis as { Worker?: unknown }).Worker;
  };

  const cfg: Record<string, unknown> = {
    mainScriptUrlOrBlob: files.script,
    locateFile: (name: string) => (name.endsWith('.worker.js') ? files.loader : name.endsWith('.wasm') ? files.binary : path.join(path.dirname(files.script), name)),
    instantiateWasm: (imports: Imports, receive: (instance: unknown, module: unknown) => void) => {
      if (typeof imports.env.emscripten_num_logical_cores !== 'function') {
        fail(new Error('this tfjs-backend-wasm build has no emscripten_num_logical_cores import to size its pool'));
        return {};
      }
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssemblyApi.instantiate(fs.readFileSync(files.binary), imports).then((r) => receive(r.instance, r.module), fail);
      return {};
    },
    onAbort: (what: unknown) => fail(new Error(`the threaded wasm module aborted: ${String(what)}`)),
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const module = await new Promise<ThreadedModule>((resolve, reject) => {
      let settled = false;
      fail = (e) => {
        if (settled) return;
        settled = true;
        for (const w of pool) void w.terminate();
        reject(e instanceof Error ? e : new Error(String(e)));
      };
      timer = setTimeout(() => fail(new Error(`its pthread workers did not load within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      timer.unref();
      factory(cfg).then((m) => { if (!settled) { settled = true; resolve(m); } }, fail);
    });
    // The bridge tfjs's own init() adds (BackendWasm calls these by these names).
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    // Creates XNNPACK's pool: threads - 1 pthreads from the 8 workers (the main thread is the other).
    let backend: tf.KernelBackend;
    try {
      backend = new pkg.BackendWasm(module as never);
    } catch (e) {
      for (const w of pool) void w.terminate();
      throw e;
    }
    running = true;
    return backend;
  } finally {
    clearTimeout(timer);
    restoreWorkerGlobal();
  }
}

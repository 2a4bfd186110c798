// BatchMatMul on the wasm and cpu backends through onnxruntime's native GEMM (MLAS): one tiny ONNX model
// per (transposeA, transposeB) with dynamic dims, run synchronously; EMPATHY_MATMUL=ort|tfjs; tfjs's own
// kernel stays for tiny products, unsupported broadcasts, non-float32 inputs and as the fallback.
import * as tf from '@tensorflow/tfjs';
import { OnnxGraph, ints } from './onnx/graph';
import { DataType } from './onnx/proto';
import { loadSyncOrt, type NativeSession, type SyncOrt } from './ortBinding';
import { resolveWasmThreads } from './wasmThreads';

export const MATMUL_ENV = 'EMPATHY_MATMUL';
/** Overrides ORT_MIN_MACS (0 or 1 sends every non-empty product to ORT: the parity tests use it). */
export const MATMUL_MIN_MACS_ENV = 'EMPATHY_MATMUL_MIN_MACS';

export type MatMulPreference = 'ort' | 'tfjs';

/** What EMPATHY_MATMUL means when unset (see bench/results/ort-matmul.md for the measurement behind it). */
export const DEFAULT_MATMUL: MatMulPreference = 'ort';

/**
 * Products with fewer multiply-adds than this run tfjs's kernel: an ORT call costs ~10 µs of fixed overhead
 * (tensor wrapping, session run). Measured on wasm SIMD, 1 thread (bench/results/ort-matmul.md): 48³ (110k)
 * tfjs 0.010 ms vs ORT 0.014 ms, 64³ (262k) tfjs 0.017 ms vs ORT 0.015 ms.
 */
export const ORT_MIN_MACS = 128 * 1024;
/** The same threshold on the cpu backend, whose JavaScript matmul loses to ORT from 32³ on (0.053 vs 0.013 ms). */
export const ORT_MIN_MACS_CPU = 8 * 1024;

/** Tunables of the ORT path (the bench lowers minMacs to time ORT on tiny products). */
export const ortMatMulTuning = {
  /** Products with fewer multiply-adds run tfjs's kernel, per backend (ORT_MIN_MACS, ORT_MIN_MACS_CPU). */
  minMacs: { wasm: ORT_MIN_MACS, cpu: ORT_MIN_MACS_CPU } as Record<'wasm' | 'cpu', number>,
  /** ops.ts passes transpose flags instead of materialising transposes while ORT runs matmuls (the bench A/Bs it). */
  transposeFlags: true,
};

/** Which matmul the wasm/cpu backend uses, for the backend line. */
export type MatMulInfo =
  | { engine: 'onnxruntime'; version: string; threads: number }
  | { engine: 'tfjs'; reason: string };

/** EMPATHY_MATMUL, checked (a bad value throws naming the variable). */
export function matMulPreference(env: NodeJS.ProcessEnv = process.env): MatMulPreference {
  const v = (env[MATMUL_ENV] ?? '').trim().toLowerCase();
  if (v === '') return DEFAULT_MATMUL;
  if (v === 'ort' || v === 'onnxruntime') return 'ort';
  if (v === 'tfjs') return 'tfjs';
  throw new Error(`${MATMUL_ENV}=${env[MATMUL_ENV]}: expected ort or tfjs`);
}

/** EMPATHY_MATMUL_MIN_MACS as a non-negative integer (default ORT_MIN_MACS on wasm, ORT_MIN_MACS_CPU on cpu). */
export function minMacs(kind: 'wasm' | 'cpu', env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MATMUL_MIN_MACS_ENV];
  if (raw === undefined || raw.trim() === '') return kind === 'cpu' ? ORT_MIN_MACS_CPU : ORT_MIN_MACS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${MATMUL_MIN_MACS_ENV}=${raw}: expected a non-negative integer`);
  return n;
}

/** y = op(a) @ op(b) for rank-3 a, b (batch dim equal or 1); ORT fuses the Transposes into FusedMatMul. */
function matMulModel(transposeA: boolean, transposeB: boolean): Uint8Array {
  const g = new OnnxGraph(`matmul_${Number(transposeA)}${Number(transposeB)}`);
  const a = g.input('a', DataType.FLOAT, transposeA ? ['BA', 'K', 'M'] : ['BA', 'M', 'K']);
  const b = g.input('b', DataType.FLOAT, transposeB ? ['BB', 'N', 'K'] : ['BB', 'K', 'N']);
  const at = transposeA ? g.op('Transpose', [a], { perm: ints([0, 2, 1]) }) : a; // [BA, M, K]
  const bt = transposeB ? g.op('Transpose', [b], { perm: ints([0, 2, 1]) }) : b; // [BB, K, N]
  g.output(g.op('MatMul', [at, bt]), 'y', DataType.FLOAT, ['B', 'M', 'N']);
  return g.toBytes({ producer: 'empathy-workbench', version: '1', doc: 'BatchMatMul for tfjs (kernel/engine/ortMatMul.ts)' });
}

/** The slices of the wasm and cpu backends this file reads (their buffers, without copying). */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}
interface CpuBackendLike {
  readSync(id: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

type BackendKind = 'wasm' | 'cpu';
type KernelArgs = { inputs: tf.NamedTensorMap; backend: unknown; attrs?: tf.NamedAttrMap };

interface Sessions { ort: SyncOrt; threads: number; byTranspose: NativeSession[] /* index 2·tA + tB */ }
let sessions: Sessions | undefined;
const state: Record<BackendKind, { original?: tf.KernelFunc; enabled: boolean }> = { wasm: { enabled: false }, cpu: { enabled: false } };
/** Calls that went to ORT / to tfjs's kernel since the last reset (for tests and the bench). */
export const matMulCounts = { ort: 0, tfjs: 0 };

async function createSessions(ort: SyncOrt, threads: number): Promise<Sessions> {
  const byTranspose: NativeSession[] = [];
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      const bytes = matMulModel(tA, tB);
      const s = ort.newSession();
      await s.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all', // fuses Transpose into MatMul (no transposed copy)
        logSeverityLevel: 3,
      });
      byTranspose.push(s);
    }
  }
  return { ort, threads, byTranspose };
}

/** A 2×3×4 product per transpose combination against plain JavaScript: the binding computes what we think. */
function selfCheck(s: Sessions): string | undefined {
  const [B, M, K, N] = [2, 3, 4, 5];
  const a = Float32Array.from({ length: B * M * K }, (_, i) => ((i * 7) % 11) - 5); // [B, M, K]
  const b = Float32Array.from({ length: B * K * N }, (_, i) => ((i * 5) % 13) - 6); // [B, K, N]
  const at = new Float32Array(a.length); // [B, K, M]
  const bt = new Float32Array(b.length); // [B, N, K]
  for (let z = 0; z < B; z++) for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[z * K * M + k * M + i] = a[z * M * K + i * K + k];
  for (let z = 0; z < B; z++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[z * N * K + j * K + k] = b[z * K * N + k * N + j];
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      const out = new Float32Array(B * M * N);
      runOrt(s, tA, tB, tA ? at : a, [B, tA ? K : M, tA ? M : K], tB ? bt : b, [B, tB ? N : K, tB ? K : N], out, [B, M, N], false);
      for (let z = 0; z < B; z++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let ref = 0;
        for (let k = 0; k < K; k++) ref += a[z * M * K + i * K + k] * b[z * K * N + k * N + j];
        if (out[z * M * N + i * N + j] !== ref) return `self-check failed (transposeA=${tA}, transposeB=${tB}): ${out[z * M * N + i * N + j]} != ${ref}`;
      }
    }
  }
  return undefined;
}

/** Run one product into `out` (written in place when ORT honours the preallocated fetch, else copied). */
function runOrt(s: Sessions, tA: boolean, tB: boolean, a: Float32Array, aDims: number[], b: Float32Array, bDims: number[], out: Float32Array, outDims: number[], shared: boolean): void {
  const { Tensor } = s.ort;
  const feeds = { a: new Tensor('float32', a, aDims), b: new Tensor('float32', b, bDims) };
  const res = s.byTranspose[2 * Number(tA) + Number(tB)].run(feeds, { y: shared ? null : new Tensor('float32', out, outDims) }, {});
  const y = res.y.data as Float32Array;
  if (y.buffer !== out.buffer || y.byteOffset !== out.byteOffset) out.set(y);
}

/** tfjs's BatchMatMul semantics, on ORT when the shapes allow; else the original kernel. */
function batchMatMul(kind: BackendKind, args: KernelArgs): tf.TensorInfo {
  const st = state[kind];
  const original = st.original as unknown as (a: KernelArgs) => tf.TensorInfo;
  const s = sessions;
  const a = args.inputs.a as unknown as tf.TensorInfo;
  const b = args.inputs.b as unknown as tf.TensorInfo;
  const tA = Boolean(args.attrs?.transposeA);
  const tB = Boolean(args.attrs?.transposeB);
  if (!st.enabled || !s || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return tfjsPath(original, args);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const bA = tf.util.sizeFromShape(outerA);
  const bB = tf.util.sizeFromShape(outerB);
  if (k !== kb) return tfjsPath(original, args); // tfjs throws its own message
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return tfjsPath(original, args);
  }
  const batch = Math.max(bA, bB);
  // ORT's MatMul broadcasts a batch of 1; other broadcasts ([3,1]×[1,3], [2,3]×[3]) stay with tfjs.
  if ((bA !== bB && bA !== 1 && bB !== 1) || tf.util.sizeFromShape(outer) !== batch) return tfjsPath(original, args);
  if (batch * m * n * k < Math.max(1, ortMatMulTuning.minMacs[kind])) return tfjsPath(original, args); // also every zero-size product
  const aDims = [bA, tA ? k : m, tA ? m : k];
  const bDims = [bB, tB ? n : k, tB ? k : n];
  const outShape = [...outer, m, n];
  const outDims = [batch, m, n];
  if (kind === 'cpu') {
    const be = args.backend as CpuBackendLike;
    const out = new Float32Array(batch * m * n);
    try {
      runOrt(s, tA, tB, be.readSync(a.dataId), aDims, be.readSync(b.dataId), bDims, out, outDims, false);
    } catch (e) {
      return giveUp(kind, e, original, args);
    }
    matMulCounts.ort++;
    return be.makeTensorInfo(outShape, 'float32', out);
  }
  const be = args.backend as WasmBackendLike & { disposeData(id: object): void };
  const out = be.makeOutput(outShape, 'float32'); // may grow the heap: take its buffer after this
  const heap = be.wasm.HEAPU8.buffer;
  const view = (t: tf.TensorInfo, size: number) => new Float32Array(heap, be.dataIdMap.get(t.dataId).memoryOffset, size);
  const outView = view(out, batch * m * n);
  try {
    if (heap instanceof ArrayBuffer) {
      runOrt(s, tA, tB, view(a, bA * m * k), aDims, view(b, bB * k * n), bDims, outView, outDims, false);
    } else {
      // A shared heap (threaded wasm): hand ORT private copies and copy the result back.
      runOrt(s, tA, tB, view(a, bA * m * k).slice(), aDims, view(b, bB * k * n).slice(), bDims, outView, outDims, true);
    }
  } catch (e) {
    be.disposeData(out.dataId);
    return giveUp(kind, e, original, args);
  }
  matMulCounts.ort++;
  return out;
}

/** Why ORT was switched off mid-run, if it was (an ORT error never fails a tfjs op: tfjs's kernel takes over). */
export let ortMatMulFailure: string | undefined;

function giveUp(kind: BackendKind, e: unknown, original: (a: KernelArgs) => tf.TensorInfo, args: KernelArgs): tf.TensorInfo {
  state[kind].enabled = false;
  ortMatMulFailure = `onnxruntime matmul failed on ${kind}, tfjs's kernel from now on: ${(e as Error).message?.split('\n')[0] ?? String(e)}`;
  process.emitWarning(ortMatMulFailure);
  return tfjsPath(original, args);
}

function tfjsPath(original: (a: KernelArgs) => tf.TensorInfo, args: KernelArgs): tf.TensorInfo {
  matMulCounts.tfjs++;
  return original(args);
}

/**
 * Route BatchMatMul on `kind` through onnxruntime (EMPATHY_MATMUL=ort, the default) or tfjs's own kernel.
 * Call after the backend is active; safe to call again (re-reads the environment). Never throws for a
 * missing or different onnxruntime: the reason comes back and tfjs's kernel stays.
 */
export async function configureMatMul(kind: BackendKind, env: NodeJS.ProcessEnv = process.env, threads: number = resolveWasmThreads(undefined, env).threads): Promise<MatMulInfo> {
  const pref = matMulPreference(env);
  const st = state[kind];
  if (pref === 'tfjs') {
    st.enabled = false;
    return { engine: 'tfjs', reason: `${MATMUL_ENV}=tfjs` };
  }
  ortMatMulTuning.minMacs[kind] = minMacs(kind, env);
  const ort = loadSyncOrt();
  if ('reason' in ort) {
    st.enabled = false;
    return { engine: 'tfjs', reason: ort.reason };
  }
  try {
    if (!sessions || sessions.threads !== threads) {
      const fresh = await createSessions(ort, threads);
      const bad = selfCheck(fresh);
      if (bad) {
        for (const x of fresh.byTranspose) x.dispose();
        st.enabled = false;
        return { engine: 'tfjs', reason: `onnxruntime ${ort.version} matmul ${bad}` };
      }
      const old = sessions;
      sessions = fresh;
      for (const x of old?.byTranspose ?? []) x.dispose();
    }
  } catch (e) {
    st.enabled = false;
    return { engine: 'tfjs', reason: `onnxruntime ${ort.version} matmul sessions failed: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!st.original) {
    const kernel = tf.getKernel('BatchMatMul', kind);
    if (!kernel) return { engine: 'tfjs', reason: `the ${kind} backend has no BatchMatMul kernel to wrap` };
    st.original = kernel.kernelFunc;
    tf.unregisterKernel('BatchMatMul', kind);
    tf.registerKernel({ kernelName: 'BatchMatMul', backendName: kind, kernelFunc: ((args: KernelArgs) => batchMatMul(kind, args)) as unknown as tf.KernelFunc });
  }
  st.enabled = true;
  return { engine: 'onnxruntime', version: ort.version, threads };
}

/**
 * Whether BatchMatMul on `backend` runs on ORT now (and transposeFlags is on): transposed operands are then free (FusedMatMul packs them),
 * so ops.ts passes transpose flags instead of materialising transposes.
 */
export function ortTransposesFree(backend: string = tf.getBackend()): boolean {
  return (backend === 'wasm' || backend === 'cpu') && state[backend].enabled && sessions !== undefined && ortMatMulTuning.transposeFlags;
}

/** "onnxruntime 1.31.1 MLAS" or "tfjs (reason)", for the backend line. */
export function describeMatMul(info: MatMulInfo): string {
  return info.engine === 'onnxruntime' ? `onnxruntime ${info.version} MLAS` : `tfjs (${info.reason})`;
}

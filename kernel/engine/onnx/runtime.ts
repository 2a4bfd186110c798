// Which engine runs inference (onnxruntime-node, or tfjs as the fallback) and the onnxruntime session
// wrapper: EMPATHY_INFERENCE=auto|onnx|tfjs, EMPATHY_INFERENCE_THREADS (default: physical cores),
// EMPATHY_INFERENCE_DEVICE=cpu|cuda (cuda needs the CUDA provider binaries, see README), graph
// optimisation 'all'. onnxruntime-node is required lazily, so commands that never infer never load it.
import { physicalCores } from '../cores';
import { locateNativeModule } from '../nativeModule';
import type { ExternalModel } from './graph';
import { withModelFiles } from './modelFiles';

type Ort = typeof import('onnxruntime-node');

export const INFERENCE_ENV = 'EMPATHY_INFERENCE';
export const INFERENCE_THREADS_ENV = 'EMPATHY_INFERENCE_THREADS';
export const INFERENCE_DEVICE_ENV = 'EMPATHY_INFERENCE_DEVICE';

export type InferencePreference = 'auto' | 'onnx' | 'tfjs';

/** What runs inference for models that can export a graph (today: the bi-encoder). */
export type InferenceInfo =
  | { engine: 'onnxruntime'; version: string; device: 'cpu' | 'cuda'; threads: number; chosenBy: 'auto' | 'env' }
  | { engine: 'tfjs'; reason: string };

/** EMPATHY_INFERENCE, checked (a bad value throws naming the variable). */
export function inferencePreference(env: NodeJS.ProcessEnv = process.env): InferencePreference {
  const v = (env[INFERENCE_ENV] ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'onnx' || v === 'onnxruntime') return 'onnx';
  if (v === 'tfjs') return 'tfjs';
  throw new Error(`${INFERENCE_ENV}=${env[INFERENCE_ENV]}: expected auto, onnx or tfjs`);
}

/** Intra-op threads: EMPATHY_INFERENCE_THREADS (a positive integer) or the physical cores. */
export function inferenceThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[INFERENCE_THREADS_ENV];
  if (raw === undefined || raw.trim() === '') return physicalCores().cores;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${INFERENCE_THREADS_ENV}=${raw}: expected a positive integer`);
  return n;
}

function inferenceDevice(env: NodeJS.ProcessEnv): 'cpu' | 'cuda' {
  const v = (env[INFERENCE_DEVICE_ENV] ?? 'cpu').trim().toLowerCase();
  if (v === 'cpu' || v === '') return 'cpu';
  if (v === 'cuda') return 'cuda';
  throw new Error(`${INFERENCE_DEVICE_ENV}=${env[INFERENCE_DEVICE_ENV]}: expected cpu or cuda`);
}

let ortLoad: { ort: Ort; version: string } | { error: string } | undefined;

/**
 * onnxruntime-node, required once; a failure is kept as its message. A native package, so it is looked up
 * like the native backends (../nativeModule.ts): the engine's own node_modules chain first (the checkout,
 * or the extension's folder, where the .vsix ships it beside the bundled kernel), then EMPATHY_NATIVE_MODULE_PATH;
 * a copy reachable only through NODE_PATH or Node's global folders is refused, with its path.
 */
export function loadOrt(): { ort: Ort; version: string } | { error: string } {
  if (!ortLoad) {
    try {
      const loc = locateNativeModule('onnxruntime-node');
      if (loc.kind === 'missing') throw new Error('onnxruntime-node is not installed beside the engine');
      if (loc.kind === 'refused') throw new Error(loc.reason);
      if (loc.name !== 'onnxruntime-node') throw new Error(`onnxruntime-node at ${loc.dir} is ${loc.name}`);
      const ort = require(loc.dir) as Ort;
      ortLoad = { ort, version: ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown' };
    } catch (e) {
      ortLoad = { error: (e as Error).message.split('\n')[0] };
    }
  }
  return ortLoad;
}

/**
 * Decide the inference engine from EMPATHY_INFERENCE: `tfjs` forces tfjs; `onnx` requires onnxruntime
 * (throws when it does not load); `auto` uses onnxruntime when it loads, else tfjs with the reason.
 */
export function resolveInference(env: NodeJS.ProcessEnv = process.env): InferenceInfo {
  const pref = inferencePreference(env);
  if (pref === 'tfjs') return { engine: 'tfjs', reason: `${INFERENCE_ENV}=tfjs` };
  const got = loadOrt();
  if ('error' in got) {
    if (pref === 'onnx') throw new Error(`${INFERENCE_ENV}=onnx but onnxruntime-node does not load: ${got.error}`);
    return { engine: 'tfjs', reason: `onnxruntime-node does not load: ${got.error}` };
  }
  return { engine: 'onnxruntime', version: got.version, device: inferenceDevice(env), threads: inferenceThreads(env), chosenBy: pref === 'onnx' ? 'env' : 'auto' };
}

/**
 * Open a model's ONNX runner with `create` when onnxruntime is the engine: the runner (undefined when tfjs
 * infers) and what infers. A runner that fails to open falls back to tfjs with the reason, unless
 * EMPATHY_INFERENCE=onnx asked for onnxruntime (then it throws).
 */
export async function openOnnxRunner<R>(create: (info: Extract<InferenceInfo, { engine: 'onnxruntime' }>) => Promise<R>): Promise<{ runner?: R; info: InferenceInfo }> {
  const info = resolveInference();
  if (info.engine === 'tfjs') return { info };
  try {
    return { runner: await create(info), info };
  } catch (e) {
    if (inferencePreference() === 'onnx') throw e;
    return { info: { engine: 'tfjs', reason: `the ONNX export did not open in onnxruntime: ${(e as Error).message.split('\n')[0]}` } };
  }
}

/** The "inference = …" line: what runs exported graphs, or why tfjs does. */
export function describeInference(info: InferenceInfo): string {
  if (info.engine === 'tfjs') return `tfjs (${info.reason})`;
  return `onnxruntime ${info.version} (${info.device.toUpperCase()}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.chosenBy === 'env' ? `, ${INFERENCE_ENV}=onnx` : ''}); tfjs trains and is the fallback`;
}

/** A tensor handed to or returned by a session: float32 or int64 data with its dims. */
export type Feed = { type: 'int64'; data: BigInt64Array; dims: readonly number[] } | { type: 'float32'; data: Float32Array; dims: readonly number[] };

/** One onnxruntime InferenceSession over model bytes; `release()` frees its native memory. */
export class OnnxSession {
  private released = false;

  private constructor(
    private readonly ort: Ort,
    private readonly session: import('onnxruntime-node').InferenceSession,
    readonly info: Extract<InferenceInfo, { engine: 'onnxruntime' }>,
    /** Where the weights are: in the session's memory (`inline`), or mapped from the model's weights file. */
    readonly weights: 'inline' | 'mapped',
  ) {}

  /**
   * Create a session (threads and device from `info`, graph optimisation level all, sequential execution)
   * from model bytes, or from a model with external weights (written to a temporary folder that onnxruntime
   * maps the weights from: ./modelFiles.ts).
   */
  static async create(model: Uint8Array | ExternalModel, info: Extract<InferenceInfo, { engine: 'onnxruntime' }>): Promise<OnnxSession> {
    const got = loadOrt();
    if ('error' in got) throw new Error(`onnxruntime-node does not load: ${got.error}`);
    const options = OnnxSession.options(info);
    const session = model instanceof Uint8Array
      ? await got.ort.InferenceSession.create(model, options)
      : await withModelFiles(model, (file) => got.ort.InferenceSession.create(file, options));
    return new OnnxSession(got.ort, session, info, model instanceof Uint8Array ? 'inline' : 'mapped');
  }

  private static options(info: Extract<InferenceInfo, { engine: 'onnxruntime' }>): import('onnxruntime-node').InferenceSession.SessionOptions {
    return {
      intraOpNumThreads: info.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: info.device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
      logSeverityLevel: 3, // errors only: its warnings (unused initializers, …) are not the user's business
    };
  }

  /** Run the graph; returns every output as float32 data with its dims. */
  async run(feeds: Record<string, Feed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    if (this.released) throw new Error('OnnxSession used after release()');
    const ins: Record<string, import('onnxruntime-node').Tensor> = {};
    for (const [k, f] of Object.entries(feeds)) ins[k] = new this.ort.Tensor(f.type, f.data, [...f.dims]);
    const res = await this.session.run(ins);
    const out: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [k, t] of Object.entries(res)) {
      if (t.type !== 'float32') throw new Error(`ONNX output ${k} is ${t.type}, expected float32`);
      out[k] = { data: t.data as Float32Array, dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

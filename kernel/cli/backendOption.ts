// `--backend` and `--threads` for every command that runs a tfjs model (train, test, evaluate, predict, cv):
// the same ladder as training (engine/backend.ts), EMPATHY_BACKEND and EMPATHY_WASM_THREADS honoured, and
// one "backend = …" line on stderr naming what runs (the GPU adapter for webgpu, the wasm thread count)
// and why each faster rung was skipped.
import type { OptionSpec } from './args';
import { UsageError } from './args';
import type { BackendInfo } from '../engine';
import { engine } from './engine';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export const BACKEND_OPTION: OptionSpec = { name: 'backend', type: 'string', choices: BACKEND_CHOICES, help: 'compute backend (default auto: tensorflow-gpu → webgpu → tensorflow → wasm → cpu; env EMPATHY_BACKEND)' };

export const THREADS_OPTION: OptionSpec = { name: 'threads', type: 'number', metavar: 'N', help: 'threads of the wasm backend (default: physical cores, at most 8; 1 = the single-threaded build; env EMPATHY_WASM_THREADS wins)' };

/** `--threads` as a thread count (undefined when absent); anything but a whole number ≥ 1 is a usage error. */
export function threadsOption(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`--threads must be a whole number ≥ 1, got ${String(v)}`);
  return v;
}

/** Start the backend from `--backend` (or EMPATHY_BACKEND, or auto) and `--threads`, and write the backend line to `err`. */
export async function startBackend(pref: string | undefined, err: NodeJS.WritableStream, threads?: number): Promise<BackendInfo> {
  const eng = engine();
  const info = await eng.initBackend((pref ?? 'auto') as never, pref && pref !== 'auto' ? 'flag' : 'auto', { threads });
  err.write(`backend = ${eng.describeBackend(info)}\n`);
  return info;
}

// `--backend` for every command that runs a tfjs model (train, test, evaluate, predict, cv): the same
// ladder as training (engine/backend.ts), EMPATHY_BACKEND honoured, and one "backend = …" line on stderr
// naming what runs (the GPU adapter for webgpu) and why each faster rung was skipped.
import type { OptionSpec } from './args';
import type { BackendInfo } from '../engine/types';
import { engine } from './engine';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export const BACKEND_OPTION: OptionSpec = { name: 'backend', type: 'string', choices: BACKEND_CHOICES, help: 'compute backend (default auto: tensorflow-gpu → webgpu → tensorflow → wasm → cpu; env EMPATHY_BACKEND)' };

/** Start the backend from `--backend` (or EMPATHY_BACKEND, or auto) and write the backend line to `err`. */
export async function startBackend(pref: string | undefined, err: NodeJS.WritableStream): Promise<BackendInfo> {
  const eng = engine();
  const info = await eng.initBackend((pref ?? 'auto') as never, pref && pref !== 'auto' ? 'flag' : 'auto');
  err.write(`backend = ${eng.describeBackend(info)}\n`);
  return info;
}

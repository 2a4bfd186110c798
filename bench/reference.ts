// The PyTorch reference (../shared/reference/torch_bench.py, the seed's model on Debian's python3-torch),
// measured in the same bench run when torch imports, else the last measured numbers, labelled as such.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TorchReference {
  preset: string;
  threads: number;
  stepSeconds: number;
  pairsPerSecond: number;
  /** ru_maxrss of the torch process (training then inference in one process), GB. */
  peakRssGB: number;
  /** 'measured in this run' or where the constants come from. */
  source: string;
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(__dirname, '../..', '../shared/reference/torch_bench.py');

/**
 * Last measured, 2 cores shared by ~7 sessions (upper bounds): torch 1.13.0a0 CPU, OpenBLAS pthread, 1 thread,
 * `small` preset, B32 T64 — 2026-12-06 (this branch: 1.13 s/step, 131 pairs/s, 0.98 GB) and the issue's own
 * side-by-side run (1.06 s, 132–160 pairs/s, 0.95 GB). No constant for other thread counts or roberta-base.
 */
export const PYTORCH_LAST_MEASURED: TorchReference[] = [
  { preset: 'small', threads: 1, stepSeconds: 1.13, pairsPerSecond: 131, peakRssGB: 0.98, source: 'last measured 2026-12-06 (constant: python3-torch not importable in this run)' },
];

/** Whether Debian's python3 can import torch and the reference script is there. */
export function torchAvailable(): boolean {
  if (!existsSync(PYTHON) || !existsSync(SCRIPT)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 }).status === 0;
}

/**
 * Run torch_bench.py at `threads` threads. The machine's OpenBLAS pins (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE)
 * are dropped for this command only (../shared/reference/README.md); OMP/OpenBLAS threads set to `threads`.
 */
export function measureTorch(preset: string, threads: number, steps: number, timeoutS: number): TorchReference {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const torchPreset = preset === 'roberta-base' ? 'base' : preset;
  const out = execFileSync(PYTHON, [SCRIPT, '--threads', String(threads), '--preset', torchPreset, '--steps', String(steps)], { env, encoding: 'utf8', timeout: timeoutS * 1000, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = out.trim().split('\n').pop() ?? '';
  const j = JSON.parse(line) as { engine: string; step_s: number; pairs_s: number; peak_rss_gb: number };
  return { preset, threads, stepSeconds: j.step_s, pairsPerSecond: j.pairs_s, peakRssGB: j.peak_rss_gb, source: `measured in this run (${j.engine})` };
}

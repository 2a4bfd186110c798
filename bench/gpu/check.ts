// The GPU check of the self-contained bundle (`npm run bench:gpu-bundle`, run there by run.sh): the engine
// part of `npm run bench` per backend and preset (step time, pairs/s, peak RSS, GPU memory), then the same
// step in PyTorch beside it (torch_step.py, CUDA where there is one) for the ratio; writes DIR/gpu-check.json
// and DIR/gpu-check.md.
// Flags: --backends webgpu,wasm --preset small,roberta-base --steps 3 --batch 32 --seq-len 64
//        --out-dir results --torch torch_step.py (leave out to skip PyTorch) --python python3
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchEngine, type EngineBenchResult } from '../engine';
import type { BackendPreference } from '../../kernel/engine/backend';
import { writeFileAtomic } from '../../dataset/atomicFile';

/** What check.ts is asked to measure: the CLI flags, with the defaults `npm run bench` uses. */
interface CheckConfig {
  /** Engine backends, each forced (no fallback), in this order. */
  backends: BackendPreference[];
  /** Model presets (kernel/models/bi-encoder/config.ts). */
  presets: string[];
  /** Timed training steps after one warm-up step. */
  steps: number;
  /** Pairs per batch and tokens per side (the paper's B32 T64). */
  batch: number;
  seqLen: number;
  /** Where gpu-check.json and gpu-check.md go. */
  outDir: string;
  /** The PyTorch step script, or undefined to skip PyTorch. */
  torch?: string;
  /** The Python that has PyTorch. */
  python: string;
}

const defaults: CheckConfig = { backends: ['webgpu', 'wasm'], presets: ['small', 'roberta-base'], steps: 3, batch: 32, seqLen: 64, outDir: 'results', python: 'python3' };

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
function int(name: string, fallback: number): number {
  const s = flag(name);
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${s}: a positive integer`);
  return n;
}

type EngineRow = EngineBenchResult | { backend: string; preset: string; error: string };
interface TorchRow { preset: string; device: string; cuda: boolean; torch: string; stepSeconds: number; pairsPerSecond: number; peakRssGB: number; peakGpuMB?: number }
type TorchOutcome = { rows: TorchRow[]; note?: string };

/** `nvidia-smi` names the GPU where there is one (the engine's adapter name is Vulkan's, which may differ). */
function gpuLine(): string {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch {
    return 'no nvidia-smi';
  }
}

/** Runs the PyTorch step; a missing Python or PyTorch becomes a note, not a failure of the engine check. */
function runTorch(cfg: CheckConfig, log: (s: string) => void): TorchOutcome {
  if (!cfg.torch) return { rows: [], note: 'PyTorch skipped (no --torch)' };
  log(`torch: ${cfg.python} ${cfg.torch} ${cfg.presets.join(',')}`);
  const r = spawnSync(cfg.python, [cfg.torch, cfg.presets.join(','), '--batch', String(cfg.batch), '--seq-len', String(cfg.seqLen), '--steps', String(cfg.steps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return { rows: [], note: `PyTorch not run: ${cfg.python}: ${r.error.message}` };
  const stderr = r.stderr.trim();
  if (stderr) log(stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TorchRow);
  for (const t of rows) log(`  torch ${t.preset} on ${t.device}: ${t.stepSeconds.toFixed(3)} s/step, ${t.pairsPerSecond.toFixed(1)} pairs/s`);
  const notes = [r.status !== 0 ? `PyTorch exited ${r.status}: ${stderr.split('\n').pop()}` : '', rows.some((t) => !t.cuda) ? 'PyTorch ran on the CPU (no CUDA): its ratio is not a GPU ratio' : ''].filter(Boolean);
  return { rows, note: notes.join('; ') || undefined };
}

function markdown(date: string, machine: string, gpu: string, cfg: CheckConfig, engine: EngineRow[], torch: TorchOutcome): string {
  const f = (x: number | undefined, d: number) => (x === undefined ? '–' : x.toFixed(d));
  const lines = [
    `# GPU check — ${date}`,
    '',
    `Machine: ${machine}. GPU: ${gpu}.`,
    `Bi-encoder training step (forward + backward + clip + AdamW) at B${cfg.batch} T${cfg.seqLen} per side, median of ${cfg.steps} steps after one warm-up; inference = level probabilities on the same batch.`,
    '',
    '| preset | backend | step s | pairs/s | peak RSS GB | GPU MB | PyTorch step s | engine ÷ PyTorch step |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of engine) {
    const t = torch.rows.find((x) => x.preset === r.preset);
    if ('error' in r) {
      lines.push(`| ${r.preset} | ${r.backend} | **failed**: ${r.error.replace(/\|/g, '\\|')} | | | | ${f(t?.stepSeconds, 3)} | |`);
      continue;
    }
    lines.push(`| ${r.preset} | ${r.backend.detail.replace(/\|/g, '\\|')} | ${f(r.stepSeconds, 3)} | ${f(r.pairsPerSecond, 1)} | ${f(r.peakRssGB, 2)} | ${f(r.peakGpuMB, 0)} | ${f(t?.stepSeconds, 3)} | ${t && r.stepSeconds !== undefined ? (r.stepSeconds / t.stepSeconds).toFixed(2) + '×' : '–'} |`);
  }
  lines.push('');
  for (const t of torch.rows) lines.push(`PyTorch ${t.torch} (${t.preset}) on ${t.device}: ${t.stepSeconds.toFixed(3)} s/step, ${t.pairsPerSecond.toFixed(1)} pairs/s, peak RSS ${t.peakRssGB.toFixed(2)} GB${t.peakGpuMB === undefined ? '' : `, peak CUDA memory ${t.peakGpuMB.toFixed(0)} MB`}.`);
  if (torch.note) lines.push('', `Note: ${torch.note}.`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<number> {
  const cfg: CheckConfig = {
    ...defaults,
    backends: (list(flag('backends')) ?? defaults.backends) as BackendPreference[],
    presets: list(flag('preset')) ?? defaults.presets,
    steps: int('steps', defaults.steps),
    batch: int('batch', defaults.batch),
    seqLen: int('seq-len', defaults.seqLen),
    outDir: flag('out-dir') ?? defaults.outDir,
    torch: flag('torch'),
    python: flag('python') ?? defaults.python,
  };
  const log = (s: string) => console.log(s);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}`;
  const gpu = gpuLine();
  log(`gpu check on ${machine}; GPU: ${gpu}`);
  const engine: EngineRow[] = [];
  for (const preset of cfg.presets) {
    for (const b of cfg.backends) {
      log(`engine: '${preset}' on ${b}, B${cfg.batch} T${cfg.seqLen}`);
      try {
        // One process here (the bundle runs alone): training, then inference on the same backend; one row
        // with the step time, the pairs/s and the larger of the two peaks.
        const train = await benchEngine({ backend: b, mode: 'train', preset, steps: cfg.steps, batch: cfg.batch, seqLen: cfg.seqLen, log });
        const infer = await benchEngine({ backend: b, mode: 'infer', preset, steps: cfg.steps, batch: cfg.batch, seqLen: cfg.seqLen, log });
        const gpuPeaks = [train.peakGpuMB, infer.peakGpuMB].filter((x): x is number => x !== undefined);
        const r: EngineBenchResult = {
          ...train,
          pairsPerSecond: infer.pairsPerSecond,
          peakRssGB: Math.max(train.peakRssGB, infer.peakRssGB),
          ...(gpuPeaks.length ? { peakGpuMB: Math.max(...gpuPeaks) } : {}),
          leakedTensors: train.leakedTensors + infer.leakedTensors,
        };
        log(`  ${preset} on ${r.backend.detail}: ${r.stepSeconds!.toFixed(3)} s/step, ${r.pairsPerSecond!.toFixed(1)} pairs/s, peak RSS ${r.peakRssGB.toFixed(2)} GB${r.peakGpuMB === undefined ? '' : `, GPU ${r.peakGpuMB.toFixed(0)} MB`}, leaked ${r.leakedTensors} tensors`);
        engine.push(r);
      } catch (e) {
        log(`  ${preset} on ${b}: FAILED ${(e as Error).message}`);
        engine.push({ backend: b, preset, error: (e as Error).message });
      }
    }
  }
  const torch = runTorch(cfg, log);
  const date = new Date().toISOString();
  mkdirSync(cfg.outDir, { recursive: true });
  writeFileAtomic(join(cfg.outDir, 'gpu-check.json'), JSON.stringify({ date, machine, gpu, config: cfg, engine, torch: torch.rows, note: torch.note }, null, 2) + '\n');
  writeFileAtomic(join(cfg.outDir, 'gpu-check.md'), markdown(date, machine, gpu, cfg, engine, torch));
  log(`wrote ${join(cfg.outDir, 'gpu-check.json')} and gpu-check.md`);
  return engine.some((r) => 'error' in r || r.leakedTensors !== 0) ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(`gpu check: ${e instanceof Error ? e.message : e}`); process.exit(2); });

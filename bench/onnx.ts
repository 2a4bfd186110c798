// Bi-encoder inference speed and memory, tfjs (wasm) against onnxruntime (the exported graph), each run in
// its own child process so its peak RSS is its own: pairs/s at B32 T64 (the `small` preset by default) and
// peak RSS. `node out/bench/onnx.js [--rounds N] [--engines tfjs,onnx1,onnx2] [--torch 1,2]` interleaves the
// engines round by round (and the PyTorch reference, ../shared/reference/torch_bench.py, with --torch) and
// prints medians, ratios and the per-round onnxruntime/PyTorch ratio (the fairest on a loaded machine);
// --preset roberta-base, --served (onnxruntime serves a checkpoint, as test/predict do).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../kernel/engine/backend';
import { resolveInference } from '../kernel/engine/onnx/runtime';
import { BiEncoder } from '../kernel/models/bi-encoder/biEncoder';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import { BiEncoderOnnx } from '../kernel/models/bi-encoder/onnxInference';
import { BiEncoderModel } from '../kernel/models/bi-encoder/biEncoderModel';
import { loadBiEncoder } from '../kernel/models/bi-encoder/load';
import { trainTokenizer } from '../kernel/engine/tokenizer';
import { syntheticBatch } from './engine';
import { measureTorch } from './reference';

export interface OnnxBenchOptions {
  /** Which engine runs the forward: tfjs on its wasm backend (1 thread under Node) or onnxruntime. */
  engine: 'tfjs-wasm' | 'onnxruntime';
  /** onnxruntime intra-op threads (default 1; tfjs wasm is always 1 thread under Node). */
  threads?: number;
  /** Bi-encoder preset (default small: h256 L4 H4 FFN1024, vocab 8000). */
  preset?: string;
  batch?: number;
  seqLen?: number;
  /** Timed seconds at least (after one warm-up batch); at least 3 batches run (default 3 s). */
  seconds?: number;
  /**
   * onnxruntime only: serve the model as `test`/`predict` do, from a checkpoint file (written by another
   * process first, so this one never builds the network; a large model then loads deferred and tfjs never
   * holds its weights). Default: export the live network built here.
   */
  fromCheckpoint?: boolean;
}

export interface OnnxBenchResult {
  engine: string;
  threads: number;
  preset: string;
  batch: number;
  seqLen: number;
  pairsPerSecond: number;
  /** Peak resident set size of the child process (model, weights in tfjs, the session and the runs), GB. */
  peakRssGB: number;
  /** Seconds to export the graph and open the session (onnxruntime only; with fromCheckpoint, the load too). */
  exportSeconds?: number;
  /** fromCheckpoint: who held the weights while serving. */
  served?: string;
}

/** The measurement itself, in this process (the child's side of benchOnnxInference). */
export async function measureHere(o: OnnxBenchOptions): Promise<OnnxBenchResult> {
  const preset = o.preset ?? 'small';
  const B = o.batch ?? 32, T = o.seqLen ?? 64;
  const threads = o.engine === 'onnxruntime' ? o.threads ?? 1 : 1;
  await initBackend('wasm', 'flag'); // the CLI's CPU default holds the weights either way
  const cfg = resolvePreset(preset, { mechanisms: ['ER'] });
  if (o.engine === 'onnxruntime' && o.fromCheckpoint) return measureServed(o, B, T, threads, cfg.encoder.vocabSize);
  const net = new BiEncoder(cfg, 12);
  const batch = syntheticBatch(B, T, cfg.encoder.vocabSize);
  let runner: BiEncoderOnnx | undefined;
  let exportSeconds: number | undefined;
  if (o.engine === 'onnxruntime') {
    const info = resolveInference({ EMPATHY_INFERENCE: 'onnx', EMPATHY_INFERENCE_THREADS: String(threads) });
    if (info.engine !== 'onnxruntime') throw new Error('onnxruntime did not load');
    const t0 = performance.now();
    runner = await BiEncoderOnnx.create(net, info);
    exportSeconds = (performance.now() - t0) / 1000;
  }
  const once = async () => {
    if (runner) {
      await runner.forward(batch);
      return;
    }
    const probs = tf.tidy(() => tf.softmax(net.forward(batch, { training: false }).levelLogits.ER!));
    try {
      await probs.data();
    } finally {
      probs.dispose();
    }
  };
  await once(); // warm-up
  const budget = (o.seconds ?? 3) * 1000;
  let n = 0;
  const t0 = performance.now();
  while (n < 3 || performance.now() - t0 < budget) {
    await once();
    n++;
  }
  const seconds = (performance.now() - t0) / 1000;
  await runner?.release();
  net.dispose();
  return {
    engine: o.engine, threads, preset, batch: B, seqLen: T,
    pairsPerSecond: (n * B) / seconds,
    peakRssGB: process.resourceUsage().maxRSS / 1024 ** 2, // maxRSS is in KiB
    ...(exportSeconds !== undefined ? { exportSeconds } : {}),
  };
}

/**
 * The serving path: a checkpoint of the preset (random weights, written by a child process) loaded with
 * loadBiEncoder under EMPATHY_INFERENCE=onnx, its onnxruntime runner timed on the synthetic batch.
 */
async function measureServed(o: OnnxBenchOptions, B: number, T: number, threads: number, vocab: number): Promise<OnnxBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-bench-ck-'));
  const file = path.join(dir, `${o.preset ?? 'small'}.safetensors`);
  try {
    const w = spawnSync(process.execPath, [__filename, '--write-checkpoint', JSON.stringify({ preset: o.preset ?? 'small', file })], { encoding: 'utf8', timeout: 600_000 });
    if (w.status !== 0) throw new Error(`writing the bench checkpoint failed: ${w.stderr || w.error?.message}`);
    process.env.EMPATHY_INFERENCE = 'onnx';
    process.env.EMPATHY_INFERENCE_THREADS = String(threads);
    const t0 = performance.now();
    const model = await loadBiEncoder(file);
    try {
      const runner = await model.onnxRunner();
      if (!runner) throw new Error('onnxruntime did not serve the checkpoint');
      const exportSeconds = (performance.now() - t0) / 1000;
      const batch = syntheticBatch(B, T, vocab);
      await runner.forward(batch); // warm-up
      const budget = (o.seconds ?? 3) * 1000;
      let n = 0;
      const t1 = performance.now();
      while (n < 3 || performance.now() - t1 < budget) {
        await runner.forward(batch);
        n++;
      }
      const seconds = (performance.now() - t1) / 1000;
      const detail = model.netLoaded ? 'tfjs holds the weights too' : 'weights held by onnxruntime only';
      return { engine: o.engine, threads, preset: o.preset ?? 'small', batch: B, seqLen: T, pairsPerSecond: (n * B) / seconds, peakRssGB: process.resourceUsage().maxRSS / 1024 ** 2, exportSeconds, served: detail };
    } finally {
      model.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The --write-checkpoint child: a checkpoint of `preset` with random weights and a small trained tokenizer. */
async function writeBenchCheckpoint(preset: string, file: string): Promise<void> {
  await initBackend('wasm', 'flag');
  const net = new BiEncoder(resolvePreset(preset, { mechanisms: ['ER'] }), 12);
  const tokenizer = trainTokenizer(['a synthetic checkpoint for the inference bench'], { vocabSize: 300 });
  const model = new BiEncoderModel(net, tokenizer, 64);
  try {
    await model.save(file);
  } finally {
    model.dispose();
  }
}

/** Run one measurement in a fresh child process (its own peak RSS); returns pairs/s and peak RSS. */
export function benchOnnxInference(opts: OnnxBenchOptions): OnnxBenchResult {
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(opts)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`bench child (${JSON.stringify(opts)}) failed: ${r.stderr || r.error?.message}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as OnnxBenchResult;
}

/** The PyTorch reference's inference pairs/s at `threads` (bench/reference.ts, one step), or null without torch. */
function torchPairsPerSecond(threads: number, preset: string): number | null {
  try {
    return measureTorch(preset, threads, 1, 600).pairsPerSecond;
  } catch {
    return null;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--write-checkpoint') {
    const { preset, file } = JSON.parse(argv[1]) as { preset: string; file: string };
    await writeBenchCheckpoint(preset, file);
    return;
  }
  if (argv[0] === '--child') {
    process.stdout.write(`${JSON.stringify(await measureHere(JSON.parse(argv[1]) as OnnxBenchOptions))}\n`);
    return;
  }
  const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const rounds = Number(arg('--rounds')) || 3;
  // --engines tfjs,onnx1,onnx2 (default all three); --torch 1,2 adds the PyTorch reference at those threads.
  const engines = (arg('--engines') ?? 'tfjs,onnx1,onnx2').split(',');
  const torchThreads = argv.includes('--torch') ? (arg('--torch') && /^[\d,]+$/.test(arg('--torch')!) ? arg('--torch')!.split(',').map(Number) : [1, 2]) : [];
  // --preset small|roberta-base (default small); --served: onnxruntime serves a checkpoint (as test/predict do).
  const preset = arg('--preset') ?? 'small';
  const served = argv.includes('--served');
  const configs: OnnxBenchOptions[] = engines.map((e) => (e === 'tfjs' ? { engine: 'tfjs-wasm', preset } : { engine: 'onnxruntime', threads: Number(e.replace('onnx', '')) || 1, preset, fromCheckpoint: served }));
  const seen = new Map<string, OnnxBenchResult[]>();
  const torch = new Map<number, number[]>();
  const paired = new Map<number, number[]>(); // per round: onnxruntime / pytorch at the same threads
  for (let r = 0; r < rounds; r++) {
    const thisRound = new Map<number, number>();
    for (const c of configs) {
      const res = benchOnnxInference(c);
      const key = `${res.engine} ${res.threads}t`;
      (seen.get(key) ?? seen.set(key, []).get(key)!).push(res);
      if (res.engine === 'onnxruntime') thisRound.set(res.threads, res.pairsPerSecond);
      console.log(`round ${r + 1}: ${key}: ${res.pairsPerSecond.toFixed(1)} pairs/s, peak RSS ${res.peakRssGB.toFixed(3)} GB${res.exportSeconds !== undefined ? `, export+session ${res.exportSeconds.toFixed(2)} s` : ''}`);
    }
    for (const t of torchThreads) {
      const p = torchPairsPerSecond(t, configs[0]?.preset ?? 'small');
      if (p !== null) {
        (torch.get(t) ?? torch.set(t, []).get(t)!).push(p);
        const o = thisRound.get(t);
        if (o !== undefined) (paired.get(t) ?? paired.set(t, []).get(t)!).push(o / p);
      }
      console.log(`round ${r + 1}: pytorch ${t}t: ${p === null ? 'unavailable' : `${p.toFixed(1)} pairs/s`}`);
    }
  }
  console.log('\nmedians:');
  const tfjsRuns = seen.get('tfjs-wasm 1t');
  const tfjs = tfjsRuns ? median(tfjsRuns.map((x) => x.pairsPerSecond)) : undefined;
  for (const [k, v] of seen) {
    const p = median(v.map((x) => x.pairsPerSecond));
    console.log(`  ${k}: ${p.toFixed(1)} pairs/s${tfjs ? ` (${(p / tfjs).toFixed(2)}× tfjs-wasm)` : ''}, peak RSS ${median(v.map((x) => x.peakRssGB)).toFixed(3)} GB`);
  }
  for (const [t, v] of torch) console.log(`  pytorch ${t}t: ${median(v).toFixed(1)} pairs/s`);
  for (const [t, v] of paired) console.log(`  onnxruntime / pytorch at ${t}t, paired per round: median ${median(v).toFixed(2)}× (rounds: ${v.map((x) => x.toFixed(2)).join(', ')})`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

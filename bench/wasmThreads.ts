// The wasm backend with 1 thread vs N threads: the small bi-encoder (B32, T64) training step and
// inference throughput (bench/engine.ts's benchEngine), each run in a process of its own (the wasm
// module starts once per process) with EMPATHY_WASM_THREADS set, the counts interleaved round by round
// (ABBA order), so that a machine whose load drifts weighs on both alike; speedups are per round.
// `node build.mjs && node out/bench/wasmThreads.js [--rounds 3] [--threads 1,2] [--steps 3]`
// writes bench/results/wasm-threads.{json,md}.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../dataset/atomicFile';
import { physicalCores } from '../kernel/engine/wasmThreads';
import type { EngineBenchResult } from './engine';

interface Run {
  round: number;
  threads: number;
  detail: string;
  stepSeconds: number;
  pairsPerSecond: number;
  peakRssGB: number;
  /** Seconds from the child's start to its backend being ready (threaded start: 8 workers load the module). */
  startSeconds: number;
  /** Process CPU seconds (all threads) per wall second over the whole benchmark. */
  cpuPerWall: number;
  /** 1-minute load average just before the run. */
  loadBefore: number;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const REPO = resolve(__dirname, '../..');

/** One benchmark in a fresh process with `threads` wasm threads. */
function runOnce(threads: number, steps: number, round: number): Run {
  const loadBefore = loadavg()[0];
  const script = `
    const t0 = performance.now(); const cpu0 = process.cpuUsage();
    const { initBackend } = require('./out/kernel/engine/backend.js');
    const { benchEngine } = require('./out/bench/engine.js');
    (async () => {
      await initBackend('wasm', 'flag');
      const startSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now(); const cpu1 = process.cpuUsage();
      const r = await benchEngine({ backend: 'wasm', steps: ${steps} });
      const c = process.cpuUsage(cpu1); const wall = (performance.now() - t1) / 1000;
      console.log(JSON.stringify({ ...r, startSeconds, cpuPerWall: (c.user + c.system) / 1e6 / wall }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO, encoding: 'utf8', maxBuffer: 16 << 20,
    env: { ...process.env, EMPATHY_BACKEND: '', EMPATHY_WASM_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`threads ${threads}: exit ${r.status}\n${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as EngineBenchResult & { startSeconds: number; cpuPerWall: number };
  return { round, threads, detail: j.backend.detail, stepSeconds: j.stepSeconds, pairsPerSecond: j.pairsPerSecond, peakRssGB: j.peakRssGB, startSeconds: j.startSeconds, cpuPerWall: j.cpuPerWall, loadBefore };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const rounds = Number(flag('rounds', '3'));
  const counts = flag('threads', '1,2').split(',').map(Number);
  const steps = Number(flag('steps', '3'));
  const cores = physicalCores();
  const machine = `${cpus().length} logical CPUs (${cpus()[0]?.model ?? 'cpu'}), ${cores.cores} physical cores (${cores.from}), node ${process.version}`;
  console.log(`wasm threads ${counts.join(' vs ')}: small bi-encoder, B32 T64, ${steps} steps + 3 inference batches per run, ${rounds} rounds; ${machine}; load ${loadavg()[0].toFixed(1)}`);
  const started = new Date().toISOString();
  const loadStart = loadavg()[0];
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? counts : [...counts].reverse();
    for (const t of order) {
      const r = runOnce(t, steps, round);
      runs.push(r);
      console.log(`round ${round}, ${r.detail}: ${r.stepSeconds.toFixed(2)} s/step, ${r.pairsPerSecond.toFixed(1)} pairs/s, start ${r.startSeconds.toFixed(2)} s, CPU ${r.cpuPerWall.toFixed(2)}/wall s, peak RSS ${r.peakRssGB.toFixed(2)} GB (load ${r.loadBefore.toFixed(1)})`);
    }
  }
  const loadEnd = loadavg()[0];
  const base = counts[0];
  // Per round: how many times as fast as the base count (step: time ratio; inference: throughput ratio).
  const speedups = counts.slice(1).map((t) => {
    const pairs = Array.from({ length: rounds }, (_, i) => [base, t].map((n) => runs.find((r) => r.round === i + 1 && r.threads === n)!));
    return { threads: t, step: pairs.map(([a, b]) => a.stepSeconds / b.stepSeconds), inference: pairs.map(([a, b]) => b.pairsPerSecond / a.pairsPerSecond) };
  });
  for (const s of speedups) console.log(`${s.threads} vs ${base} threads: training step ${median(s.step).toFixed(2)}× faster (rounds ${s.step.map((x) => x.toFixed(2)).join(', ')}), inference ${median(s.inference).toFixed(2)}× (rounds ${s.inference.map((x) => x.toFixed(2)).join(', ')})`);

  const out = join(REPO, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileAtomic(join(out, 'wasm-threads.json'), JSON.stringify({ started, machine, loadStart, loadEnd, rounds, steps, runs, speedups }, null, 2) + '\n');
  const md = [
    `# wasm threads: ${counts.join(' vs ')} — ${started}`,
    '',
    `\`node out/bench/wasmThreads.js --rounds ${rounds} --threads ${counts.join(',')} --steps ${steps}\`: the small bi-encoder (h256 L4 H4), B32 T64, bench/engine.ts's benchEngine (median of ${steps} training steps after a warm-up; 3 inference batches after a warm-up), each run in its own process with EMPATHY_WASM_THREADS, the counts interleaved per round (ABBA).`,
    '',
    `Machine: ${machine}. Load average ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end (a shared machine: absolute times are upper bounds; compare within a round).`,
    '',
    '| round | backend | s/step | pairs/s | start (s) | CPU s / wall s | peak RSS (GB) | load before |',
    '|---|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.round} | ${r.detail} | ${r.stepSeconds.toFixed(2)} | ${r.pairsPerSecond.toFixed(1)} | ${r.startSeconds.toFixed(2)} | ${r.cpuPerWall.toFixed(2)} | ${r.peakRssGB.toFixed(2)} | ${r.loadBefore.toFixed(1)} |`),
    '',
    ...speedups.map((s) => `**${s.threads} threads vs ${base}**: training step ${median(s.step).toFixed(2)}× as fast (per round: ${s.step.map((x) => x.toFixed(2)).join(', ')}), inference ${median(s.inference).toFixed(2)}× (per round: ${s.inference.map((x) => x.toFixed(2)).join(', ')}).`),
    '',
  ].join('\n');
  writeFileAtomic(join(out, 'wasm-threads.md'), md);
  console.log(`wrote ${join(out, 'wasm-threads.md')}`);
}

main();

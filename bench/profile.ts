// Per-op timings and memory of one bi-encoder training step and one inference batch (tf.profile), so each
// speed or memory change is justified by the kernel it touches. Writes bench/results/profile-<label>.{json,md}.
// usage: node out/bench/profile.js [--label before] [--backend wasm] [--preset small] [--batch 32] [--seq 64]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BiEncoder } from '../kernel/models/bi-encoder/biEncoder';
import { BiEncoderStepper } from '../kernel/models/bi-encoder/trainStep';
import { AdamW } from '../kernel/engine/adamw';
import { initBackend, type BackendPreference } from '../kernel/engine/backend';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import { inferBatch, syntheticBatch, trainStep } from './engine';
import { memorySnapshot, type MemorySnapshot } from './memory';

/** One kernel's totals over a profiled run. */
interface KernelRow { name: string; ms: number; count: number; bytesAdded: number }

interface ProfiledPhase {
  /** Wall time of the profiled call, ms (profiling adds a little overhead per kernel). */
  wallMs: number;
  /** Sum of the kernels' own times, ms. */
  kernelMs: number;
  /** Highest tf.memory().numBytes seen during the call, MB. */
  peakMB: number;
  /** Bytes allocated by the call and not freed, MB. */
  newMB: number;
  kernels: KernelRow[];
  /** The costliest (kernel, input shapes) pairs: which call sites the time goes to. */
  byShape: Array<KernelRow & { shapes: string }>;
  /** Scopes and custom-gradient ops that tf.profile also reports (their kernels are counted above), ms. */
  scopes: KernelRow[];
}

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function profilePhase(f: () => Promise<void>): Promise<ProfiledPhase> {
  const t0 = performance.now();
  const info = await tf.profile(f);
  const wallMs = performance.now() - t0;
  const backendName = tf.getBackend();
  const byName = new Map<string, KernelRow>();
  const byShape = new Map<string, KernelRow & { shapes: string }>();
  const scopes = new Map<string, KernelRow>();
  const add = <R extends KernelRow>(m: Map<string, R>, key: string, mk: () => R, k: (typeof info.kernels)[number]) => {
    const row = m.get(key) ?? mk();
    row.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    row.count += 1;
    row.bytesAdded += k.bytesAdded;
    m.set(key, row);
  };
  for (const k of info.kernels) {
    // tf.profile also reports tf.customGrad ops and tidy scopes under their scope name ('forward',
    // 'unnamed scope'), wrapping kernels it reports too: keep them apart so nothing is counted twice.
    if (!tf.getKernel(k.name, backendName)) { add(scopes, k.name, () => ({ name: k.name, ms: 0, count: 0, bytesAdded: 0 }), k); continue; }
    add(byName, k.name, () => ({ name: k.name, ms: 0, count: 0, bytesAdded: 0 }), k);
    const shapes = k.inputShapes.map((s) => `[${s}]`).join(' ');
    add(byShape, `${k.name} ${shapes}`, () => ({ name: k.name, shapes, ms: 0, count: 0, bytesAdded: 0 }), k);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  return {
    wallMs,
    kernelMs: kernels.reduce((s, k) => s + k.ms, 0),
    peakMB: info.peakBytes / 2 ** 20,
    newMB: info.newBytes / 2 ** 20,
    kernels,
    byShape: [...byShape.values()].sort((a, b) => b.ms - a.ms).slice(0, 20),
    scopes: [...scopes.values()],
  };
}

function table(p: ProfiledPhase): string[] {
  return [
    `wall ${p.wallMs.toFixed(0)} ms, kernels ${p.kernelMs.toFixed(0)} ms, peak tensor memory ${p.peakMB.toFixed(0)} MB, left allocated ${p.newMB.toFixed(1)} MB`,
    '',
    '| kernel | total ms | share | count | MB allocated |',
    '|---|---|---|---|---|',
    ...p.kernels.map((k) => `| ${k.name} | ${k.ms.toFixed(1)} | ${((100 * k.ms) / p.kernelMs).toFixed(1)} % | ${k.count} | ${(k.bytesAdded / 2 ** 20).toFixed(1)} |`),
    '',
    'Costliest call sites (kernel, input shapes):',
    '',
    '| kernel | input shapes | total ms | count | ms per call |',
    '|---|---|---|---|---|',
    ...p.byShape.map((k) => `| ${k.name} | ${k.shapes} | ${k.ms.toFixed(1)} | ${k.count} | ${(k.ms / k.count).toFixed(2)} |`),
  ];
}

async function main(): Promise<void> {
  const label = flag('label', 'before');
  if (!/^[\w.-]+$/.test(label)) throw new Error(`--label ${label}: a file name stem, no folders`);
  const backendPref = flag('backend', 'wasm') as BackendPreference;
  const preset = flag('preset', 'small');
  const B = Number(flag('batch', '32'));
  const T = Number(flag('seq', '64'));
  const backend = await initBackend(backendPref, 'flag');
  const cfg = resolvePreset(preset, { mechanisms: ['ER'] });
  const phases: Record<string, MemorySnapshot> = { start: memorySnapshot() };

  const model = new BiEncoder(cfg, 12);
  const opt = new AdamW({ lr: 2e-5 });
  const stepper = new BiEncoderStepper(model, opt); // the trainer's step (seeker, gradients, moments outside the heap on wasm/cpu)
  const batch = syntheticBatch(B, T, cfg.encoder.vocabSize);
  phases.afterBuild = memorySnapshot();
  await trainStep(stepper, batch, 0); // warm-up: kernels compiled, optimizer state allocated
  phases.afterWarmupStep = memorySnapshot();
  console.log(`profiling one training step (${preset}, B${B} T${T}, ${backend.detail})`);
  const train = await profilePhase(() => trainStep(stepper, batch, 1));
  phases.afterProfiledStep = memorySnapshot();
  await inferBatch(model, batch);
  console.log('profiling one inference batch');
  const infer = await profilePhase(() => inferBatch(model, batch));
  phases.afterInference = memorySnapshot();
  model.dispose();
  stepper.dispose();
  opt.dispose();
  phases.afterDispose = memorySnapshot();

  const date = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, node ${process.version}`;
  const dir = resolve(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  const result = { date, label, machine, backend: backend.detail, preset, batch: B, seqLen: T, phases, train, infer };
  writeFileSync(join(dir, `profile-${label}.json`), JSON.stringify(result, null, 2) + '\n');
  const mb = (x: number) => (x / 2 ** 20).toFixed(0);
  const md = [
    `# Per-op profile (${label}) — ${date}`,
    '',
    `Bi-encoder '${preset}', B${B} T${T}, ${backend.detail}; ${machine}. tf.profile of one training step`,
    '(forward + backward + clip + AdamW, after one warm-up step) and one inference batch; shared machine, so',
    'times are upper bounds: compare shares and counts, and absolute times only within one file.',
    '',
    '## Memory by phase',
    '',
    '| phase | tensors | tensor MB | wasm heap MB | RSS MB | peak RSS MB |',
    '|---|---|---|---|---|---|',
    ...Object.entries(phases).map(([k, s]) => `| ${k} | ${s.numTensors} | ${mb(s.tensorBytes)} | ${s.wasmHeapBytes === undefined ? '–' : mb(s.wasmHeapBytes)} | ${mb(s.rssBytes)} | ${mb(s.maxRssBytes)} |`),
    '',
    '## Training step',
    '',
    ...table(train),
    '',
    '## Inference batch',
    '',
    ...table(infer),
  ].join('\n');
  writeFileSync(join(dir, `profile-${label}.md`), md + '\n');
  console.log(`train: ${train.wallMs.toFixed(0)} ms, peak tensors ${train.peakMB.toFixed(0)} MB; top: ${train.kernels.slice(0, 5).map((k) => `${k.name} ${k.ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`infer: ${infer.wallMs.toFixed(0)} ms, peak tensors ${infer.peakMB.toFixed(0)} MB; top: ${infer.kernels.slice(0, 5).map((k) => `${k.name} ${k.ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`wrote ${join(dir, `profile-${label}.md`)} and .json`);
}

main().catch((e) => { console.error(`profile: ${e instanceof Error ? e.stack : e}`); process.exit(2); });

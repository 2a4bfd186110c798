// A/B of BatchMatMul on tfjs's own kernel vs onnxruntime's GEMM (kernel/engine/ortMatMul.ts), interleaved
// in ONE process so load on a shared machine hits both alike: matmul shapes of the model (and tiny ones, for
// the ORT_MIN_MACS crossover), `small` bi-encoder training steps and inference batches, BatchMatMul time
// from tf.profile. Writes bench/results/ort-matmul.{json,md}.
// usage: node out/bench/ortMatMul.js [--backend wasm] [--preset small] [--batch 32] [--seq 64] [--rounds 3]
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { BiEncoder } from '../kernel/models/bi-encoder/biEncoder';
import { BiEncoderStepper } from '../kernel/models/bi-encoder/trainStep';
import { AdamW } from '../kernel/engine/adamw';
import { initBackend } from '../kernel/engine/backend';
import { configureMatMul, describeMatMul, ORT_MIN_MACS, ORT_MIN_MACS_CPU, ortMatMulTuning, type MatMulPreference } from '../kernel/engine/ortMatMul';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import { writeFileAtomic } from '../dataset/atomicFile';
import { inferBatch, syntheticBatch, trainStep } from './engine';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const ENGINES: MatMulPreference[] = ['tfjs', 'ort'];
/** A: tfjs's kernel; B: ORT with transpose flags (the default); C: ORT with materialised transposes. */
type Arm = 'tfjs' | 'ort' | 'ortMaterialised';
const ARMS: Arm[] = ['tfjs', 'ort', 'ortMaterialised'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of one tf.matMul of the given shapes (inputs made once, result read back each time). */
function timeMatMul(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean, reps: number): number {
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const y = tf.matMul(a, b, tA, tB);
    y.dataSync();
    ms.push(performance.now() - t0);
    y.dispose();
  }
  return median(ms);
}

/** The model's matmul call sites (B32 T64 small: h256, FFN1024, 4 heads) and tiny cubes for the crossover. */
const SHAPES: Array<{ name: string; a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
  { name: 'QKV/out proj [2048,256]×[256,256]', a: [2048, 256], b: [256, 256], tA: false, tB: false },
  { name: 'FFN up [2048,256]×[256,1024]', a: [2048, 256], b: [256, 1024], tA: false, tB: false },
  { name: 'FFN down [2048,1024]×[1024,256]', a: [2048, 1024], b: [1024, 256], tA: false, tB: false },
  { name: 'weight grad [256,2048]×[2048,1024]', a: [256, 2048], b: [2048, 1024], tA: false, tB: false },
  { name: 'attention scores [32,4,64,64]×[32,4,64,64]', a: [32, 4, 64, 64], b: [32, 4, 64, 64], tA: false, tB: false },
  { name: 'tiny 8³', a: [8, 8], b: [8, 8], tA: false, tB: false },
  { name: 'tiny 16³', a: [16, 16], b: [16, 16], tA: false, tB: false },
  { name: 'small 32³', a: [32, 32], b: [32, 32], tA: false, tB: false },
  { name: 'small 48³', a: [48, 48], b: [48, 48], tA: false, tB: false },
  { name: 'small 64³', a: [64, 64], b: [64, 64], tA: false, tB: false },
];

async function main(): Promise<void> {
  const backendName = flag('backend', 'wasm') as 'wasm' | 'cpu';
  const preset = flag('preset', 'small');
  const B = Number(flag('batch', '32'));
  const T = Number(flag('seq', '64'));
  const rounds = Number(flag('rounds', '3'));
  const backend = await initBackend(backendName, 'flag');
  const lines: Record<MatMulPreference, string> = { tfjs: '', ort: '' };
  for (const e of ENGINES) lines[e] = describeMatMul(await configureMatMul(backendName, { ...process.env, EMPATHY_MATMUL: e }));
  console.log(`${backend.detail}; matmul A = ${lines.tfjs}, B = ${lines.ort}`);

  // 1. Single matmuls, interleaved per shape; B forces ORT even below ORT_MIN_MACS (minMacs 0), so the tiny
  //    rows show where the threshold belongs.
  // onnxruntime runs slowly for its first ~0.5 s in a process (measured: 2048×256×256 at 22 then 150 GFLOP/s);
  // warm both paths up for a second before timing anything.
  for (const e of ENGINES) {
    await configureMatMul(backendName, { ...process.env, EMPATHY_MATMUL: e });
    const [a, b] = [tf.randomNormal([2048, 256], 0, 1, 'float32', 3), tf.randomNormal([256, 256], 0, 1, 'float32', 4)];
    for (const t0 = performance.now(); performance.now() - t0 < 1000;) timeMatMul(a, b, false, false, 1);
    tf.dispose([a, b]);
  }
  const shapeRows: Array<{ name: string; macs: number; ms: Record<MatMulPreference, number> }> = [];
  for (const s of SHAPES) {
    const a = tf.randomNormal(s.a, 0, 1, 'float32', 1);
    const b = tf.randomNormal(s.b, 0, 1, 'float32', 2);
    const macs = tf.util.sizeFromShape(s.a.slice(0, -2)) * s.a[s.a.length - 2] * s.a[s.a.length - 1] * s.b[s.b.length - 1];
    const reps = macs > 1e7 ? 5 : 200;
    const ms: Record<MatMulPreference, number[]> = { tfjs: [], ort: [] };
    for (let r = 0; r < 3; r++) {
      for (const e of r % 2 ? [...ENGINES].reverse() : ENGINES) {
        await configureMatMul(backendName, { ...process.env, EMPATHY_MATMUL: e });
        ortMatMulTuning.minMacs[backendName] = 0;
        ms[e].push(timeMatMul(a, b, s.tA, s.tB, reps));
        ortMatMulTuning.minMacs[backendName] = backendName === 'cpu' ? ORT_MIN_MACS_CPU : ORT_MIN_MACS;
      }
    }
    tf.dispose([a, b]);
    const row = { name: s.name, macs, ms: { tfjs: median(ms.tfjs), ort: median(ms.ort) } };
    shapeRows.push(row);
    console.log(`${s.name}: tfjs ${row.ms.tfjs.toFixed(3)} ms, ort ${row.ms.ort.toFixed(3)} ms`);
  }

  // 2. Training steps and inference batches of the model, the arms rotating each round. Arm C keeps ORT's
  //    matmul but materialises transposes as the tfjs path must (ops.ts), to show what the flags are worth.
  const cfg = resolvePreset(preset, { mechanisms: ['ER'] });
  const model = new BiEncoder(cfg, 12);
  const opt = new AdamW({ lr: 2e-5 });
  const stepper = new BiEncoderStepper(model, opt); // the trainer's step (seeker, gradients, moments outside the heap on wasm/cpu)
  const batch = syntheticBatch(B, T, cfg.encoder.vocabSize);
  const step: Record<Arm, number[]> = { tfjs: [], ort: [], ortMaterialised: [] };
  const infer: Record<Arm, number[]> = { tfjs: [], ort: [], ortMaterialised: [] };
  const useArm = async (arm: Arm) => {
    await configureMatMul(backendName, { ...process.env, EMPATHY_MATMUL: arm === 'tfjs' ? 'tfjs' : 'ort' });
    ortMatMulTuning.transposeFlags = arm === 'ort';
  };
  let seed = 0;
  for (const arm of ARMS) { // warm-up of each path
    await useArm(arm);
    await trainStep(stepper, batch, seed++);
    await inferBatch(model, batch);
  }
  for (let r = 0; r < rounds; r++) {
    for (const arm of [...ARMS.slice(r % 3), ...ARMS.slice(0, r % 3)]) {
      await useArm(arm);
      let t0 = performance.now();
      await trainStep(stepper, batch, seed++);
      step[arm].push((performance.now() - t0) / 1000);
      t0 = performance.now();
      await inferBatch(model, batch);
      infer[arm].push(B / ((performance.now() - t0) / 1000));
      console.log(`round ${r + 1} ${arm}: step ${step[arm].at(-1)!.toFixed(2)} s, inference ${infer[arm].at(-1)!.toFixed(1)} pairs/s`);
    }
  }

  // 3. One profiled step per arm: BatchMatMul's and Transpose's time.
  const prof = {} as Record<Arm, { batchMatMulMs: number; transposeMs: number; kernelMs: number; wallMs: number }>;
  for (const arm of ARMS) {
    await useArm(arm);
    const t0 = performance.now();
    const info = await tf.profile(() => trainStep(stepper, batch, seed++));
    const wallMs = performance.now() - t0;
    const row = { batchMatMulMs: 0, transposeMs: 0, kernelMs: 0, wallMs };
    for (const k of info.kernels) {
      if (!tf.getKernel(k.name, backendName)) continue; // scopes wrap kernels counted already
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      row.kernelMs += ms;
      if (k.name === 'BatchMatMul') row.batchMatMulMs += ms;
      if (k.name === 'Transpose') row.transposeMs += ms;
    }
    prof[arm] = row;
    console.log(`profiled step ${arm}: BatchMatMul ${row.batchMatMulMs.toFixed(0)} ms, Transpose ${row.transposeMs.toFixed(0)} ms of ${row.kernelMs.toFixed(0)} ms kernels (wall ${wallMs.toFixed(0)} ms)`);
  }
  ortMatMulTuning.transposeFlags = true;
  model.dispose();
  stepper.dispose();
  opt.dispose();
  await configureMatMul(backendName);

  const date = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, node ${process.version}`;
  const result = { date, machine, backend: backend.detail, matmul: lines, preset, batch: B, seqLen: T, ortMinMacs: ORT_MIN_MACS, shapes: shapeRows, step, infer, profile: prof };
  const dir = resolve(__dirname, '../../bench/results');
  writeFileAtomic(join(dir, `ort-matmul-${backendName}.json`), JSON.stringify(result, null, 2) + '\n');
  const ratio = (x: number, y: number) => (x / y).toFixed(2);
  const per = (xs: Record<Arm, number[]>, d: number) => xs.tfjs.map((_, i) => ARMS.map((a) => xs[a][i].toFixed(d)).join(' / ')).join('; ');
  const st = { tfjs: median(step.tfjs), ort: median(step.ort), ortMaterialised: median(step.ortMaterialised) };
  const inf = { tfjs: median(infer.tfjs), ort: median(infer.ort), ortMaterialised: median(infer.ortMaterialised) };
  const md = [
    `## ${backend.detail}: A tfjs BatchMatMul, B ${lines.ort} (transpose flags), C B with materialised transposes — ${date}`,
    '',
    `Bi-encoder '${preset}', B${B} T${T}; ${machine}. Arms interleaved in one process (order rotating each`,
    'round); shared machine, so absolute times are upper bounds: read the ratios.',
    '',
    '| measure | A: tfjs | B: ORT | C: ORT, materialised | A / B | C / B |',
    '|---|---|---|---|---|---|',
    `| training step, median s (${rounds} rounds) | ${st.tfjs.toFixed(2)} | ${st.ort.toFixed(2)} | ${st.ortMaterialised.toFixed(2)} | ${ratio(st.tfjs, st.ort)} | ${ratio(st.ortMaterialised, st.ort)} |`,
    `| inference, median pairs/s (B / A, B / C) | ${inf.tfjs.toFixed(1)} | ${inf.ort.toFixed(1)} | ${inf.ortMaterialised.toFixed(1)} | ${ratio(inf.ort, inf.tfjs)} | ${ratio(inf.ort, inf.ortMaterialised)} |`,
    `| BatchMatMul ms, one profiled step | ${prof.tfjs.batchMatMulMs.toFixed(0)} | ${prof.ort.batchMatMulMs.toFixed(0)} | ${prof.ortMaterialised.batchMatMulMs.toFixed(0)} | ${ratio(prof.tfjs.batchMatMulMs, prof.ort.batchMatMulMs)} | ${ratio(prof.ortMaterialised.batchMatMulMs, prof.ort.batchMatMulMs)} |`,
    `| Transpose ms, same step | ${prof.tfjs.transposeMs.toFixed(0)} | ${prof.ort.transposeMs.toFixed(0)} | ${prof.ortMaterialised.transposeMs.toFixed(0)} | | |`,
    `| all kernels ms, same step | ${prof.tfjs.kernelMs.toFixed(0)} | ${prof.ort.kernelMs.toFixed(0)} | ${prof.ortMaterialised.kernelMs.toFixed(0)} | ${ratio(prof.tfjs.kernelMs, prof.ort.kernelMs)} | ${ratio(prof.ortMaterialised.kernelMs, prof.ort.kernelMs)} |`,
    '',
    `Per round, step s A / B / C: ${per(step, 2)}. Inference pairs/s: ${per(infer, 1)}.`,
    '',
    `Single matmuls (median ms, result read back; B forced onto ORT even below ORT_MIN_MACS = ${ORT_MIN_MACS}):`,
    '',
    '| shape | multiply-adds | A: tfjs ms | B: ORT ms | A / B |',
    '|---|---|---|---|---|',
    ...shapeRows.map((r) => `| ${r.name} | ${r.macs} | ${r.ms.tfjs.toFixed(3)} | ${r.ms.ort.toFixed(3)} | ${ratio(r.ms.tfjs, r.ms.ort)} |`),
    '',
  ].join('\n');
  writeFileAtomic(join(dir, `ort-matmul-${backendName}.md`), md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

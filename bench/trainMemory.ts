// Where a bi-encoder training step's memory goes on the wasm backend, by part: weights kept in the backend,
// the frozen seeker, gradients and AdamW moments in JavaScript arrays, one micro-batch's activations (live
// tensor bytes at the loss), the wasm heap and the process's peak RSS; one step as the trainer plans it.
// `node out/bench/trainMemory.js --preset roberta-base [--batch 32] [--seq 64] [--backend wasm]` prints JSON.
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../kernel/engine/adamw';
import { initBackend, type BackendPreference } from '../kernel/engine/backend';
import { BiEncoder } from '../kernel/models/bi-encoder/biEncoder';
import { resolvePreset } from '../kernel/models/bi-encoder/config';
import { planMicroBatches, trainingMemory } from '../kernel/models/bi-encoder/memoryPlan';
import { BiEncoderStepper, type MicroBatch } from '../kernel/models/bi-encoder/trainStep';
import { batchRows, syntheticBatch } from './engine';
import { memorySnapshot } from './memory';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  const preset = flag('preset', 'roberta-base');
  const B = Number(flag('batch', '32'));
  const T = Number(flag('seq', '64'));
  const backend = await initBackend(flag('backend', 'wasm') as BackendPreference, 'flag');
  const mb = (n: number | undefined) => (n === undefined ? undefined : Math.round(n / 1024 ** 2));
  const snap = () => { const m = memorySnapshot(); return { tensorMB: mb(m.tensorBytes), wasmHeapMB: mb(m.wasmHeapBytes), rssMB: mb(m.rssBytes), peakRssMB: mb(m.maxRssBytes) }; };
  const net = new BiEncoder(resolvePreset(preset, { mechanisms: ['ER'] }), 12);
  const afterBuild = snap();
  const opt = new AdamW({ lr: 2e-5 });
  const stepper = new BiEncoderStepper(net, opt);
  const mem = trainingMemory(net, T);
  const plan = planMicroBatches(mem, B, 1);
  if (typeof plan === 'string') throw new Error(plan);
  let actPeak = 0;
  const loss = net.loss.bind(net);
  net.loss = (...a: Parameters<BiEncoder['loss']>) => { const r = loss(...a); actPeak = Math.max(actPeak, tf.memory().numBytes); return r; };
  const full = syntheticBatch(B, T, net.cfg.encoder.vocabSize);
  const micro: MicroBatch[] = [];
  for (let b0 = 0, k = 0; b0 < B; b0 += plan.microBatch, k++) {
    const b1 = Math.min(B, b0 + plan.microBatch);
    micro.push({ batch: batchRows(full, b0, b1), weight: (b1 - b0) / B, fwd: { training: true, seed: k } });
  }
  const deviceBytesBefore = tf.memory().numBytes;
  const t0 = performance.now();
  const r = await stepper.step(micro, { lambdaEI: 1, lambdaRE: 0.5 }, 2e-5, 1.0);
  const seconds = (performance.now() - t0) / 1000;
  const out = {
    preset, batch: B, seqLen: T, backend: `${backend.detail}${backend.matmul ? ` · matmul: ${backend.matmul}` : ''}`,
    plan: { microBatch: plan.microBatch, gradAccum: plan.gradAccum, plannedHeapMB: mb(plan.heapBytes), note: plan.note },
    bytesMB: {
      backendWeights: mb(mem.deviceWeightBytes),
      seekerHost: mb(stepper.seekerHostBytes),
      gradientsHost: mb(stepper.gradientHostBytes()),
      momentsHost: mb(opt.hostBytes()),
      activationsPerMicroBatchMeasured: mb(actPeak - deviceBytesBefore),
      activationsPerMicroBatchPlanned: mb(plan.microBatch * mem.activationBytesPerExample),
    },
    memoryMB: { afterBuild, afterStep: snap() },
    stepSeconds: seconds,
    loss: r?.loss, gradNorm: r?.gradNorm,
  };
  stepper.dispose();
  opt.dispose();
  net.dispose();
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });

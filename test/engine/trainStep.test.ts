// The trainer's step on the host backends (cpu, wasm): the frozen seeker, the gradients and AdamW's moments
// live in JavaScript arrays, and the step equals the all-in-the-backend one bit for bit (dropout on, two
// micro-batches); the backend then holds only the trained weights; nothing leaks; train() says so.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { AdamW } from '../../kernel/engine/adamw';
import { BiEncoder } from '../../kernel/models/bi-encoder/biEncoder';
import { resolvePreset } from '../../kernel/models/bi-encoder/config';
import { BiEncoderStepper, type MicroBatch, type StepResult } from '../../kernel/models/bi-encoder/trainStep';
import { train } from '../../kernel/models/bi-encoder/train';
import type { TrainEvent } from '../../kernel/engine/types';
import { batchRows as rows, syntheticBatch } from '../../bench/engine';
import { toyConfig, toyPairs } from './toyData';

const cfg = resolvePreset('tiny', { mechanisms: ['ER'], dropout: 0.1 });
const LOSS = { lambdaEI: 1, lambdaRE: 0.5 };

/**
 * Two training steps of 6 pairs as micro-batches of 4 + 2, dropout on; the losses, norms and final weights.
 * No clipping (max norm 100): the host norm is summed in double precision, the tfjs one in float32, so a
 * clip would scale by a coefficient a few ulps apart (the clip itself: adamw.test.ts).
 */
async function twoSteps(host: boolean): Promise<{ results: StepResult[]; weights: Map<string, Float32Array>; backendBytes: number; tensors: number[] }> {
  const baseBytes = tf.memory().numBytes; // what earlier tests of this process still hold is not this step's
  const net = new BiEncoder(cfg, 5);
  const opt = new AdamW({ lr: 1e-3, weightDecay: 0.01 }, host ? 'host' : 'device');
  const stepper = new BiEncoderStepper(net, opt, { host });
  const full = syntheticBatch(6, 12, cfg.encoder.vocabSize);
  const results: StepResult[] = [];
  const tensors: number[] = [];
  try {
    for (let s = 0; s < 2; s++) {
      const micro: MicroBatch[] = [
        { batch: rows(full, 0, 4), weight: 4 / 6, fwd: { training: true, seed: 10 * s } },
        { batch: rows(full, 4, 6), weight: 2 / 6, fwd: { training: true, seed: 10 * s + 1 } },
      ];
      results.push((await stepper.step(micro, LOSS, 1e-3 * (1 - s / 4), 100))!);
      tensors.push(tf.memory().numTensors);
    }
    const weights = new Map([...(await net.stateDictAsync())].map(([k, e]) => [k, e.data as Float32Array]));
    return { results, weights, backendBytes: tf.memory().numBytes - baseBytes, tensors };
  } finally {
    stepper.dispose();
    opt.dispose();
    net.dispose();
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`bi-encoder training step outside the backend (${backend})`, function () {
    this.timeout(120_000);
    before(async () => { await initBackend(backend, 'flag'); });

    it('equals the all-in-the-backend step bit for bit: seeker from JS arrays, gradients leaving the backward, JS AdamW', async () => {
      const device = await twoSteps(false);
      const host = await twoSteps(true);
      for (const [i, r] of host.results.entries()) {
        const d = device.results[i];
        assert.deepEqual([r.loss, r.lossLevel, r.lossRationale], [d.loss, d.lossLevel, d.lossRationale], `step ${i + 1} losses`);
        assert.ok(Math.abs(r.gradNorm - d.gradNorm) <= 1e-6 * d.gradNorm, `step ${i + 1} gradient norm ${r.gradNorm} vs ${d.gradNorm}`);
      }
      assert.deepEqual([...host.weights.keys()], [...device.weights.keys()], 'the state dict keeps its order, seeker included');
      for (const [k, w] of device.weights) assert.deepEqual(host.weights.get(k), w, k);
    });

    it('the backend holds only the trained weights (no seeker, no moments, no gradients) and nothing leaks', async () => {
      const before = tf.memory().numTensors;
      const baseBytes = tf.memory().numBytes;
      const net = new BiEncoder(cfg, 5);
      let responderAndHeads = 0;
      for (const [k, v] of net.params) if (!k.startsWith('seeker_encoder.')) responderAndHeads += v.size * 4;
      const allBytes = tf.memory().numBytes - baseBytes;
      net.dispose();
      const device = await twoSteps(false);
      const host = await twoSteps(true);
      assert.equal(tf.memory().numTensors, before, 'every tensor freed after dispose');
      assert.equal(host.tensors[0], host.tensors[1], 'a second step holds no more tensors than the first');
      // Measured inside twoSteps before dispose: what stayed in the backend after two steps.
      assert.equal(host.backendBytes, responderAndHeads, 'host path: only the responder and the heads');
      assert.ok(device.backendBytes > allBytes, `device path: every weight and the moments (${device.backendBytes} B > ${allBytes} B)`);
    });
  });
}

describe('train() on wasm: the backend line says where the run keeps what', function () {
  this.timeout(120_000);
  it('names the JavaScript-memory seeker, gradients and moments on the start event, and leaks nothing', async () => {
    await initBackend('wasm', 'flag');
    const before = tf.memory().numTensors;
    const events: TrainEvent[] = [];
    const { model } = await train({ ...toyConfig, backend: 'wasm', epochs: 1, grad_accum: 2 }, { train: toyPairs(12) }, { onEvent: (e) => events.push(e) });
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'train + dispose');
    const start = events.find((e) => e.type === 'start');
    assert.ok(start && start.type === 'start');
    assert.match(start.backend.training ?? '', /frozen seeker \(0\.00 GB\), gradients and AdamW moments in JavaScript memory, outside the backend/);
  });
});

describe('bi-encoder training step: a wasm heap overflow', function () {
  it('is reported with the micro-batch size and what to change, not as a bare trap', async () => {
    // A network whose backward traps the way wasm does when its 4 GB heap is exhausted.
    const trapping = {
      moveFrozenSeekerToHost: () => 0,
      trainableNames: () => [],
      params: new Map(),
      lossAndGradsInto: async () => { throw new Error('memory access out of bounds'); },
    } as unknown as BiEncoder;
    const stepper = new BiEncoderStepper(trapping, new AdamW(), { host: true });
    const batch = syntheticBatch(3, 12, 50);
    await assert.rejects(stepper.step([{ batch, weight: 1, fwd: { training: true } }], LOSS, 1e-3, 1), /wasm heap \(4 GB at most\) overflowed with micro-batches of 3 pairs \(memory access out of bounds\): raise --grad_accum/);
  });
});

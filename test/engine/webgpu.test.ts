// The webgpu rung (Dawn): adapter classification, the ladder's choice, and the engine training,
// interrupting, checkpointing and predicting on it. Here it runs through Mesa's software adapter (llvmpipe
// over OpenGL ES); it is skipped, saying why in its title, only where Dawn finds no adapter at all.
import { skipBecause } from '../support/skip';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type TrainEvent } from '../../kernel/engine';
import { loadModel, train } from '../../kernel/models';
import { dawnBackends, describeAdapter, softwareReason } from '../../kernel/engine/webgpuBackend';
import { toyConfig, toyPairs } from './toyData';
import { webgpuUnavailable } from '../support/webgpu';

describe('engine/webgpu adapter rules', function () {
  it('software rasterisers are recognised by name or fallback flag; real GPUs are not', function () {
    assert.match(softwareReason({ vendor: '', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' })!, /llvmpipe/);
    assert.match(softwareReason({ vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)', description: '' })!, /SwiftShader/i);
    assert.match(softwareReason({ vendor: 'mesa', architecture: '', device: 'lavapipe', description: '' })!, /lavapipe/);
    assert.match(softwareReason({ vendor: 'x', architecture: '', device: 'y', description: '', isFallbackAdapter: true })!, /fallback/);
    assert.equal(softwareReason({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: 'NVIDIA: 550.54' }), undefined);
    const text = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100', description: 'NVIDIA: 550.54', dawnBackend: 'vulkan', featureLevel: 'core', software: false });
    assert.equal(text, 'nvidia hopper NVIDIA H100 (NVIDIA: 550.54; Dawn vulkan)');
  });

  it('Dawn backends: the platform API first (OpenGL ES last on Linux), EMPATHY_WEBGPU_BACKEND overrides', function () {
    assert.deepEqual(dawnBackends({}, 'linux'), ['vulkan', 'opengles']);
    assert.deepEqual(dawnBackends({}, 'darwin'), ['metal']);
    assert.deepEqual(dawnBackends({}, 'win32'), ['d3d12', 'vulkan']);
    assert.deepEqual(dawnBackends({ EMPATHY_WEBGPU_BACKEND: ' opengles , vulkan' }, 'linux'), ['opengles', 'vulkan']);
  });
});

describe('engine on webgpu', function () {
  this.timeout(300_000);
  let dir = '';
  before(async function () {
    const why = await webgpuUnavailable();
    if (why) {
      skipBecause(this, `no WebGPU adapter (${why})`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'engine-webgpu-'));
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await initBackend('cpu', 'flag');
  });

  it('a forced webgpu names its adapter; auto takes it only when it is a hardware GPU, else says why not', async function () {
    const forced = await initBackend('webgpu', 'flag');
    assert.equal(forced.name, 'webgpu');
    assert.ok(forced.adapter && forced.adapter.dawnBackend.length > 0 && forced.adapter.device.length > 0, JSON.stringify(forced.adapter));
    assert.ok(forced.detail.includes(forced.adapter.device) && forced.detail.includes(`Dawn ${forced.adapter.dawnBackend}`), forced.detail);
    assert.equal(forced.device, forced.adapter.software ? 'CPU' : 'GPU');
    const auto = await initBackend('auto');
    if (forced.adapter.software) {
      assert.notEqual(auto.name, 'webgpu');
      const skip = auto.skipped.find((s) => s.name === 'webgpu');
      assert.ok(skip && /software/.test(skip.reason), JSON.stringify(auto.skipped));
    } else {
      assert.ok(['tensorflow-gpu', 'webgpu'].includes(auto.name), auto.name);
    }
  });

  it('trains (loss falls), checkpoints, stops on abort, predicts like cpu from the same checkpoint, and leaks no tensor', async function () {
    await initBackend('webgpu', 'flag');
    const before = tf.memory().numTensors;
    const file = path.join(dir, 'w.pth');
    const events: TrainEvent[] = [];
    const cfg = { ...toyConfig, backend: 'webgpu' as const, epochs: 3, save_model_path: file };
    const { model, steps } = await train(cfg, { train: toyPairs(24) }, { onEvent: (e) => events.push(e) });
    const start = events.find((e) => e.type === 'start');
    assert.ok(start && start.type === 'start' && start.backend.name === 'webgpu' && start.backend.adapter, 'trained on webgpu');
    assert.equal(steps, 9); // 24 pairs / 8 per step × 3 epochs
    const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');
    assert.ok(epochs[2].trainLoss < epochs[0].trainLoss, `train loss ${epochs.map((e) => e.trainLoss.toFixed(3))}`);
    assert.ok(events.some((e) => e.type === 'checkpoint'));
    const onGpu = await model.predict(toyPairs(12, 5), { batchSize: 4 });
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'train + predict + dispose');

    // Abort after the first step: training stops there and keeps that step's weights.
    const ctl = new AbortController();
    const aborted = await train({ ...cfg, save_model_path: undefined }, { train: toyPairs(24) }, { signal: ctl.signal, onEvent: (e) => { if (e.type === 'step') ctl.abort(); } });
    assert.equal(aborted.stopped, 'aborted');
    assert.equal(aborted.steps, 1);
    aborted.model.dispose();
    assert.equal(tf.memory().numTensors, before, 'abort');

    // The checkpoint written on webgpu: the same levels (and probabilities to f32 noise) on webgpu and on cpu.
    const again = await loadModel(file);
    const reloaded = await again.predict(toyPairs(12, 5), { batchSize: 4 });
    again.dispose();
    await initBackend('cpu', 'flag');
    const cpuModel = await loadModel(file);
    const onCpu = await cpuModel.predict(toyPairs(12, 5), { batchSize: 4 });
    cpuModel.dispose();
    for (let i = 0; i < onGpu.length; i++) {
      const [g, r, c] = [onGpu[i], reloaded[i], onCpu[i]].map((p) => p.mechanisms.ER!);
      assert.equal(r.level, g.level, `pair ${i}: reloaded vs trained`);
      assert.equal(c.level, g.level, `pair ${i}: cpu vs webgpu`);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(c.probs[k] - g.probs[k]) < 1e-4, `pair ${i} prob ${k}: ${c.probs[k]} vs ${g.probs[k]}`);
    }
  });
});

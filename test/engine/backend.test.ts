// The backend ladder: forced choices are honoured and reported; unknown names fail clearly; auto reports skips.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { currentBackend, describeBackend, initBackend } from '../../kernel/engine/backend';

describe('engine/backend', function () {
  let prev: string;
  const prevEnv = process.env.EMPATHY_BACKEND;
  before(() => { prev = tf.getBackend(); delete process.env.EMPATHY_BACKEND; });
  after(async () => {
    if (prevEnv === undefined) delete process.env.EMPATHY_BACKEND; else process.env.EMPATHY_BACKEND = prevEnv;
    if (prev) await tf.setBackend(prev);
  });

  it('forces cpu and reports it', async function () {
    const info = await initBackend('cpu', 'flag');
    assert.equal(info.name, 'cpu');
    assert.equal(info.device, 'CPU');
    assert.equal(info.chosenBy, 'flag');
    assert.equal(tf.getBackend(), 'cpu');
    assert.deepEqual(info.skipped.map((s) => s.name), ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
    assert.equal(currentBackend(), info);
  });

  it('forces wasm (SIMD, its thread count) and it computes', async function () {
    // The count is this process's first wasm start (wasmThreads.test.ts checks 1 and 2 in processes of their own).
    const info = await initBackend('wasm', 'config');
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const n = getThreadsCount();
    assert.match(info.detail, new RegExp(`^wasm \\((SIMD|no SIMD), ${n} threads?(; .+)?\\)$`));
    assert.doesNotMatch(info.detail, /failed to start/);
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
    assert.equal(y, 11);
  });

  it('EMPATHY_BACKEND overrides the argument and is reported as env', async function () {
    process.env.EMPATHY_BACKEND = 'cpu';
    try {
      const info = await initBackend('wasm', 'flag');
      assert.equal(info.name, 'cpu');
      assert.equal(info.chosenBy, 'env');
    } finally {
      delete process.env.EMPATHY_BACKEND;
    }
  });

  it('rejects an unknown backend name, listing the valid ones', async function () {
    await assert.rejects(initBackend('metal' as never), /unknown backend 'metal'.*auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
    process.env.EMPATHY_BACKEND = 'gpu';
    try {
      await assert.rejects(initBackend(), /unknown backend 'gpu' \(from EMPATHY_BACKEND\)/);
    } finally {
      delete process.env.EMPATHY_BACKEND;
    }
  });

  it('auto walks the ladder and says why the native backends were skipped', async function () {
    const info = await initBackend('auto');
    assert.equal(info.chosenBy, 'auto');
    const order = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
    assert.deepEqual(info.skipped.map((s) => s.name), order.slice(0, order.indexOf(info.name)));
    for (const s of info.skipped) assert.ok(s.reason.length > 10, `reason for ${s.name}`);
    // Here tfjs-node is an alias of pure tfjs (danfojs override): it must be recognised as such, not loaded.
    const tfn = info.skipped.find((s) => s.name === 'tensorflow');
    if (tfn) assert.match(tfn.reason, /not installed|alias|failed to load|no NVIDIA/);
    assert.ok(describeBackend(info).includes(info.detail));
  });
});

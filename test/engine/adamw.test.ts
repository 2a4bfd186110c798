// AdamW (transformers 2.7 semantics), global-norm clipping and the linear schedule, checked by hand.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { AdamW, clipGlobalNorm, type AdamWStorage } from '../../kernel/engine/adamw';
import { clipGlobalNormHost, HostGradients } from '../../kernel/engine/hostGrads';
import { initBackend } from '../../kernel/engine/backend';
import { linearSchedule } from '../../kernel/engine/schedule';

/** Reference update in float64 for one scalar parameter. */
function refAdamW(p: number, gs: number[], lrs: number[], o = { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0 }): number {
  let m = 0;
  let v = 0;
  gs.forEach((g, i) => {
    const t = i + 1;
    m = o.b1 * m + (1 - o.b1) * g;
    v = o.b2 * v + (1 - o.b2) * g * g;
    const step = (lrs[i] * Math.sqrt(1 - o.b2 ** t)) / (1 - o.b1 ** t);
    p -= (step * m) / (Math.sqrt(v) + o.eps); // eps on the UN-corrected sqrt(v)
    if (o.wd > 0) p -= lrs[i] * o.wd * p;
  });
  return p;
}

describe('engine/adamw', function () {
  // Its own backend: these checks are synchronous, and another suite may leave a registered backend uninitialised.
  before(async () => { await tf.setBackend('cpu'); await tf.ready(); });

  it('follows transformers-2.7 AdamW (eps outside the bias correction), skips params without a gradient', function () {
    const w = tf.variable(tf.tensor1d([0.5, -1, 1e-3]));
    const frozen = tf.variable(tf.tensor1d([7]));
    const vars = new Map([['w', w], ['frozen', frozen]]);
    const opt = new AdamW({ lr: 1e-3 });
    const gs = [[0.1, -0.2, 1e-9], [0.05, 0.3, -1e-9], [-0.4, 0.01, 1e-9]];
    const lrs = [1e-3, 8e-4, 6e-4];
    for (let i = 0; i < 3; i++) {
      const g = tf.tensor1d(gs[i]);
      opt.step(vars, new Map([['w', g]]), lrs[i]);
      g.dispose();
    }
    const got = Array.from(w.dataSync());
    for (let j = 0; j < 3; j++) {
      const want = refAdamW([0.5, -1, 1e-3][j], gs.map((r) => r[j]), lrs);
      assert.ok(Math.abs(got[j] - want) < 2e-7, `w[${j}] = ${got[j]}, want ${want}`);
    }
    // Tiny gradients: eps on the UN-corrected sqrt(v) damps them (torch.optim.AdamW would move ~lr).
    assert.ok(Math.abs(got[2] - 1e-3) < 1e-4);
    assert.deepEqual(Array.from(frozen.dataSync()), [7]);
    assert.ok(!opt.getState().has('optimizer.frozen.step'));
    opt.dispose();
    tf.dispose([w, frozen]);
  });

  it('applies decoupled weight decay after the update', function () {
    const w = tf.variable(tf.tensor1d([2]));
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.01 });
    const g = tf.tensor1d([0.5]);
    opt.step(new Map([['w', w]]), new Map([['w', g]]), 0.1);
    const want = refAdamW(2, [0.5], [0.1], { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01 });
    assert.ok(Math.abs(w.dataSync()[0] - want) < 1e-6);
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('resumes from getState()/setState() exactly as if never interrupted', function () {
    const run = (split: boolean) => {
      const w = tf.variable(tf.tensor1d([1, 2, 3]));
      const vars = new Map([['w', w]]);
      let opt = new AdamW({ lr: 0.01 });
      for (let i = 0; i < 4; i++) {
        if (split && i === 2) {
          const state = opt.getState();
          assert.equal((state.get('optimizer.w.step')!.data as Int32Array)[0], 2);
          opt.dispose();
          opt = new AdamW({ lr: 0.01 });
          opt.setState(state);
        }
        const g = tf.tensor1d([0.1 * (i + 1), -0.2, 0.3 / (i + 1)]);
        opt.step(vars, new Map([['w', g]]), 0.01);
        g.dispose();
      }
      const out = Array.from(w.dataSync());
      opt.dispose();
      w.dispose();
      return out;
    };
    assert.deepEqual(run(true), run(false));
  });

  it('clips by the global L2 norm with 1/(norm+1e-6), returning new tensors and the pre-clip norm', function () {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor1d([0, 4]);
    const before = tf.memory().numTensors;
    const { grads, norm } = clipGlobalNorm(new Map([['a', a], ['b', b]]), 1.0);
    assert.ok(Math.abs(norm - 5) < 1e-6);
    const s = 1 / (5 + 1e-6);
    assert.ok(Math.abs(grads.get('a')!.dataSync()[0] - 3 * s) < 1e-7);
    assert.ok(Math.abs(grads.get('b')!.dataSync()[1] - 4 * s) < 1e-7);
    tf.dispose([...grads.values()]);
    const small = clipGlobalNorm(new Map([['a', a]]), 10);
    assert.deepEqual(Array.from(small.grads.get('a')!.dataSync()), [3, 0], 'below the max: unchanged');
    tf.dispose([...small.grads.values()]);
    assert.equal(tf.memory().numTensors, before, 'no leak; inputs still owned by the caller');
    assert.ok(!a.isDisposed);
    tf.dispose([a, b]);
  });

  /** Five steps with weight decay on [2, 500] weights; gradients as tensors or host arrays. Returns the bits. */
  function fiveSteps(storage: AdamWStorage, hostGrads: boolean): { w: Float32Array; m: Float32Array; init: Float32Array } {
    const init = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 0.3);
    const t0 = tf.tensor2d(init, [2, 500]); // on cpu this tensor keeps `init` itself: it must stay unchanged
    const w = tf.variable(t0);
    t0.dispose();
    const opt = new AdamW({ lr: 1e-3, weightDecay: 0.01 }, storage);
    for (let s = 0; s < 5; s++) {
      const g = Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i * 0.37 + s) * (i % 7 === 0 ? 1e-6 : 0.05));
      if (hostGrads) opt.step(new Map([['w', w]]), new Map([['w', g]]), 1e-3 * (1 - s / 5));
      else tf.tidy(() => opt.step(new Map([['w', w]]), new Map([['w', tf.tensor2d(g, [2, 500])]]), 1e-3 * (1 - s / 5)));
    }
    assert.equal(opt.storage, storage);
    const m = opt.getState().get('optimizer.w.exp_avg')!.data as Float32Array;
    const out = { w: Float32Array.from(w.dataSync()), m: Float32Array.from(m), init };
    if (storage === 'host') {
      assert.ok(m instanceof Float32Array);
      assert.equal(opt.hostBytes(), 2 * 4 * 1000, 'both moments in JavaScript arrays');
    }
    opt.dispose();
    w.dispose();
    return out;
  }

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`host storage (JavaScript moments, in-place float32 update) equals the tfjs path bit for bit (${backend})`, async function () {
      this.timeout(60_000);
      await initBackend(backend, 'flag');
      try {
        const before = tf.memory().numTensors;
        const device = fiveSteps('device', false);
        const host = fiveSteps('host', false);
        const hostArrays = fiveSteps('host', true);
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        assert.deepEqual(host.w, device.w, 'weights after 5 steps');
        assert.deepEqual(host.m, device.m, 'exp_avg after 5 steps');
        assert.deepEqual(hostArrays.w, device.w, 'gradients given as host arrays');
        assert.deepEqual(host.init, Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 0.3), "the caller's initial array is not written through");
      } finally {
        await tf.setBackend('cpu');
      }
    });
  }

  it('host gradients: micro-batch shares summed as tf.add(acc, tf.mul(g, w)) does, clip in place like clipGlobalNorm', function () {
    const gs = [0, 1, 2].map((k) => tf.tensor1d(Float32Array.from({ length: 300 }, (_, i) => Math.sin(i + k) * 0.7)));
    const ws = [0.375, 0.375, 0.25];
    const acc = new HostGradients();
    acc.begin();
    gs.forEach((g, k) => acc.add('g', g, ws[k]));
    const want = tf.tidy(() => gs.slice(1).reduce((a, g, k) => tf.add(a, tf.mul(g, ws[k + 1])), tf.mul(gs[0], ws[0])).dataSync());
    const host = acc.grads(['g', 'absent']);
    assert.deepEqual([...host.keys()], ['g'], 'only names that received a gradient');
    assert.deepEqual(host.get('g'), Float32Array.from(want));
    const t = tf.tensor1d(host.get('g')!);
    const dev = clipGlobalNorm(new Map([['g', t]]), 1.0);
    const norm = clipGlobalNormHost(host, 1.0);
    assert.ok(Math.abs(norm - dev.norm) < 1e-5 * dev.norm, `${norm} vs ${dev.norm}`);
    const d = dev.grads.get('g')!.dataSync();
    host.get('g')!.forEach((x, i) => assert.ok(Math.abs(x - d[i]) < 1e-7, `${i}`));
    acc.begin();
    assert.equal(acc.grads(['g']).size, 0, 'a new step starts empty (the array is kept for reuse)');
    assert.equal(acc.bytes(), 300 * 4);
    tf.dispose([...gs, t, ...dev.grads.values()]);
  });

  it('linear schedule: 0 warm-up gives the fixtures\' 1, .8, .6, .4, .2; warm-up ramps from 0', function () {
    assert.deepEqual([0, 1, 2, 3, 4].map((s) => +linearSchedule(s, 5, 1e-3, 0).toPrecision(12)), [1e-3, 8e-4, 6e-4, 4e-4, 2e-4]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((s) => +linearSchedule(s, 6, 1, 2).toPrecision(12)), [0, 0.5, 1, 0.75, 0.5, 0.25, 0]);
    assert.equal(linearSchedule(10, 5, 1, 0), 0, 'never negative past the end');
  });
});

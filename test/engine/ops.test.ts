// The model's own-gradient ops equal tfjs's built-ins (values and gradients) on cpu, and run on wasm.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { dense, dropout, embeddingLookup, geluErf, layerNorm, matMul, SeedStream } from '../../kernel/engine/ops';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Values and gradients (w.r.t. every input) of f and g on the same inputs, under a random upstream gradient. */
function compareWithGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, g: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], tol: number): void {
  tf.tidy(() => {
    const yF = f(...xs);
    const yG = g(...xs);
    assert.ok(maxAbsDiff(yF, yG) <= tol * (1 + tf.max(tf.abs(yG)).dataSync()[0]), 'values differ');
    const up = tf.randomNormal(yG.shape, 0, 1, 'float32', 7);
    const gf = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), up)))(xs);
    const gg = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(g(...a), up)))(xs);
    gf.forEach((t, i) => {
      const scale = 1 + tf.max(tf.abs(gg[i])).dataSync()[0];
      assert.ok(maxAbsDiff(t, gg[i]) <= tol * scale, `gradient of input ${i} differs by ${maxAbsDiff(t, gg[i])}`);
    });
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`engine/ops on ${backend}`, function () {
    let prev: string;
    before(async function () {
      prev = tf.getBackend();
      await initBackend(backend, 'flag');
    });
    after(async function () {
      if (prev) await tf.setBackend(prev);
    });

    it('matMul (all transpose flags, rank 2/3/4) equals tf.matMul in value and gradient', function () {
      const shapes: Array<[number[], number[], boolean, boolean]> = [
        [[5, 7], [7, 3], false, false],
        [[7, 5], [7, 3], true, false],
        [[5, 7], [3, 7], false, true],
        [[7, 5], [3, 7], true, true],
        [[2, 5, 7], [2, 7, 4], false, false],
        [[2, 3, 6, 4], [2, 3, 6, 4], false, true],
      ];
      for (const [sa, sb, ta, tb] of shapes) {
        const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
        const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
        compareWithGrads((x, y) => matMul(x, y, ta, tb), (x, y) => tf.matMul(x, y, ta, tb), [a, b], 1e-5);
        tf.dispose([a, b]);
      }
    });

    it('dense (PyTorch weight layout) equals x·Wᵀ + b in value and gradient', function () {
      const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
      const w = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
      const b = tf.randomNormal([5], 0, 1, 'float32', 5);
      compareWithGrads((xx, ww, bb) => dense(xx as tf.Tensor2D, ww, bb), (xx, ww, bb) => tf.add(tf.matMul(xx, ww, false, true), bb), [x, w, b], 1e-5);
      tf.dispose([x, w, b]);
    });

    it('embeddingLookup equals tf.gather; its gradient sums repeated ids and skips the padding row', function () {
      const table = tf.randomNormal([6, 3], 0, 1, 'float32', 6);
      const ids = tf.tensor1d([2, 1, 2, 5, 1, 0], 'int32');
      tf.tidy(() => {
        assert.equal(maxAbsDiff(embeddingLookup(table, ids), tf.gather(table, ids)), 0);
        const up = tf.randomNormal([6, 3], 0, 1, 'float32', 8);
        const gOwn = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t, ids, 1), up)))(table);
        // Reference: the built-in gather gradient (UnsortedSegmentSum; exists on cpu only), with row 1 zeroed.
        const expected = up.arraySync() as number[][];
        const want = [0, 1, 2, 3, 4, 5].map((r) => [0, 1, 2].map((c) => (r === 1 ? 0 : [2, 1, 2, 5, 1, 0].reduce((acc, id, i) => acc + (id === r ? expected[i][c] : 0), 0))));
        assert.ok(maxAbsDiff(gOwn, tf.tensor2d(want)) < 1e-6, 'scatter gradient');
        if (backend === 'cpu') {
          const gBuiltin = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), up)))(table);
          const noPad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t, ids), up)))(table);
          assert.ok(maxAbsDiff(noPad, gBuiltin) < 1e-6, 'equals the built-in gather gradient without padding_idx');
        }
      });
      tf.dispose([table, ids]);
    });

    it('geluErf matches 0.5·x·(1+erf(x/√2)) at known points and its closed-form gradient matches autodiff', function () {
      // Reference values of x·Φ(x) in float64.
      const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
      const want = [-0.0040496598, -0.1586552539, -0.1542687694, 0, 0.3457312306, 0.8413447461, 2.9959503402];
      const got = tf.tidy(() => Array.from(geluErf(tf.tensor1d(xs)).dataSync()));
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 5e-7, `gelu(${xs[i]}) = ${v}, want ${want[i]}`));
      const x = tf.randomNormal([50], 0, 2, 'float32', 9);
      compareWithGrads(geluErf, (t) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2)))), [x], 1e-5);
      x.dispose();
    });

    it('layerNorm (closed-form backward) equals the autodiff of the textbook formula', function () {
      const x = tf.randomNormal([7, 8], 1, 3, 'float32', 10);
      const g = tf.randomNormal([8], 1, 0.5, 'float32', 11);
      const b = tf.randomNormal([8], 0, 0.5, 'float32', 12);
      const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), gg), bb);
      };
      compareWithGrads((xx, gg, bb) => layerNorm(xx, gg, bb, 1e-5), ref, [x, g, b], 2e-5);
      tf.dispose([x, g, b]);
    });

    it('dropout is inverted, seeded and reproducible; identity without an rng', function () {
      tf.tidy(() => {
        const x = tf.ones([2000]);
        const a = dropout(x, 0.25, new SeedStream(42)).dataSync();
        const b = dropout(x, 0.25, new SeedStream(42)).dataSync();
        const c = dropout(x, 0.25, new SeedStream(43)).dataSync();
        assert.deepEqual(Array.from(a), Array.from(b), 'same seed, same mask');
        assert.notDeepEqual(Array.from(a), Array.from(c), 'other seed, other mask');
        const kept = Array.from(a).filter((v) => v !== 0);
        assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6), 'survivors scaled by 1/(1-p)');
        assert.ok(Math.abs(kept.length / 2000 - 0.75) < 0.04, `keep rate ${kept.length / 2000}`);
        assert.equal(dropout(x, 0.25, undefined), x);
      });
    });

    it('leaves no tensors behind', function () {
      const before = tf.memory().numTensors;
      const a = tf.randomNormal([4, 4], 0, 1, 'float32', 1);
      const ids = tf.tensor1d([0, 1, 1], 'int32');
      tf.tidy(() => {
        tf.grads((x: tf.Tensor) => tf.sum(matMul(x, x, false, true)))([a]);
        tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t, ids, 1)))(a);
      });
      tf.dispose([a, ids]);
      assert.equal(tf.memory().numTensors, before);
    });
  });
}

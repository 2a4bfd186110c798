// The low-memory gradient (kernel/engine/grads.ts) gives tf.variableGrads' numbers bit for bit and frees as
// it goes; the wasm Identity override shares buffers and keeps values intact.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { variableGradsLowMemory } from '../../kernel/engine/grads';
import { dense, dropout, geluErf, layerNorm, SeedStream } from '../../kernel/engine/ops';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`engine/grads (${backend})`, function () {
    let prev: string;
    before(async () => { prev = tf.getBackend(); await initBackend(backend, 'flag'); });
    after(async () => { if (prev) await tf.setBackend(prev); });

    // A small net with what the bi-encoder uses: dense, LayerNorm, GELU, dropout, a tensor used twice
    // (h feeds two branches), a frozen variable and a variable that gets no gradient.
    function net() {
      const w1 = tf.variable(tf.randomNormal([8, 4], 0, 0.5, 'float32', 1), true, 'g_w1');
      const b1 = tf.variable(tf.zeros([8]), true, 'g_b1');
      const g = tf.variable(tf.ones([8]), true, 'g_g');
      const beta = tf.variable(tf.zeros([8]), true, 'g_beta');
      const w2 = tf.variable(tf.randomNormal([3, 8], 0, 0.5, 'float32', 2), true, 'g_w2');
      const b2 = tf.variable(tf.zeros([3]), true, 'g_b2');
      const frozen = tf.variable(tf.randomNormal([8], 0, 1, 'float32', 3), false, 'g_frozen');
      const unused = tf.variable(tf.zeros([2]), true, 'g_unused');
      const vars = [w1, b1, g, beta, w2, b2, frozen, unused];
      const x = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
      const loss = () => {
        const rng = new SeedStream(7);
        const h = dense(x as tf.Tensor2D, w1, b1); // [5, 8]
        const a = tf.add(geluErf(layerNorm(h, g, beta, 1e-5)), tf.mul(h, frozen)); // h used twice
        const y = dense(dropout(a, 0.2, rng) as tf.Tensor2D, w2, b2); // [5, 3]
        return tf.mean(tf.square(y)) as tf.Scalar;
      };
      return { vars, x, loss, dispose: () => tf.dispose([...vars, x]) };
    }

    it('matches tf.variableGrads bit for bit, names the same variables, and leaks nothing', () => {
      const n = net();
      const ref = tf.variableGrads(n.loss, n.vars);
      const before = tf.memory().numTensors;
      const low = variableGradsLowMemory(n.loss, n.vars);
      assert.deepEqual(Object.keys(low.grads).sort(), Object.keys(ref.grads).filter((k) => ref.grads[k] != null).sort());
      assert.ok(!('g_frozen' in low.grads) && !('g_unused' in low.grads), 'no gradient for the frozen or unused variable');
      assert.equal(low.value.dataSync()[0], ref.value.dataSync()[0]);
      for (const k of Object.keys(low.grads)) assert.deepEqual(Array.from(low.grads[k].dataSync()), Array.from(ref.grads[k]!.dataSync()), k);
      const created = 1 + Object.keys(low.grads).length;
      assert.equal(tf.memory().numTensors, before + created, 'only the value and the gradients outlive the call');
      tf.dispose([low.value, ...Object.values(low.grads), ref.value, ...Object.values(ref.grads).filter((t): t is tf.Tensor => t != null)]);
      n.dispose();
    });

    it('with a sink: each gradient is handed over once, complete (the same bits), then freed; nothing is returned', () => {
      const n = net();
      const ref = tf.variableGrads(n.loss, n.vars);
      const before = tf.memory().numTensors;
      const got = new Map<string, number[]>();
      const low = variableGradsLowMemory(n.loss, n.vars, (v, g) => {
        assert.ok(!got.has(v.name), `${v.name} handed over twice`);
        got.set(v.name, Array.from(g.dataSync()));
      });
      assert.deepEqual(Object.keys(low.grads), [], 'the sink took them all');
      assert.deepEqual([...got.keys()].sort(), Object.keys(ref.grads).filter((k) => ref.grads[k] != null).sort());
      for (const [k, g] of got) assert.deepEqual(g, Array.from(ref.grads[k]!.dataSync()), k);
      assert.equal(tf.memory().numTensors, before + 1, 'only the value outlives the call');
      tf.dispose([low.value, ref.value, ...Object.values(ref.grads).filter((t): t is tf.Tensor => t != null)]);
      n.dispose();
    });

    it('holds less at its peak than tf.variableGrads (tf.profile peakBytes)', async () => {
      const n = net();
      const peak = async (f: () => { value: tf.Scalar; grads: tf.NamedTensorMap }) => {
        const info = await tf.profile(() => { const r = f(); tf.dispose([r.value, ...Object.values(r.grads).filter((t): t is tf.Tensor => t != null)]); });
        return info.peakBytes;
      };
      const ref = await peak(() => tf.variableGrads(n.loss, n.vars) as { value: tf.Scalar; grads: tf.NamedTensorMap });
      const low = await peak(() => variableGradsLowMemory(n.loss, n.vars));
      assert.ok(low < ref, `peak ${low} B, tf.variableGrads ${ref} B`);
      n.dispose();
    });
  });
}

describe('engine/wasmKernels', function () {
  let prev: string;
  before(async () => { prev = tf.getBackend(); await initBackend('wasm', 'flag'); });
  after(async () => { if (prev) await tf.setBackend(prev); });

  it('a clone shares the buffer on wasm and keeps its values after the original is disposed', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const buffersBefore = tf.memory().numDataBuffers;
    const y = x.clone();
    assert.equal(tf.memory().numDataBuffers, buffersBefore, 'no new buffer for the clone');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
    y.dispose();
  });
});

// BatchMatMul through onnxruntime (kernel/engine/ortMatMul.ts) against tfjs's own kernel, on wasm and cpu:
// every transpose combination, batched, broadcast, tiny and zero-size shapes, the fallback and no leaks.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import * as ortMatMul from '../../kernel/engine/ortMatMul';
import { configureMatMul, matMulCounts, ORT_MIN_MACS, ORT_MIN_MACS_CPU } from '../../kernel/engine/ortMatMul';
import { loadSyncOrt } from '../../kernel/engine/ortBinding';
import { skipBecause } from '../support/skip';

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let x = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

/** [shapeA, shapeB] before transposes; transposed operands are built by swapping the last two dims. */
const CASES: Array<{ name: string; a: number[]; b: number[] }> = [
  { name: '2-D', a: [64, 48], b: [48, 40] },
  { name: 'batched rank 4 (attention-like)', a: [4, 3, 32, 16], b: [4, 3, 16, 24] },
  { name: 'broadcast batch of 1 on a', a: [1, 32, 64], b: [5, 64, 32] },
  { name: 'broadcast rank-3 × rank-2', a: [5, 32, 64], b: [64, 32] },
];

function operand(shape: number[], transpose: boolean, seed: number): tf.Tensor {
  const t = tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);
  if (!transpose) return t;
  const perm = shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** The product with the given matmul engine, as plain data (`minMacs` '1': every non-empty product on ORT). */
async function product(kind: 'wasm' | 'cpu', engine: 'ort' | 'tfjs', c: { a: number[]; b: number[] }, tA: boolean, tB: boolean, minMacs = '1') {
  await configureMatMul(kind, { EMPATHY_MATMUL: engine, EMPATHY_MATMUL_MIN_MACS: minMacs });
  const y = tf.tidy(() => tf.matMul(operand(c.a, tA, 1), operand(c.b, tB, 2), tA, tB));
  try {
    return { shape: y.shape, data: await y.data() };
  } finally {
    y.dispose();
  }
}

for (const kind of ['wasm', 'cpu'] as const) {
  describe(`engine/ortMatMul on ${kind}`, function () {
    let prev: string;
    const prevEnv = process.env.EMPATHY_MATMUL;
    before(async function () {
      const ort = loadSyncOrt();
      if ('reason' in ort) skipBecause(this, `onnxruntime's synchronous binding is not usable here: ${ort.reason}`);
      prev = tf.getBackend();
      delete process.env.EMPATHY_MATMUL;
      const info = await initBackend(kind, 'flag');
      assert.match(info.matmul ?? '', /^onnxruntime \d+\.\d+\.\d+ MLAS$/, `matmul line: ${info.matmul}`);
    });
    after(async () => {
      if (prevEnv === undefined) delete process.env.EMPATHY_MATMUL; else process.env.EMPATHY_MATMUL = prevEnv;
      await configureMatMul(kind);
      if (prev) await tf.setBackend(prev);
    });

    for (const c of CASES) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          it(`${c.name} ${JSON.stringify(c.a)} × ${JSON.stringify(c.b)}, transposeA=${tA}, transposeB=${tB}: ORT equals tfjs`, async function () {
            const before = tf.memory().numTensors;
            const ref = await product(kind, 'tfjs', c, tA, tB);
            const ortBefore = matMulCounts.ort;
            const got = await product(kind, 'ort', c, tA, tB);
            assert.equal(matMulCounts.ort, ortBefore + 1, 'the product ran on onnxruntime');
            assert.deepEqual(got.shape, ref.shape);
            let worst = 0;
            for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - ref.data[i]));
            // Sums of ≤ 64 products of values in [-1, 1): float32 summation order differs by ~1e-6.
            assert.ok(worst < 1e-4, `max |ORT − tfjs| = ${worst}`);
            assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
          });
        }
      }
    }

    it('a tiny product stays on tfjs (ORT call overhead) and is still right', async function () {
      const c = { a: [2, 3], b: [3, 4] };
      assert.ok(2 * 3 * 4 < Math.min(ORT_MIN_MACS, ORT_MIN_MACS_CPU));
      const ref = await product(kind, 'tfjs', c, false, false);
      const counts = { ...matMulCounts };
      const got = await product(kind, 'ort', c, false, false, '');
      assert.equal(matMulCounts.ort, counts.ort);
      assert.equal(matMulCounts.tfjs, counts.tfjs + 1);
      assert.deepEqual([...got.data], [...ref.data]);
    });

    it('a zero-size batch gives tfjs\'s empty result', async function () {
      const c = { a: [0, 32, 64], b: [0, 64, 32] };
      const ref = await product(kind, 'tfjs', c, false, false);
      const got = await product(kind, 'ort', c, false, false); // (wasm's Transpose cannot build an empty transposed operand)
      assert.deepEqual(got.shape, [0, 32, 32]);
      assert.deepEqual(got.shape, ref.shape);
      assert.equal(got.data.length, 0);
    });

    it('gradients through a transposed matMul match tfjs\'s', async function () {
      const grads = async (engine: 'ort' | 'tfjs') => {
        await configureMatMul(kind, { EMPATHY_MATMUL: engine });
        const a = tf.tensor(values(4 * 32 * 48, 3), [4, 32, 48]);
        const b = tf.tensor(values(4 * 40 * 48, 4), [4, 40, 48]);
        try {
          const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, false, true).square().sum())([a, b]);
          const out = await Promise.all(g.map((t) => t.data()));
          tf.dispose(g);
          return out;
        } finally {
          tf.dispose([a, b]);
        }
      };
      const ref = await grads('tfjs');
      const got = await grads('ort');
      for (let j = 0; j < 2; j++) {
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < ref[j].length; i++) {
          worst = Math.max(worst, Math.abs(got[j][i] - ref[j][i]));
          scale = Math.max(scale, Math.abs(ref[j][i]));
        }
        assert.ok(worst <= 1e-5 * scale, `gradient ${j}: max |ORT − tfjs| = ${worst} (scale ${scale})`);
      }
    });

    it('an onnxruntime error mid-run switches to tfjs\'s kernel with the reason, and the op still answers', async function () {
      const c = { a: [4, 32, 64], b: [4, 64, 32] };
      const ref = await product(kind, 'tfjs', c, false, false);
      const ort = loadSyncOrt();
      if ('reason' in ort) throw new Error(ort.reason);
      const saved = ort.Tensor;
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        ort.Tensor = class { constructor() { throw new Error('simulated binding failure'); } } as never;
        const got = await product(kind, 'ort', c, false, false);
        assert.deepEqual([...got.data], [...ref.data]);
        assert.match(ortMatMul.ortMatMulFailure ?? '', new RegExp(`onnxruntime matmul failed on ${kind}.*simulated binding failure`));
        await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
        assert.ok(warnings.some((w) => /simulated binding failure/.test(w)), 'said on stderr (process warning)');
      } finally {
        ort.Tensor = saved;
        process.off('warning', onWarning);
      }
      const again = await product(kind, 'ort', c, false, false); // configureMatMul turns it back on
      assert.equal(again.data.length, ref.data.length);
    });

    it('EMPATHY_MATMUL=tfjs turns it off and says so; a bad value names the variable', async function () {
      assert.deepEqual(await configureMatMul(kind, { EMPATHY_MATMUL: 'tfjs' }), { engine: 'tfjs', reason: 'EMPATHY_MATMUL=tfjs' });
      await assert.rejects(configureMatMul(kind, { EMPATHY_MATMUL: 'blas' }), /EMPATHY_MATMUL=blas: expected ort or tfjs/);
      await assert.rejects(configureMatMul(kind, { EMPATHY_WASM_THREADS: '0' }), /EMPATHY_WASM_THREADS must be a whole number ≥ 1, got "0"/);
      await assert.rejects(configureMatMul(kind, { EMPATHY_MATMUL_MIN_MACS: '-1' }), /EMPATHY_MATMUL_MIN_MACS=-1: expected a non-negative integer/);
    });
  });
}

// The tagger (the offline default's tensor half) exported to ONNX and run by onnxruntime: its logits equal
// the tfjs forward for random networks (seeker mask and segment pooling on and off, padded batches), and
// the shipped offline-default model predicts the same levels and probabilities through both engines.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { INFERENCE_ENV, loadOrt, resolveInference } from '../../kernel/engine/onnx/runtime';
import type { Pair, PairPrediction } from '../../kernel/engine/types';
import { loadModel } from '../../kernel/models/families';
import { hasShippedModel, shippedModelPath } from '../../kernel/models/shipped';
import { resolveTaggerConfig } from '../../kernel/models/tagger/config';
import { TaggerNetwork } from '../../kernel/models/tagger/network';
import { TaggerOnnx } from '../../kernel/models/tagger/onnxInference';
import { makeBatch, toExamples, WordVocab } from '../../kernel/models/tagger/vocab';
import { toyPairs } from '../engine/toyData';
import { skipBecause } from '../support/skip';
import { withEnv } from '../support/withEnv';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN-propagating
  }
  return m;
}

describe('models/tagger: the ONNX export run by onnxruntime', function () {
  this.timeout(300_000);
  let prevBackend: string;

  before(async function () {
    const ort = loadOrt();
    if ('error' in ort) skipBecause(this, `onnxruntime-node does not load here: ${ort.error}`);
    prevBackend = tf.getBackend();
    await initBackend('cpu', 'flag');
  });
  after(async () => {
    if (prevBackend) await tf.setBackend(prevBackend);
  });

  for (const [seekerMask, segmentPooling] of [[true, false], [false, true]] as const) {
    it(`logits equal the tfjs forward (seekerMask ${seekerMask}, segmentPooling ${segmentPooling}; 7 pairs of varied lengths)`, async () => {
      const cfg = resolveTaggerConfig({ embedDim: 16, hidden: 12, headHidden: 10, charBuckets: 64, maxLen: 24, seekerMask, segmentPooling });
      const pairs = toyPairs(7, 3);
      const vocab = new WordVocab(['<pad>', '<unk>', 'i', 'so', 'sorry', 'that', 'sounds', 'hope', 'you', 'feel', 'what', 'my']);
      const net = new TaggerNetwork(cfg, { vocabSize: vocab.size, mechanisms: ['ER', 'IP', 'EX'] }, 5);
      const info = resolveInference({ [INFERENCE_ENV]: 'onnx', EMPATHY_INFERENCE_THREADS: '1' });
      assert.equal(info.engine, 'onnxruntime');
      const runner = await TaggerOnnx.create(net, info as Extract<typeof info, { engine: 'onnxruntime' }>);
      try {
        const b = makeBatch(toExamples(pairs, cfg.maxLen, []), vocab, cfg, []);
        assert.ok(b.mask.some((m) => m === 0), 'the batch has padding');
        const got = await runner.forward(b);
        const ref = tf.tidy(() => {
          const f = net.forward(b);
          return { level: Object.fromEntries(net.shape.mechanisms.map((m) => [m, f.levelLogits[m]!.dataSync()])), rationale: f.rationaleLogits.dataSync() };
        });
        for (const m of net.shape.mechanisms) assert.ok(maxAbsDiff(got.level[m]!, ref.level[m]) <= 1e-5, `${m} level logits differ by ${maxAbsDiff(got.level[m]!, ref.level[m])}`);
        assert.ok(maxAbsDiff(got.rationale, ref.rationale) <= 1e-5, `rationale logits differ by ${maxAbsDiff(got.rationale, ref.rationale)}`);
      } finally {
        await runner.release();
        net.dispose();
      }
    });
  }

  it('the shipped offline-default model: same levels, probabilities within 1e-5, through onnxruntime and tfjs', async function () {
    if (!hasShippedModel()) skipBecause(this, 'no shipped model in dataset/models (npm run model:build writes it)');
    const pairs: Pair[] = toyPairs(40, 9).map(({ id, seekerPost, responsePost }) => ({ id, seekerPost, responsePost }));
    const run = (engine: string) => withEnv(INFERENCE_ENV, engine, async () => {
      const m = await loadModel(shippedModelPath());
      try {
        const preds = await m.predict(pairs, { batchSize: 16 });
        return { preds, inference: (m as unknown as { tagger: { inference?: { engine: string } } }).tagger.inference };
      } finally {
        m.dispose();
      }
    });
    const onnx = await run('onnx');
    const tfjs = await run('tfjs');
    assert.equal(onnx.inference?.engine, 'onnxruntime');
    assert.equal(tfjs.inference?.engine, 'tfjs');
    onnx.preds.forEach((p: PairPrediction, i) => {
      for (const [m, a] of Object.entries(p.mechanisms)) {
        const b = tfjs.preds[i].mechanisms[m as 'ER']!;
        assert.equal(a!.level, b.level, `pair ${i} ${m}`);
        assert.ok(maxAbsDiff(a!.probs, b.probs) <= 1e-5, `pair ${i} ${m} probs ${a!.probs} vs ${b.probs}`);
        assert.ok(maxAbsDiff(a!.tokens.map((t) => t.prob), b.tokens.map((t) => t.prob)) <= 1e-5, `pair ${i} ${m} token probs`);
      }
    });
  });
});

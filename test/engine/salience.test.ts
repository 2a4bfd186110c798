// Gradient × input salience of the bi-encoder: one value per predicted token in [0, 1], the raw values
// agree with finite differences of the level logit, padding and specials get nothing, no tensor leaks.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { train } from '../../kernel/models';
import type { BiEncoderModel } from '../../kernel/models/bi-encoder/biEncoderModel';
import { collate, encodePairs } from '../../kernel/models/bi-encoder/encode';
import { biEncoderRawSalience } from '../../kernel/models/bi-encoder/salience';
import { toyConfig, toyPairs } from './toyData';

describe('engine/salience (bi-encoder)', function () {
  this.timeout(120_000);
  let model: BiEncoderModel;
  before(async () => {
    model = (await train({ ...toyConfig, epochs: 1 }, { train: toyPairs(16) })).model as BiEncoderModel;
  });
  after(() => model.dispose());

  it('gives one value in [0, 1] per predicted response token, the largest 1', async () => {
    const pair = toyPairs(3, 7)[0];
    const [pred] = await model.predict([pair]);
    const sal = await model.salience(pair, 'ER');
    assert.equal(sal.length, pred.mechanisms.ER!.tokens.length);
    assert.ok(sal.every((x) => x >= 0 && x <= 1), JSON.stringify(sal));
    assert.equal(Math.max(...sal), 1);
    // The log-prob target and an explicit level are accepted and normalised the same way.
    const other = await model.salience(pair, 'ER', { level: 2, target: 'logprob' });
    assert.equal(other.length, sal.length);
    assert.equal(Math.max(...other), 1);
  });

  it('has no entry for <s>, </s> or padding; a response cut at max_len gives max_len − 2 values', async () => {
    const long = { id: 'long', seekerPost: 'hi', responsePost: Array.from({ length: 40 }, () => 'I am so sorry').join(' ') };
    assert.equal((await model.salience(long, 'ER')).length, model.maxLen - 2);
    const pair = toyPairs(1, 2)[0];
    const { examples } = encodePairs([pair], model.tokenizer, { maxLen: model.maxLen });
    const n = examples[0].rpIds.length;
    assert.ok(n < model.maxLen, 'the toy response is padded');
    const raw = biEncoderRawSalience(model, collate(examples, model.maxLen, model.tokenizer.padId), 'ER');
    // Padding is masked out of every attention, so nothing there reaches the logit.
    for (let t = n; t < model.maxLen; t++) assert.equal(raw.values[t], 0, `padding position ${t}`);
    assert.ok(raw.values[0] > 0, '<s> feeds the level head (and is left out of the public vector)');
    assert.equal((await model.salience({ id: 'e', seekerPost: 'hi', responsePost: '' }, 'ER')).length, 0);
  });

  it('agrees with a finite difference of the level logit along each token\'s sign(g ⊙ e) ⊙ e', () => {
    const pair = toyPairs(1, 4)[0];
    const { examples } = encodePairs([pair], model.tokenizer, { maxLen: model.maxLen });
    const batch = collate(examples, model.maxLen, model.tokenizer.padId);
    const raw = biEncoderRawSalience(model, batch, 'ER');
    const T = batch.seqLen;
    const H = model.net.cfg.encoder.hidden;
    const logitAt = (x: Float32Array): number => tf.tidy(() =>
      model.net.forward(batch, { training: false, responseEmbeds: tf.tensor2d(x, [T, H]) }).levelLogits.ER!.dataSync()[raw.level]);
    // The precomputed-embeddings entry reproduces the ordinary forward pass.
    const plain = tf.tidy(() => model.net.forward(batch, { training: false }).levelLogits.ER!.dataSync()[raw.level]);
    assert.ok(Math.abs(logitAt(raw.embeds) - plain) < 1e-5, `${logitAt(raw.embeds)} vs ${plain}`);
    const eps = 0.05; // relative to the embedding: the first-order term dominates (checked 0.01–0.2)
    for (const t of [1, 2, 3]) {
      // Moving token t's embedding by ε·sign(g⊙e)⊙e changes the logit by ε·Σ|g⊙e| to first order.
      const plus = Float32Array.from(raw.embeds), minus = Float32Array.from(raw.embeds);
      for (let d = 0; d < H; d++) {
        const i = t * H + d;
        const step = eps * Math.sign(raw.grad[i] * raw.embeds[i]) * raw.embeds[i];
        plus[i] += step;
        minus[i] -= step;
      }
      const fd = (logitAt(plus) - logitAt(minus)) / (2 * eps);
      assert.ok(raw.values[t] > 0);
      assert.ok(Math.abs(fd - raw.values[t]) <= 0.02 * raw.values[t], `token ${t}: finite difference ${fd} vs |g⊙e| ${raw.values[t]}`);
    }
  });

  it('leaves no tensor behind', async () => {
    const pair = toyPairs(2, 9)[1];
    await model.salience(pair, 'ER'); // warm-up (backend kernels, lazily created constants)
    const before = tf.memory().numTensors;
    await model.salience(pair, 'ER');
    await model.salience(pair, 'ER', { target: 'logprob', level: 0 });
    assert.equal(tf.memory().numTensors, before);
  });
});

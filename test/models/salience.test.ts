// Salience of the tagger (gradient × input on word + char n-gram embeddings, checked against a finite
// difference), the ensemble (delegates to its tagger) and the linear model (|weight × tf-idf| per token,
// not a gradient): one value per predicted token in [0, 1], max 1, no tensor left behind.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import type { EmpathyModel } from '../../kernel/engine/model';
import type { Mechanism, Pair } from '../../kernel/engine/types';
import { trainEnsemble, type EnsembleModel } from '../../kernel/models/ensemble/ensembleModel';
import { featureOccurrences, linearRawAttribution } from '../../kernel/models/linear/salience';
import { trainLinear, type LinearModel } from '../../kernel/models/linear/linearModel';
import { taggerRawSalience } from '../../kernel/models/tagger/salience';
import { makeBatch, toExamples } from '../../kernel/models/tagger/vocab';
import { toyPairs } from './toy';

const tagger = { backend: 'cpu' as const, embedDim: 8, hidden: 8, headHidden: 8, charBuckets: 32, vocabSize: 100, minCount: 1, dropout: 0, epochs: 2, batchSize: 18, maxLen: 16, seed: 3 };

async function checkVector(model: EmpathyModel, pair: Pair, m: Mechanism): Promise<number[]> {
  const [pred] = await model.predict([pair]);
  const sal = await model.salience!(pair, m);
  assert.equal(sal.length, pred.mechanisms[m]!.tokens.length, `${model.family} ${m}: one value per token`);
  assert.ok(sal.every((x) => x >= 0 && x <= 1), `${model.family} ${m}: ${JSON.stringify(sal)}`);
  assert.equal(Math.max(...sal), 1, `${model.family} ${m}: normalised by the max`);
  return sal;
}

describe('models/salience', function () {
  this.timeout(300_000);
  let ens: EnsembleModel;
  const pair = toyPairs(3, 21)[2];
  before(async () => {
    await initBackend('cpu');
    ens = (await trainEnsemble({ linear: { C: 1 }, tagger }, { train: toyPairs(36, 7) })).model as EnsembleModel;
  });
  after(() => ens?.dispose());

  it('the tagger, the ensemble and the linear model each return one value per predicted token', async () => {
    for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
      await checkVector(ens.tagger, pair, m);
      await checkVector(ens.linear, pair, m);
      await checkVector(ens, pair, m);
    }
    const long = { id: 'long', seekerPost: 'hi', responsePost: Array.from({ length: 30 }, () => 'so sorry').join(' ') };
    assert.equal((await ens.salience(long, 'ER')).length, tagger.maxLen);
    assert.deepEqual(await ens.tagger.salience({ id: 'e', seekerPost: 'hi', responsePost: '' }, 'ER'), []);
  });

  it('the ensemble is the tagger\'s gradient × input for the level the ensemble predicts', async () => {
    const [pred] = await ens.predict([pair]);
    for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
      const level = pred.mechanisms[m]!.level;
      assert.deepEqual(await ens.salience(pair, m), await ens.tagger.salience(pair, m, { level }));
    }
  });

  it('tagger: |g ⊙ x| agrees with a finite difference of the level logit (both GRU directions read the token)', () => {
    const t = ens.tagger;
    const raw = taggerRawSalience(t, pair, 'ER');
    const exs = toExamples([pair], t.maxLen, []);
    const b = makeBatch(exs, t.vocab, t.cfg, []);
    const E = t.cfg.embedDim;
    const L = exs[0].response.tokens.length;
    const x0 = tf.tidy(() => t.net.tokenInputs(b).dataSync() as Float32Array); // [2·R·T, E]
    const logitAt = (x: Float32Array): number => tf.tidy(() => t.net.forward(b, undefined, tf.tensor2d(x, [x.length / E, E])).levelLogits.ER!.dataSync()[raw.level]);
    // Perturb token k's embedding in both of its slots by ε·s ⊙ x, s = sign of the gradient × input:
    // first order ε·Σ|g ⊙ x|. The sign comes from a one-sided probe per dimension (no access to g here).
    const k = 0;
    const R = 2, r = 1;
    const slots = [(r * b.T + k) * E, (R * b.T + r * b.T + (L - 1 - k)) * E];
    const base = logitAt(x0);
    const sign = new Float32Array(E);
    for (let d = 0; d < E; d++) {
      const y = Float32Array.from(x0);
      for (const s of slots) y[s + d] *= 1.01;
      sign[d] = Math.sign(logitAt(y) - base);
    }
    const eps = 0.01;
    const plus = Float32Array.from(x0), minus = Float32Array.from(x0);
    for (const s of slots) for (let d = 0; d < E; d++) {
      plus[s + d] += eps * sign[d] * x0[slots[0] + d];
      minus[s + d] -= eps * sign[d] * x0[slots[0] + d];
    }
    const fd = (logitAt(plus) - logitAt(minus)) / (2 * eps);
    assert.ok(raw.values[k] > 0);
    assert.ok(Math.abs(fd - raw.values[k]) <= 0.02 * raw.values[k], `finite difference ${fd} vs |g⊙x| ${raw.values[k]}`);
  });

  it('linear: each token gets |weight × tf-idf| of the n-grams touching it (not a gradient)', async () => {
    const lin = ens.linear as LinearModel;
    const p = { id: 'x', seekerPost: 'hi', responsePost: 'I am so sorry, that sounds awful. what happened after that?' };
    const occ = featureOccurrences(lin.vectorizer, p.responsePost);
    assert.ok(occ.length > 0);
    for (const o of occ) {
      const f = lin.vectorizer.features[o.col];
      const span = p.responsePost.slice(o.start, o.end).toLowerCase();
      // A word n-gram spans its words; a char n-gram's characters lie inside its span (padding spaces aside).
      if (f.startsWith('w:')) assert.equal(span.replace(/[^\p{L}\p{N}_]+/gu, ' ').trim(), f.slice(2));
      else assert.ok(span.includes(f.slice(2).trim()), `${f} in "${span}"`);
    }
    const { level, values } = linearRawAttribution(lin, p, 'ER');
    const total = values.reduce((a, b) => a + b, 0);
    assert.ok(total > 0);
    // Removing every contribution of the features: a model with zero weights attributes nothing.
    const zero = { ...lin, heads: { ER: { ...lin.heads.ER!, W: new Float64Array(lin.heads.ER!.W.length) } } };
    assert.ok(linearRawAttribution(zero, p, 'ER', { level }).values.every((v) => v === 0));
    const sal = await lin.salience(p, 'ER');
    assert.equal(sal.length, (await lin.predict([p]))[0].mechanisms.ER!.tokens.length);
  });

  it('leaves no tensor behind (tagger and ensemble)', async () => {
    await ens.salience(pair, 'IP'); // warm-up
    const before = tf.memory().numTensors;
    await ens.salience(pair, 'IP');
    await ens.tagger.salience(pair, 'EX', { target: 'logprob', level: 2 });
    assert.equal(tf.memory().numTensors, before);
  });

  it('a linear model trained alone has salience too', async () => {
    const lin = (await trainLinear({ C: 1 }, { train: toyPairs(24, 3) })).model;
    await checkVector(lin, pair, 'EX');
  });
});

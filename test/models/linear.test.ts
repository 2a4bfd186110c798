// The linear baseline, step by step: TF-IDF features by hand, logistic regression on toy data,
// balanced class weights, the trained family, and a save/load round trip.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { charWbNgrams, TfidfVectorizer, wordNgrams } from '../../kernel/models/linear/tfidf';
import { csrFromRows, csrRow } from '../../kernel/models/linear/sparse';
import { balancedClassWeights, fitLogReg, predictProba } from '../../kernel/models/linear/logreg';
import { linearFromCheckpoint, loadLinear, trainLinear, type LinearModel } from '../../kernel/models/linear/linearModel';
import { segmentResponse } from '../../kernel/models/linear/rationale';
import { loadCheckpoint } from '../../kernel/engine/checkpoint';
import { loadModel } from '../../kernel/models/families';
import { toyPairs } from './toy';

describe('models/linear', () => {
  it('word n-grams: lowercase tokens of ≥ 2 word characters, then bigrams', () => {
    assert.deepEqual(wordNgrams('I feel SO sad', [1, 2]), ['w:feel', 'w:so', 'w:sad', 'w:feel so', 'w:so sad']);
  });

  it('char_wb n-grams: inside space-padded words, a short word counted once', () => {
    assert.deepEqual(charWbNgrams('Hi', [2, 3]), ['c: h', 'c:hi', 'c:i ', 'c: hi', 'c:hi ']);
    assert.deepEqual(charWbNgrams('a', [2, 5]), ['c: a', 'c:a ', 'c: a ']);
  });

  it('TF-IDF matches a hand computation (smooth idf, sublinear tf, L2 blocks joined to a unit row)', () => {
    // charMinDf 3 > 2 documents: no char n-gram survives, so only the word block counts.
    const cfg = { wordNgrams: [1, 1] as [number, number], charNgrams: [2, 5] as [number, number], wordMinDf: 1, charMinDf: 3, sublinearTf: true };
    const v = TfidfVectorizer.fit(['so so sad', 'so happy'], cfg);
    assert.deepEqual(v.features, ['w:happy', 'w:sad', 'w:so']);
    const idf = (df: number) => Math.log(3 / (1 + df)) + 1;
    const so = (1 + Math.log(2)) * idf(2);
    const sad = 1 * idf(1);
    const norm = Math.hypot(so, sad);
    const row = csrRow(v.transform(['so so sad']), 0);
    assert.ok(Math.abs(row[0]) < 1e-7);
    assert.ok(Math.abs(row[1] - sad / norm) < 1e-6);
    assert.ok(Math.abs(row[2] - so / norm) < 1e-6);
    // Unseen words are ignored; an empty row stays all zeros.
    assert.deepEqual([...csrRow(v.transform(['zebra']), 0)], [0, 0, 0]);
  });

  it('balanced class weights are n / (k · count)', () => {
    assert.deepEqual(balancedClassWeights([0, 0, 0, 1], 3), [4 / 9, 4 / 3, 0]);
  });

  it('logistic regression separates a separable toy set and its probabilities sum to 1', () => {
    // Feature c says class c.
    const rows = Array.from({ length: 30 }, (_, i) => new Map([[i % 3, 1]]));
    const x = csrFromRows(rows, 3);
    const y = Int32Array.from(rows, (_, i) => i % 3);
    const fit = fitLogReg(x, y, 3, { C: 10 });
    assert.ok(fit.converged, `converged in ${fit.iterations} iterations`);
    const p = predictProba(x, fit);
    for (let i = 0; i < 30; i++) {
      assert.ok(p[i * 3 + (i % 3)] > 0.8, `row ${i}`);
      assert.ok(Math.abs(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2] - 1) < 1e-9);
    }
  });

  it('balanced weights pull the boundary towards the rare class', () => {
    // One uninformative feature: the unweighted model predicts the majority, the balanced one is even.
    const rows = Array.from({ length: 40 }, () => new Map([[0, 1]]));
    const x = csrFromRows(rows, 1);
    const y = Int32Array.from(rows, (_, i) => (i < 30 ? 0 : i < 36 ? 1 : 2));
    const plain = predictProba(x, fitLogReg(x, y, 3, { C: 1, classWeight: 'none' }));
    const bal = predictProba(x, fitLogReg(x, y, 3, { C: 1, classWeight: 'balanced' }));
    assert.ok(plain[0] > 0.6);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(bal[c] - 1 / 3) < 0.02, `balanced p[${c}] = ${bal[c]}`);
  });

  describe('the linear family on toy data', () => {
    let model: LinearModel;
    const train = toyPairs(150, 1);
    const test = toyPairs(60, 2);
    before(async () => {
      const events: string[] = [];
      const r = await trainLinear({ cGrid: [0.3, 3], cvFolds: 3 }, { train }, { onEvent: (e) => events.push(e.type) });
      model = r.model as LinearModel;
      assert.equal(events[0], 'start');
      assert.equal(events[events.length - 1], 'end');
    });

    it('learns all three mechanisms jointly', async () => {
      const rep = await model.evaluate(test);
      for (const m of ['ER', 'IP', 'EX'] as const) assert.ok(rep.mechanisms[m]!.macroF1 > 0.9, `${m} macro-F1 ${rep.mechanisms[m]!.macroF1}`);
      // The sentence rationale model finds each mechanism's cue sentence.
      for (const m of ['ER', 'IP', 'EX'] as const) assert.ok(rep.mechanisms[m]!.rationale.positive.tokenF1 > 0.9, `${m} rationale token-F1 ${rep.mechanisms[m]!.rationale.positive.tokenF1}`);
    });

    it('rationales: every token of a sentence gets its probability, and only at predicted level > 0', async () => {
      const raw = await model.predictRaw(test.slice(0, 8));
      const gated = await model.predict(test.slice(0, 8));
      raw.forEach((p, i) => {
        const seg = segmentResponse(p.responsePost, 64, 'sentence');
        for (const m of ['ER', 'IP', 'EX'] as const) {
          const toks = p.mechanisms[m]!.tokens;
          for (const s of seg.segments) for (let t = s.from; t < s.to; t++) assert.equal(toks[t].prob, toks[s.from].prob);
          const g = gated[i].mechanisms[m]!;
          if (g.level === 0) assert.ok(g.tokens.every((t) => t.prob === 0) && g.spans.length === 0);
          else assert.deepEqual(g.tokens, toks);
        }
      });
    });

    it('a checkpoint without rationale tensors (older, or rationaleUnit none) loads with no rationale model', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h7-linear-')), 'old.pth');
      await model.save(file);
      const ck = await loadCheckpoint(file);
      for (const k of [...ck.tensors.keys()]) if (k.includes('.rationale.')) ck.tensors.delete(k);
      delete (ck.config as Record<string, unknown>).rationaleUnit;
      const old = linearFromCheckpoint(ck, file);
      assert.equal(old.cfg.rationaleUnit, 'none');
      const [a, b] = [await old.predict(test.slice(0, 4)), await model.predict(test.slice(0, 4))];
      a.forEach((p, i) => {
        for (const m of ['ER', 'IP', 'EX'] as const) {
          assert.deepEqual(p.mechanisms[m]!.probs, b[i].mechanisms[m]!.probs);
          assert.ok(p.mechanisms[m]!.tokens.every((t) => t.prob === 0));
        }
      });
    });

    it('exposes readable per-feature weights', () => {
      const top = model.topFeatures('EX', 2, 10).map((f) => f.feature);
      assert.ok(top.some((f) => /happen|what|\?/.test(f)), top.join(', '));
    });

    it('save → load (also through the engine registry) predicts identically', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h7-linear-')), 'sub', 'linear.pth');
      await model.save(file, { metrics: { note: 'test' } });
      const a = await model.predict(test);
      for (const loaded of [await loadLinear(file), await loadModel(file)]) {
        assert.equal(loaded.family, 'linear');
        assert.deepEqual(await loaded.predict(test), a);
        loaded.dispose();
      }
    });
  });
});

// Prediction and evaluation through the public API: levels + probabilities, token probabilities with
// offsets into the response, spans, truncation, batching invariance, progress and abort.
import assert from 'node:assert/strict';
import { extractSpans, type EmpathyModel } from '../../kernel/engine';
import { train } from '../../kernel/models';
import { toyConfig, toyPairs } from './toyData';

describe('engine/predict', function () {
  this.timeout(120_000);
  let model: EmpathyModel;
  before(async () => {
    ({ model } = await train({ ...toyConfig, epochs: 4 }, { train: toyPairs(48) }));
  });
  after(() => model.dispose());

  it('predicts a level, class probabilities and per-token rationale probabilities with offsets', async () => {
    const pairs = toyPairs(6, 3);
    const preds = await model.predict(pairs);
    assert.equal(preds.length, 6);
    preds.forEach((p, i) => {
      assert.equal(p.id, pairs[i].id);
      const er = p.mechanisms.ER!;
      assert.ok(Math.abs(er.probs[0] + er.probs[1] + er.probs[2] - 1) < 1e-5);
      assert.equal(er.level, er.probs.indexOf(Math.max(...er.probs)));
      assert.ok(er.tokens.length > 0 && !er.truncated);
      for (const t of er.tokens) {
        assert.equal(t.text, p.responsePost.slice(t.start, t.end));
        assert.ok(t.prob >= 0 && t.prob <= 1);
      }
      // Tokens cover the response's words in order.
      assert.equal(er.tokens.map((t) => t.text).join(' ').replace(/\s+/g, ''), p.responsePost.replace(/\s+/g, ''));
      for (const s of er.spans) assert.equal(s.text, p.responsePost.slice(s.start, s.end));
    });
  });

  it('learns where the toy rationales are (feeling words), fast', async () => {
    const r = await model.evaluate(toyPairs(30, 11));
    const er = r.mechanisms.ER!;
    assert.ok(er.rationale.positive.tokenF1 > 0.8, `token F1 on level > 0 rows: ${er.rationale.positive.tokenF1}`);
  });

  it('spans are maximal runs of tokens at or above the threshold', async () => {
    const text = 'so sorry for you';
    const toks = [
      { text: 'so', start: 0, end: 2, prob: 0.9 },
      { text: 'sorry', start: 3, end: 8, prob: 0.7 },
      { text: 'for', start: 9, end: 12, prob: 0.2 },
      { text: 'you', start: 13, end: 16, prob: 0.5 },
    ];
    assert.deepEqual(extractSpans(text, toks, 0.5), [
      { start: 0, end: 8, text: 'so sorry', score: 0.8 },
      { start: 13, end: 16, text: 'you', score: 0.5 },
    ]);
    assert.deepEqual(extractSpans(text, toks, 0.95), []);
    // Sub-word pieces widen to their whole word; two runs inside one word become one span.
    const word = 'That sounds discouraging. What happened?';
    const pieces = [
      { text: 'That', start: 0, end: 4, prob: 0.1 }, { text: ' sounds', start: 5, end: 11, prob: 0.1 },
      { text: ' disc', start: 12, end: 16, prob: 0.1 }, { text: 'ou', start: 16, end: 18, prob: 0.9 },
      { text: 'rag', start: 18, end: 21, prob: 0.2 }, { text: 'ing', start: 21, end: 24, prob: 0.7 },
      { text: '.', start: 24, end: 25, prob: 0.1 }, { text: ' What', start: 26, end: 30, prob: 0.6 },
      { text: ' happen', start: 31, end: 37, prob: 0.2 }, { text: 'ed', start: 37, end: 39, prob: 0.8 },
    ];
    assert.deepEqual(extractSpans(word, pieces, 0.5).map((s) => [s.text, s.score]), [['discouraging', 0.8], ['What', 0.6], ['happened', 0.8]]);
    const [p] = await model.predict(toyPairs(1), { threshold: 0 });
    const er = p.mechanisms.ER!;
    assert.equal(er.spans.length, 1);
    assert.equal(er.spans[0].start, er.tokens[0].start);
    assert.equal(er.spans[0].end, er.tokens[er.tokens.length - 1].end);
  });

  it('flags responses cut at max_len', async () => {
    const long = { id: 'long', seekerPost: 'hi', responsePost: Array.from({ length: 40 }, () => 'I am so sorry').join(' ') };
    const [p] = await model.predict([long]);
    assert.equal(p.mechanisms.ER!.truncated, true);
    assert.equal(p.mechanisms.ER!.tokens.length, model.maxLen - 2);
  });

  it('gives the same answers whatever the batch size, and reports progress', async () => {
    const pairs = toyPairs(9, 5);
    const seen: Array<[number, number | undefined]> = [];
    const a = await model.predict(pairs, { batchSize: 4, onProgress: (d, t) => seen.push([d, t]) });
    const b = await model.predict(pairs, { batchSize: 32 });
    assert.deepEqual(seen, [[0, 9], [4, 9], [8, 9], [9, 9]]);
    a.forEach((p, i) => {
      const x = p.mechanisms.ER!, y = b[i].mechanisms.ER!;
      x.probs.forEach((v, k) => assert.ok(Math.abs(v - y.probs[k]) < 1e-5));
      x.tokens.forEach((t, k) => assert.ok(Math.abs(t.prob - y.tokens[k].prob) < 1e-5));
    });
  });

  it('stops when aborted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(model.predict(toyPairs(4), { signal: ctl.signal }), (e: Error) => e.name === 'AbortError');
  });

  it('evaluates: loss and the full mechanism report', async () => {
    const dev = toyPairs(20, 9);
    const r = await model.evaluate(dev);
    assert.ok(Number.isFinite(r.loss) && r.loss > 0);
    const er = r.mechanisms.ER!;
    assert.equal(er.n, 20);
    assert.equal(er.confusion.flat().reduce((a, b) => a + b, 0), 20);
    assert.ok(er.macroF1 >= 0 && er.macroF1 <= 1);
    assert.ok(er.rationale.positive.tokenF1 >= 0 && er.rationale.positive.tokenF1 <= 1);
    assert.equal(er.paperFaithful.batchSize, 32);
    assert.equal(r.mechanisms.IP, undefined);
  });
});

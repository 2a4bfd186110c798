// Corrected rationale metrics and the original code's quirks, each on a hand-made case.
import { strict as assert } from 'node:assert';
import { iouF1, spanF1, spansOf, tokenF1 } from '../../kernel/metrics/rationales';
import { f1Rationale, flatAccuracyRationale, iouF1Original, originalLayout, originalSpans, paperFaithfulMetrics } from '../../kernel/metrics/paperFaithful';
import { mechanismEval } from '../../kernel/metrics/report';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('metrics/rationales (corrected)', () => {
  it('spansOf gives [start, end) runs, including one that reaches the end', () => {
    assert.deepEqual(spansOf([1, 1, 0, 0, 1]), [
      [0, 2],
      [4, 5],
    ]);
  });

  it('token F1 is pooled over the corpus, not averaged per row', () => {
    const items = [
      { gold: [1, 1, 1, 1], pred: [1, 1, 1, 1] }, // tp 4
      { gold: [1, 0], pred: [0, 1] }, // fp 1, fn 1
    ];
    close(tokenF1(items), (2 * 4) / (2 * 4 + 1 + 1));
  });

  it('IOU-F1 matches spans at IoU ≥ 0.5, one side counted per span; empty vs empty is perfect', () => {
    // gold one span [0,4); pred [0,2) (IoU .5) and [3,4) (IoU .25): P = 1/2, R = 1 → F1 2/3
    close(spanF1([1, 1, 1, 1], [1, 1, 0, 1]).f1, 2 / 3);
    close(spanF1([0, 0], [0, 0]).f1, 1);
    close(spanF1([0, 1], [0, 0]).f1, 0);
    close(iouF1([{ gold: [1, 1, 1, 1], pred: [1, 1, 0, 1] }, { gold: [0, 0], pred: [0, 0] }]), (2 / 3 + 1) / 2);
  });
});

describe('metrics/paperFaithful (the original conventions)', () => {
  it('quirk: a row without rationale is labelled 1 on every token and </s>', () => {
    const row = originalLayout([0, 0], [0, 0], false, 8);
    assert.deepEqual(row.label, [0, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('quirk: the scored length is the character length of the comma-joined labels (runs into padding)', () => {
    const row = originalLayout([1, 0, 0], [0, 0, 0], true, 16);
    assert.equal(row.len, '1,0,0,0'.length); // 7 slots, not 3 tokens
    // 1 wrong token out of 7 scored slots (3 tokens + </s> + 3 pads), not 1 of 3
    close(flatAccuracyRationale([row]), 6 / 7);
  });

  it('quirk: a span reaching the end of the slice loses its last token', () => {
    assert.deepEqual(originalSpans([0, 1, 1]), [[1, 2]]);
    assert.deepEqual(originalSpans([0, 1, 1, 0]), [[1, 3]]);
    // identical one-token spans at the end: the original scores 0, the corrected form 1
    const row = { label: [0, 0, 0, 0, 1], pred: [0, 0, 0, 0, 1], len: 4 };
    close(iouF1Original([row]), 0);
    close(spanF1([0, 0, 0, 1], [0, 0, 0, 1]).f1, 1);
  });

  it('IoU spans in the original: precision per predicted span, recall over gold spans', () => {
    // slice label [1,1,1,1,0] → gold [0,4); slice pred [1,1,0,1,1] → [0,2) and (end quirk) [3,4)
    // IoU .5 and .25 → tps 1: P = 1/2, R = 1/1 → F1 2/3
    const row = { label: [0, 1, 1, 1, 1, 0], pred: [0, 1, 1, 0, 1, 1, 0, 0], len: 5 };
    close(iouF1Original([row]), 2 / 3);
  });

  it('quirk: per-row binary F1 is 0 when neither side has a rationale token', () => {
    close(f1Rationale([{ label: [0, 0, 0], pred: [0, 0, 0], len: 2 }]), 0);
  });

  it('quirk: metrics are averaged over batches of 32, the last partial batch counting fully', () => {
    const rows = Array.from({ length: 33 }, (_, i) => ({ goldLevel: 1, predLevel: i < 32 ? 1 : 0, goldTokens: [1], predTokens: [1] }));
    const pf = paperFaithfulMetrics(rows);
    close(pf.accuracy, (1 + 0) / 2);
    const ev = mechanismEval('ER', rows);
    close(ev.accuracy, 32 / 33);
    close(ev.paperFaithful.accuracy, 0.5);
    assert.equal(ev.paperFaithful.batchSize, 32);
  });
});

describe('metrics/report', () => {
  it('reports rationale metrics on all rows and on level > 0 rows', () => {
    const rows = [
      { goldLevel: 0, predLevel: 0, goldTokens: [0, 0, 0], predTokens: [1, 1, 1] },
      { goldLevel: 2, predLevel: 2, goldTokens: [0, 1, 1], predTokens: [0, 1, 1] },
    ];
    const ev = mechanismEval('IP', rows);
    close(ev.rationale.positive.tokenF1, 1);
    close(ev.rationale.positive.iouF1, 1);
    close(ev.rationale.all.tokenF1, 4 / 7);
    close(ev.rationale.all.iouF1, 0.5);
    // paper-faithful: row 0 has no rationale → its gold is all ones, so "everything" scores well there
    const pf = ev.paperFaithful;
    assert.ok(pf.rationaleMacroF1 > 0.5, `got ${pf.rationaleMacroF1}`);
    assert.equal(ev.n, 2);
  });
});

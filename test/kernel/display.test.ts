// The display payload builders (shared MIME payloads, each with a text/plain fallback): loss curves
// from training events, confusion from an evaluation, rationale heatmaps from predictions, the
// dataset explorer from pairs, metrics and tables — checked against the shapes webviews validate.
import assert from 'node:assert/strict';
import { confusionPayload } from '../../kernel/payloads/confusion';
import { datasetPayload } from '../../kernel/payloads/dataset';
import { lossCurvePayload } from '../../kernel/payloads/lossCurve';
import { metricsPayload } from '../../kernel/payloads/metrics';
import { rationalesPayload, rationalesText } from '../../kernel/payloads/rationales';
import { tableFromValue } from '../../kernel/payloads/table';
import { installKernelContext } from '../../kernel/api/context';
import { display } from '../../kernel/api/display/index';
import type { EvalReport, LabeledPair, MechanismEval, PairPrediction, TrainEvent } from '../../kernel/engine/types';
import type { MimeBundle } from '../../kernel/protocol/mime';
import { labelOf } from '../../dataset/label';

const pair: LabeledPair = { id: 'p1', spId: 's1', seekerPost: 'I feel alone', responsePost: 'I am so sorry. Call a friend?', labels: { ER: labelOf('I am so sorry. Call a friend?', 2, ['I am so sorry']) } };
const prediction: PairPrediction = {
  id: 'p1', seekerPost: pair.seekerPost, responsePost: pair.responsePost,
  mechanisms: { ER: { level: 2, probs: [0.1, 0.2, 0.7], truncated: false, spans: [{ start: 0, end: 13, text: 'I am so sorry' }],
    tokens: [{ text: 'I', start: 0, end: 1, prob: 0.9 }, { text: ' am', start: 1, end: 4, prob: 0.8 }, { text: ' Call', start: 14, end: 19, prob: 0.1 }] } },
};
const mechEval: MechanismEval = {
  mechanism: 'ER', n: 4, accuracy: 0.75, macroF1: 0.7, kappa: 0.6, kappaQuadratic: 0.65,
  perClass: [0, 1, 2].map((l) => ({ level: l as 0 | 1 | 2, precision: 1, recall: 1, f1: 1, support: 1 })),
  confusion: [[1, 0, 0], [0, 1, 1], [0, 0, 1]],
  rationale: { all: { tokenF1: 0.5, iouF1: 0.25 }, positive: { tokenF1: 0.6, iouF1: 0.3 } },
  paperFaithful: { batchSize: 32, accuracy: 0.75, macroF1: 0.7, rationaleAccuracy: 0.9, rationaleMacroF1: 0.6, iouF1: 0.25 },
};
const report: EvalReport = { loss: 0.4, mechanisms: { ER: mechEval } };

describe('kernel/display payloads', () => {
  it('loss curve from training events (steps and per-epoch dev metrics)', () => {
    const events: TrainEvent[] = [
      { type: 'step', v: 1, step: 1, epoch: 0, loss: 1, lossLevel: 1.2, lossRationale: 0.8, lr: 1e-3, gradNorm: 1, examplesPerSec: 5 },
      { type: 'log', v: 1, level: 'info', message: 'ignored' },
      { type: 'epoch', v: 1, epoch: 0, step: 1, trainLoss: 1, dev: report },
    ];
    const p = lossCurvePayload({ events, id: 'r1', label: 'run 1' }, true);
    assert.equal(p.live, true);
    assert.deepEqual(p.runs[0].steps, [{ step: 1, epoch: 0, loss: 1, lossLevel: 1.2, lossRationale: 0.8, lr: 1e-3 }]);
    assert.equal(p.runs[0].epochs[0].metrics['ER.macroF1'], 0.7);
    assert.equal(lossCurvePayload(events).runs[0].id, 'run-1');
  });

  it('confusion with examples per cell; rationales with gold spans; dataset rows with spans', () => {
    const c = confusionPayload(report, { data: [pair], predictions: [prediction] });
    assert.deepEqual(c.mechanisms[0].matrix, mechEval.confusion);
    assert.equal(c.mechanisms[0].examples!['2,2'][0].id, 'p1');
    const r = rationalesPayload([prediction], { gold: [pair] });
    assert.deepEqual(r.items[0].mechanisms.ER!.goldSpans, [[0, 13]]);
    assert.equal(r.items[0].mechanisms.ER!.goldLevel, 2);
    // The text fallback shows the model's own spans (at its thresholds), not a fixed 0.5 cut.
    assert.deepEqual(r.items[0].mechanisms.ER!.spans, [[0, 13]]);
    assert.match(rationalesText(r), /ER level 2 \(gold 2\): \[I am so sorry\]/);
    const older = { ...r, items: r.items.map((it) => ({ ...it, mechanisms: { ER: { ...it.mechanisms.ER!, spans: undefined } } })) };
    assert.match(rationalesText(older), /ER level 2 \(gold 2\): \[I am\]/); // payloads without spans: tokens ≥ 0.5
    const d = datasetPayload([pair], { name: 'toy' });
    assert.deepEqual(d.rows[0], { id: 'p1', seekerPost: 'I feel alone', responsePost: pair.responsePost, levels: { ER: 2 }, spans: { ER: [[0, 13]] } });
  });

  it('metrics from an EvalReport or named series; tables from records', () => {
    const m = metricsPayload(report, { title: 'dev' });
    assert.deepEqual(m.columns, ['ER']);
    assert.deepEqual(m.rows.find((r) => r.name === 'macro-F1')!.values, [0.7]);
    const series = metricsPayload({ a: { f1: 0.5 }, b: { f1: 0.6, acc: 0.9 } });
    assert.deepEqual(series.rows, [{ name: 'f1', values: [0.5, 0.6] }, { name: 'acc', values: [null, 0.9] }]);
    const t = tableFromValue([{ x: 1, y: 'a' }, { x: 2 }], { maxRows: 1 })!;
    assert.deepEqual(t.payload, { v: 1, columns: ['x', 'y'], rows: [[1, 'a']], totalRows: 2 });
  });

  it('publishes through the kernel context; lossCurve handles update in place', () => {
    const got: Array<{ bundle: MimeBundle; displayId?: string; update?: boolean }> = [];
    installKernelContext({ publish: (bundle, o) => got.push({ bundle, ...o }), signal: () => undefined });
    try {
      const h = display.lossCurve([], { live: true });
      h.update([{ type: 'step', v: 1, step: 1, epoch: 0, loss: 1, lossLevel: 1, lossRationale: 1, lr: 1, gradNorm: 1, examplesPerSec: 1 }], false);
      display.confusion(mechEval);
      assert.equal(got.length, 3);
      assert.equal(got[1].displayId, h.displayId);
      assert.equal(got[1].update, true);
      assert.ok(got.every((g) => typeof g.bundle['text/plain'] === 'string'));
      assert.throws(() => display.table(42), /display\.table: expected/);
    } finally {
      installKernelContext(undefined);
    }
  });
});

// The metric catalogue is the one place metrics are named: cv, run records and loss curves flatten a
// report through it (each keeping the names it has always written), the metrics table and the CLI's text
// label through it, and every family's per-example rows come from one builder.
import { strict as assert } from 'node:assert';
import { flatMetrics } from '../../kernel/engine/cv';
import type { EvalReport, MechanismEval } from '../../kernel/engine/types';
import { flattenEval } from '../../kernel/runs/run';
import { runFromEvents } from '../../kernel/payloads/lossCurve';
import { metricsPayload } from '../../kernel/payloads/metrics';
import { fullReport, originalLines } from '../../kernel/cli/evalText';
import { METRICS, PAPER_METRICS, flattenReport } from '../../kernel/metrics/catalog';
import { evalRow } from '../../kernel/metrics/report';

const ER: MechanismEval = {
  mechanism: 'ER', n: 4, accuracy: 0.75, macroF1: 0.7, kappa: 0.6, kappaQuadratic: 0.65,
  perClass: [0, 1, 2].map((l) => ({ level: l as 0 | 1 | 2, precision: 1, recall: 1, f1: 1, support: 1 })),
  confusion: [[1, 0, 0], [0, 1, 1], [0, 0, 1]],
  rationale: { all: { tokenF1: 0.5, iouF1: 0.25 }, positive: { tokenF1: 0.6, iouF1: NaN } },
  paperFaithful: { batchSize: 32, accuracy: 0.74, macroF1: 0.69, rationaleAccuracy: 0.9, rationaleMacroF1: 0.55, iouF1: 0.2 },
};
const report: EvalReport = { loss: 0.4, mechanisms: { ER } };

describe('metrics/catalog: one name and one reader per metric', () => {
  it('cv names metrics by their path in the report, all eight', () => {
    assert.deepEqual(flatMetrics(report), {
      'ER.accuracy': 0.75, 'ER.macroF1': 0.7, 'ER.kappa': 0.6, 'ER.kappaQuadratic': 0.65,
      'ER.rationale.all.tokenF1': 0.5, 'ER.rationale.all.iouF1': 0.25, 'ER.rationale.positive.tokenF1': 0.6, 'ER.rationale.positive.iouF1': NaN,
    });
  });

  it('run records keep the recorded ones by key, finite only, with the loss', () => {
    assert.deepEqual(flattenEval('dev', report), {
      'dev.loss': 0.4, 'dev.ER.accuracy': 0.75, 'dev.ER.macroF1': 0.7, 'dev.ER.kappa': 0.6,
      'dev.ER.rationaleTokenF1': 0.5, 'dev.ER.rationaleIouF1': 0.25, 'dev.ER.rationaleTokenF1Positive': 0.6,
    });
    assert.deepEqual(flattenEval('test', { loss: NaN, mechanisms: {} }), {});
  });

  it('the loss curve draws the curve ones beside the dev loss', () => {
    const run = runFromEvents([{ type: 'epoch', v: 1, epoch: 1, step: 3, trainLoss: 0.9, dev: report }]);
    assert.deepEqual(run.epochs[0].metrics, { trainLoss: 0.9, loss: 0.4, 'ER.accuracy': 0.75, 'ER.macroF1': 0.7, 'ER.rationaleTokenF1': 0.5, 'ER.rationaleIouF1': 0.25 });
    assert.deepEqual(Object.keys(flattenReport(report, { which: (d) => !!d.curve })), ['ER.accuracy', 'ER.macroF1', 'ER.rationaleTokenF1', 'ER.rationaleIouF1']);
  });

  it('the metrics table and the CLI text label through the catalogue', () => {
    const p = metricsPayload(report);
    assert.deepEqual(p.rows.map((r) => r.name), [...METRICS.map((d) => d.label), 'n']);
    assert.deepEqual(p.rows.find((r) => r.name === 'rationale IOU F1 (level > 0)')!.values, [null]);
    const text = fullReport(ER);
    assert.match(text, /^ {4}accuracy {20}0\.7500 {5}0\.7400$/m);
    assert.match(text, /^ {4}Cohen's kappa {15}0\.6000$/m);
    assert.deepEqual(originalLines(ER).map((l) => l.split(':')[0].trim()), ['Accuracy-Empathy', 'macro_f1_empathy', 'Accuracy-Rationale', 'IOU-F1-Rationale', 'macro_f1_rationale']);
    assert.deepEqual(PAPER_METRICS.map((d) => d.get(ER)), [0.74, 0.69, 0.9, 0.55, 0.2]);
  });

  it('one per-example row builder: a rationale of blanks is no rationale', () => {
    assert.deepEqual(evalRow({ level: 2, rationales: ['so sorry'] }, { level: 1, probs: [0.1, 0.6, 0.3] }, { gold: [1, 0], pred: [1, 1] }),
      { goldLevel: 2, predLevel: 1, goldTokens: [1, 0], predTokens: [1, 1], probs: [0.1, 0.6, 0.3], hasRationale: true });
    assert.equal(evalRow({ level: 0, rationales: [' '] }, { level: 0 }, { gold: [0], pred: [0] }).hasRationale, false);
    assert.equal('probs' in evalRow({ level: 0, rationales: [] }, { level: 0 }, { gold: [], pred: [] }), false);
  });
});

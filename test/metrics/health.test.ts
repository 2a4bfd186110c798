// "This model has not learned yet": one-class predictions or near-uniform probabilities are flagged,
// and splits with fewer than 30 pairs of a mechanism say their metrics are noise.
import { strict as assert } from 'node:assert';
import type { Level, PairPrediction } from '../../kernel/engine/types';
import { evaluatePredictions } from '../../kernel/models/evaluate';
import { MIN_SPLIT_PAIRS, modelHealth, predictionHealth, reportNotes, smallSplitNotes } from '../../kernel/metrics/health';
import { metricsPayload, metricsText } from '../../kernel/payloads/metrics';
import { rationalesPayload } from '../../kernel/payloads/rationales';
import { labelOf } from '../../dataset/label';

const pair = (i: number, level: Level) => ({ id: `p${i}`, seekerPost: 'I feel alone.', responsePost: 'I am so sorry. What happened?', labels: { ER: labelOf('I am so sorry. What happened?', level, []) } });
const pred = (i: number, level: Level, probs: [number, number, number]): PairPrediction => ({
  id: `p${i}`, seekerPost: 'I feel alone.', responsePost: 'I am so sorry. What happened?',
  mechanisms: { ER: { level, probs, tokens: [{ text: 'I', start: 0, end: 1, prob: 0.1 }], spans: [], truncated: false } },
});

describe('metrics/health', () => {
  const gold = Array.from({ length: 40 }, (_, i) => pair(i, (i % 3) as Level));

  it('flags one-class predictions (from an EvalReport) and names the mechanism and level', () => {
    const preds = gold.map((_, i) => pred(i, 2, [0.1, 0.1, 0.8]));
    const h = modelHealth(evaluatePredictions(gold, preds, { maxLen: 64 }));
    assert.equal(h.learned, false);
    assert.match(h.message, /^this model has not learned yet \(ER: every pair predicted level 2\)/);
  });

  it('flags near-uniform probabilities (EvalReport and predictions), even when the argmax varies', () => {
    const preds = gold.map((_, i) => pred(i, (i % 3) as Level, [0.34, 0.33, 0.33]));
    const report = evaluatePredictions(gold, preds, { maxLen: 64 });
    assert.ok(Math.abs(report.mechanisms.ER!.meanTopProb! - 0.34) < 1e-9);
    assert.match(modelHealth(report).message, /ER: level probabilities near uniform, mean top probability 0\.34/);
    assert.match(predictionHealth(preds.slice(0, 1)).message, /not learned yet/);
  });

  it('says nothing about a model that separates the levels confidently', () => {
    const preds = gold.map((g, i) => pred(i, g.labels.ER.level, [0.8, 0.1, 0.1]));
    assert.deepEqual(reportNotes(evaluatePredictions(gold, preds, { maxLen: 64 })), []);
    assert.equal(predictionHealth(preds).learned, true);
  });

  it(`notes splits under ${MIN_SPLIT_PAIRS} pairs beside their metrics, in the notebook table too`, () => {
    const small = gold.slice(0, 6);
    const report = evaluatePredictions(small, small.map((g, i) => pred(i, g.labels.ER.level, [0.8, 0.1, 0.1])), { maxLen: 64 });
    assert.deepEqual(smallSplitNotes(report, 'the dev split'), ['ER: the dev split has 6 pairs (< 30): its metrics are noise, not a measurement']);
    const p = metricsPayload(report, { split: 'the dev split' });
    assert.deepEqual(p.warnings, ['ER: the dev split has 6 pairs (< 30): its metrics are noise, not a measurement']);
    assert.match(metricsText(p), /⚠ ER: the dev split has 6 pairs/);
  });

  it('the rationale heatmap payload carries the warning of an unlearned model', () => {
    const p = rationalesPayload(gold.slice(0, 5).map((_, i) => pred(i, 0, [0.34, 0.33, 0.33])));
    assert.equal(p.warnings?.length, 1);
    assert.match(p.warnings![0], /this model has not learned yet/);
  });
});

// The ensemble (offline-default): the probability average, the rationale gate (argmax level > 0 or
// P(level > 0) ≥ a minimum) and per-mechanism token thresholds, weight picking on out-of-fold
// probabilities, and the trained family's checkpoint and tensor ownership.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { loadModel } from '../../kernel/models/families';
import type { MechanismPrediction, PairPrediction } from '../../kernel/engine/types';
import { combinePredictions, rationaleShown } from '../../kernel/models/ensemble/combine';
import { defaultEnsembleConfig, defaultEnsembleWeights, resolveEnsembleConfig, softRationaleRule } from '../../kernel/models/ensemble/config';
import { evaluatePredictions } from '../../kernel/models/evaluate';
import { pickWeights, trainEnsemble, type EnsembleModel } from '../../kernel/models/ensemble/ensembleModel';
import { toyPairs } from './toy';
import { labelOf } from '../../dataset/label';

const mp = (probs: [number, number, number], tokenProb = 0.9): MechanismPrediction => ({
  level: probs.indexOf(Math.max(...probs)) as 0 | 1 | 2,
  probs,
  tokens: [{ text: 'so', start: 0, end: 2, prob: tokenProb }, { text: 'sorry', start: 3, end: 8, prob: 0.2 }],
  spans: [],
  truncated: false,
});
const pp = (er: MechanismPrediction): PairPrediction => ({ id: 'a', seekerPost: 's', responsePost: 'so sorry', mechanisms: { ER: er } });

describe('models/ensemble', function () {
  this.timeout(300000);

  it('averages level probabilities with weight w on the linear model (defaults chosen by CV)', () => {
    assert.deepEqual(defaultEnsembleWeights, { ER: 0.9, IP: 0.9, EX: 0.7 });
    const [out] = combinePredictions([pp(mp([0.2, 0.2, 0.6]))], [pp(mp([0.6, 0.4, 0]))], { ER: 0.75, IP: 0.75, EX: 0.75 });
    const er = out.mechanisms.ER!;
    [0.3, 0.25, 0.45].forEach((p, c) => assert.ok(Math.abs(er.probs[c] - p) < 1e-12));
    assert.equal(er.level, 2);
    // Rationales come from the tagger: its token probabilities, spans from them.
    assert.deepEqual(er.tokens.map((t) => t.prob), [0.9, 0.2]);
    assert.deepEqual(er.spans.map((s) => s.text), ['so']);
  });

  it('shows no rationale when the ensemble level is 0, even if the tagger marks tokens', () => {
    const [out] = combinePredictions([pp(mp([0.9, 0.05, 0.05]))], [pp(mp([0.1, 0.1, 0.8]))], { ER: 0.75, IP: 0.75, EX: 0.75 });
    assert.equal(out.mechanisms.ER!.level, 0);
    assert.ok(out.mechanisms.ER!.tokens.every((t) => t.prob === 0));
    assert.deepEqual(out.mechanisms.ER!.spans, []);
  });

  it('gates on P(level > 0) for the mechanisms given a minimum, on the argmax level for the others', () => {
    // Level 0 by argmax (0.45 > 0.3, 0.25) but P(level > 0) = 0.55: an argmax gate hides the rationale,
    // a 0.5 minimum shows it; the level itself stays 0 either way.
    const lin = [pp(mp([0.45, 0.3, 0.25]))];
    const tag = [pp(mp([0.45, 0.3, 0.25]))];
    const w = { ER: 0.5, IP: 0.5, EX: 0.5 };
    const argmaxGate = combinePredictions(lin, tag, w)[0].mechanisms.ER!;
    assert.equal(argmaxGate.level, 0);
    assert.deepEqual(argmaxGate.spans, []);
    const probGate = combinePredictions(lin, tag, w, { minPositiveProb: { ER: 0.5 } })[0].mechanisms.ER!;
    assert.equal(probGate.level, 0);
    assert.deepEqual(probGate.tokens.map((t) => t.prob), [0.9, 0.2]);
    assert.deepEqual(probGate.spans.map((s) => s.text), ['so']);
    // A stricter minimum can hide the rationale of a level > 0 prediction: probs [0.325, 0.55, 0.125],
    // level 1, P(level > 0) = 0.675 < 0.7.
    const strict = combinePredictions([pp(mp([0.45, 0.4, 0.15]))], [pp(mp([0.2, 0.7, 0.1]))], w, { minPositiveProb: { ER: 0.7 } })[0].mechanisms.ER!;
    assert.equal(strict.level, 1);
    assert.ok(strict.tokens.every((t) => t.prob === 0));
    assert.equal(rationaleShown([0.45, 0.3, 0.25], 'ER'), false);
    assert.equal(rationaleShown([0.45, 0.3, 0.25], 'ER', { ER: 0.55 }), true);
    assert.equal(rationaleShown([0.45, 0.3, 0.25], 'IP', { ER: 0.55 }), false); // IP unlisted: argmax
  });

  it('marks rationale tokens at a per-mechanism threshold, in spans and in evaluation', () => {
    // Defaults chosen by nested CV (see config.ts): the strict gate (predicted level > 0), per-mechanism
    // thresholds and ρ; the soft rule is the offline-default-soft preset.
    assert.deepEqual(defaultEnsembleConfig.rationaleGate, { minPositiveProb: {}, soft: [] });
    assert.deepEqual(defaultEnsembleConfig.rationaleThreshold, { ER: 0.45, IP: 0.6, EX: 0.5 });
    assert.deepEqual(defaultEnsembleConfig.rationaleMix, { ER: 0.6, IP: 0.6, EX: 0.75 });
    assert.deepEqual(resolveEnsembleConfig(softRationaleRule).rationaleGate, { minPositiveProb: {}, soft: ['ER', 'IP', 'EX'] });
    const cfg = resolveEnsembleConfig({ rationaleGate: { minPositiveProb: { EX: 0.6 } }, rationaleThreshold: { ER: 0.15 } });
    assert.deepEqual(cfg.rationaleThreshold, { ER: 0.15, IP: 0.6, EX: 0.5 });
    assert.deepEqual(cfg.rationaleGate, { minPositiveProb: { EX: 0.6 }, soft: [] });
    // A gate given replaces the default whole: { minPositiveProb: {} } is the argmax gate everywhere.
    assert.deepEqual(resolveEnsembleConfig({ rationaleGate: { minPositiveProb: {} } }).rationaleGate, { minPositiveProb: {}, soft: [] });
    assert.deepEqual(resolveEnsembleConfig({}).rationaleGate.soft, []);
    const lin = [pp(mp([0.1, 0.8, 0.1]))];
    const tag = [pp(mp([0.1, 0.8, 0.1]))]; // tokens 'so' 0.9, 'sorry' 0.2
    const low = combinePredictions(lin, tag, defaultEnsembleWeights, { threshold: { ER: 0.15 } })[0];
    assert.deepEqual(low.mechanisms.ER!.spans.map((s) => s.text), ['so sorry']);
    const high = combinePredictions(lin, tag, defaultEnsembleWeights, { threshold: 0.5 })[0];
    assert.deepEqual(high.mechanisms.ER!.spans.map((s) => s.text), ['so']);
    // Gold rationale 'so sorry' at level 1: threshold 0.15 finds both tokens (F1 1), 0.5 one (F1 2/3).
    const gold = [{ id: 'a', seekerPost: 's', responsePost: 'so sorry', labels: { ER: labelOf('so sorry', 1, ['so sorry']) } }];
    const f1 = (t: number | Record<string, number>) => evaluatePredictions(gold, [low], { maxLen: 64, threshold: t }).mechanisms.ER!.rationale.positive.tokenF1;
    assert.equal(f1({ ER: 0.15 }), 1);
    assert.ok(Math.abs(f1(0.5) - 2 / 3) < 1e-12);
    assert.ok(Math.abs(f1({ IP: 0.15 }) - 2 / 3) < 1e-12); // ER not listed: 0.5
  });

  it('soft gate: token probability × P(level > 0), no hard gate — even where the argmax level is 0', () => {
    const w = { ER: 0.5, IP: 0.5, EX: 0.5 };
    // probs [0.45, 0.3, 0.25]: level 0, P(level > 0) = 0.55; tagger tokens 0.9, 0.2 → 0.495, 0.11.
    const [out] = combinePredictions([pp(mp([0.45, 0.3, 0.25]))], [pp(mp([0.45, 0.3, 0.25]))], w, { soft: ['ER'], threshold: 0.45 });
    const er = out.mechanisms.ER!;
    assert.equal(er.level, 0);
    assert.deepEqual(er.tokens.map((t) => +t.prob.toFixed(6)), [0.495, 0.11]);
    assert.deepEqual(er.spans.map((s) => s.text), ['so']);
    // A confident level-0 response: P(level > 0) = 0.1 scales 0.9 down to 0.09 — nothing marked.
    const [none] = combinePredictions([pp(mp([0.9, 0.05, 0.05]))], [pp(mp([0.9, 0.05, 0.05]))], w, { soft: ['ER'], threshold: 0.3 });
    assert.deepEqual(none.mechanisms.ER!.spans, []);
    // Soft overrides a minimum for the same mechanism; the others keep their hard gate.
    const [both] = combinePredictions([pp(mp([0.45, 0.3, 0.25]))], [pp(mp([0.45, 0.3, 0.25]))], w, { soft: ['ER'], minPositiveProb: { ER: 0.9 }, threshold: 0.45 });
    assert.deepEqual(both.mechanisms.ER!.spans.map((s) => s.text), ['so']);
  });

  it("mixes the members' token probabilities: ρ·linear + (1 − ρ)·tagger (tagger alone without ρ)", () => {
    const lin = pp({ ...mp([0.1, 0.8, 0.1]), tokens: [{ text: 'so', start: 0, end: 2, prob: 0.1 }, { text: 'sorry', start: 3, end: 8, prob: 0.8 }] });
    const tag = pp(mp([0.1, 0.8, 0.1])); // tokens 0.9, 0.2
    const probs = (o: Parameters<typeof combinePredictions>[3]) => combinePredictions([lin], [tag], defaultEnsembleWeights, o)[0].mechanisms.ER!.tokens.map((t) => +t.prob.toFixed(6));
    assert.deepEqual(probs({}), [0.9, 0.2]);
    assert.deepEqual(probs({ rationaleMix: { ER: 0.5 } }), [0.5, 0.5]);
    assert.deepEqual(probs({ rationaleMix: { ER: 0.25 } }), [0.7, 0.35]);
    assert.deepEqual(probs({ rationaleMix: { IP: 1 } }), [0.9, 0.2]); // ER unlisted: the tagger's
    const spans = combinePredictions([lin], [tag], defaultEnsembleWeights, { rationaleMix: { ER: 1 }, threshold: 0.5 })[0].mechanisms.ER!.spans;
    assert.deepEqual(spans.map((s) => s.text), ['sorry']);
  });

  it('picks, per mechanism, the weight with the best out-of-fold macro-F1', () => {
    // The tagger is right and the linear model wrong on every row: w = 0 wins; ties would go to 0.75.
    const oof = [0, 1, 2, 0, 1, 2].map((g) => ({
      gold: { ER: g },
      linear: { ER: [0, 1, 2].map((c) => (c === (g + 1) % 3 ? 0.8 : 0.1)) },
      tagger: { ER: [0, 1, 2].map((c) => (c === g ? 0.6 : 0.2)) },
    }));
    const { weights, scores } = pickWeights(oof, ['ER'], [0, 0.5, 0.75, 1], defaultEnsembleWeights);
    assert.equal(weights.ER, 0);
    assert.equal(scores.ER![0], 1);
    assert.equal(weights.IP, defaultEnsembleWeights.IP); // no data: the default stays
  });

  it('trains both members, saves one checkpoint, loads identically, owns its tensors', async () => {
    await initBackend('cpu');
    const before = tf.memory().numTensors;
    const train = toyPairs(36, 7);
    const r = await trainEnsemble(
      { linear: { C: 1 }, tagger: { backend: 'cpu', embedDim: 8, hidden: 8, headHidden: 8, charBuckets: 32, vocabSize: 100, minCount: 1, epochs: 2, batchSize: 18, maxLen: 16 }, weights: { ER: 0.6, IP: 0.75, EX: 0.9 }, rationaleGate: { minPositiveProb: { EX: 0.3 } } },
      { train },
    );
    const model = r.model as EnsembleModel;
    assert.equal(model.family, 'ensemble');
    assert.deepEqual(model.weights, { ER: 0.6, IP: 0.75, EX: 0.9 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h7-ensemble-')), 'offline-default.pth');
    await model.save(file);
    const a = await model.predict(train.slice(0, 5));
    const loaded = await loadModel(file);
    assert.equal(loaded.family, 'ensemble');
    assert.deepEqual((loaded as EnsembleModel).weights, model.weights);
    assert.deepEqual((loaded as EnsembleModel).cfg.rationaleGate, { minPositiveProb: { EX: 0.3 }, soft: [] });
    assert.deepEqual((loaded as EnsembleModel).cfg.rationaleMix, defaultEnsembleConfig.rationaleMix);
    // Its linear member has a sentence rationale model, so ρ applies for every mechanism.
    assert.deepEqual((loaded as EnsembleModel).rationaleMix(), defaultEnsembleConfig.rationaleMix);
    assert.equal((loaded as EnsembleModel).cfg.rationaleGate.minPositiveProb.ER, undefined);
    assert.deepEqual((loaded as EnsembleModel).cfg.rationaleThreshold, defaultEnsembleConfig.rationaleThreshold);
    assert.deepEqual(await loaded.predict(train.slice(0, 5)), a);
    loaded.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

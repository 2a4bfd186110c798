// One vocabulary of models across the CLI (`--model` takes every family and preset in train and cv;
// `--preset offline-default` means the model), the run record holds the config really used, predict
// and test fall back to the shipped model, and outputs flag a model that has not learned.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunStore } from '../../kernel/runs/store';
import { cli, SAMPLES, tmpDir } from './spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');

describe('cli: one vocabulary of models, the shipped model, honest outputs', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => { dir = tmpDir(); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('train --preset offline-default is the offline default; its run records the config it trained with (tagger 6 epochs, not lr 2e-5 / 4)', () => {
    const runs = path.join(dir, 'runs-od');
    const r = cli(['train', '--train_path', ER, '--joint', '--preset', 'offline-default', '--dev_path', ER, '--do_validation', '--runs_dir', runs]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /model = {2}offline-default \(ensemble\)/);
    assert.match(r.stdout, /tagger: lr = {2}0\.003; epochs = {2}6/);
    assert.doesNotMatch(r.stdout, /^lr = {2}2e-05/m, 'no train.py lr line for a family that does not use it');
    // One bar over every epoch, the epoch in it, and a totals line at the end.
    assert.match(r.stderr, /training .*epoch 6\/6/);
    assert.match(r.stderr, /^training: (\d+)\/\1 steps in \d+:\d\d \(/m);
    assert.match(r.stderr, /validation \d+\/\d+ pairs/);
    // The dev split (the 24 samples) is under 30 pairs per mechanism: said beside the metrics.
    assert.match(r.stdout, /ER: the dev split has 24 pairs \(< 30\): its metrics are noise/);
    const [rec] = new RunStore(runs).list().runs;
    assert.equal(rec.family, 'ensemble');
    const cfg = rec.config as { model: string; lr?: number; epochs?: number; tagger: { epochs: number; lr: number }; weights: Record<string, number> };
    assert.equal(cfg.model, 'offline-default');
    assert.equal(cfg.lr, undefined);
    assert.equal(cfg.epochs, undefined);
    assert.equal(cfg.tagger.epochs, 6);
    assert.equal(cfg.tagger.lr, 3e-3);
    assert.deepEqual(cfg.weights, { ER: 0.9, IP: 0.9, EX: 0.7 });
  });

  it('cv --model takes the same names (and --preset NAME still means the model); unknown names list the vocabulary', () => {
    const r = cli(['cv', '--data', ER, '--model', 'linear', '--folds', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^cv: linear \(linear\) on 24 pairs/m);
    const bad = cli(['train', '--train_path', ER, '--model', 'offline-defualt']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown --model "offline-defualt" \(available: offline-default, offline-default-soft, linear, tagger, ensemble, bi-encoder/);
    const badPreset = cli(['cv', '--data', ER, '--preset', 'huge']);
    assert.equal(badPreset.code, 2);
    assert.match(badPreset.stderr, /bi-encoder sizes: tiny, small, roberta-base/);
  });

  it('predict and test without a model path use the shipped model, and say so', () => {
    const p = cli(['predict', '--seeker', 'I failed my exam again.', '--response', "I'm so sorry, that sounds really discouraging. What happened?"]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /no model path given: using the shipped offline-default model/);
    assert.match(p.stdout, /^ER Emotional Reactions: level [012]/m);
    assert.match(p.stdout, /^EX Explorations: level [012]/m);
    assert.doesNotMatch(p.stdout, /not learned yet/);
    const out = path.join(dir, 'scored.csv');
    const t = cli(['test', '--input_path', path.join(SAMPLES, 'sample_test_input.csv'), '--output_path', out]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /no model path given: using the shipped offline-default model/);
    assert.match(t.stderr, /^scoring: (\d+)\/\1 rows in .* · ER\+IP\+EX: ER levels 0\/1\/2 \d+\/\d+\/\d+/m);
    assert.ok(fs.existsSync(out));
  });

  it('a model that has not learned is flagged by train, evaluate and predict', () => {
    const ck = path.join(dir, 'untrained.pth');
    const tr = cli(['train', '--train_path', ER, '--dev_path', ER, '--do_validation', '--preset', 'tiny', '--epochs', '1', '--save_model', '--save_model_path', ck, '--no_run']);
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /warning: this model has not learned yet \(ER: /);
    const ev = cli(['evaluate', '--gold', ER, '--model_path', ck]);
    assert.equal(ev.code, 0, ev.stderr);
    assert.match(ev.stdout, /warning: this model has not learned yet \(ER: /);
    assert.match(ev.stderr, /evaluating ER: 24\/24 pairs in/);
    const pr = cli(['predict', '--seeker', 'I feel alone.', '--response', 'I am here for you.', '--model_path', ck]);
    assert.equal(pr.code, 0, pr.stderr);
    assert.match(pr.stdout, /warning: this model has not learned yet \(ER: level probabilities near uniform/);
  });
});

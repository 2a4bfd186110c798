// Each family resolves its own config from the flags the user gave (issue #14 item 3): `--epochs 4`
// trains 4 epochs for every family that has epochs, and a flag a family does not use is a printed note.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planTraining } from '../../kernel/training/familyConfig';
import { cli, SAMPLES, tmpDir } from '../cli/spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');

describe('training: each family resolves its own config from the flags given', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => { dir = tmpDir('empathy-family-config-'); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('planTraining translates train.py fields per family and notes the ones a family does not use', () => {
    const tagger = planTraining('tagger', { epochs: 4, lr: 0.01, batch_size: 8, seed_val: 3, lambda_EI: 1 }, { nameOf: (k) => `--${k}` });
    assert.deepEqual([tagger.config.epochs, tagger.config.lr, tagger.config.batchSize, tagger.config.seed], [4, 0.01, 8, 3]);
    assert.equal(tagger.effective.epochs, 4);
    assert.deepEqual(tagger.notes, ['--lambda_EI does not apply to the tagger']);
    const linear = planTraining('linear', { epochs: 4, lambda_EI: 1, seed_val: 5, C: 1 });
    assert.deepEqual(linear.notes, ['epochs does not apply to the linear model', 'lambda_EI does not apply to the linear model']);
    assert.equal(linear.effective.seed, 5);
    assert.equal(linear.effective.C, 1);
    const od = planTraining('offline-default', { epochs: 4, seed_val: 7 });
    assert.equal(od.family, 'ensemble');
    assert.deepEqual(od.notes, []);
    assert.equal((od.effective.tagger as { epochs: number; seed: number }).epochs, 4);
    assert.equal((od.effective.tagger as { epochs: number; seed: number }).seed, 7);
    // Nothing given: the family's own defaults, not train.py's (the tagger's 6 epochs, not 4).
    assert.equal(planTraining('tagger', {}).effective.epochs, 6);
    assert.equal(planTraining('bi-encoder', {}).effective.epochs, 4);
    assert.deepEqual(planTraining('bi-encoder', { epochs: 4, lambda_EI: 1 }).notes, []);
  });

  for (const model of ['bi-encoder', 'tagger', 'ensemble', 'linear']) {
    it(`empathy train --model ${model} --epochs 4 ${model === 'linear' ? 'notes that --epochs does not apply' : 'trains 4 epochs'}`, () => {
      const log = path.join(dir, `${model}.jsonl`);
      const runs = path.join(dir, `runs-${model}`);
      const tiny = model === 'bi-encoder' ? ['--preset', 'tiny', '--vocab_size', '300'] : [];
      const r = cli(['train', '--model', model, '--train_path', ER, '--limit', '8', '--batch_size', '8', '--epochs', '4', '--lambda_EI', '1', '--log_jsonl', log, '--runs_dir', runs, ...tiny]);
      assert.equal(r.code, 0, r.stderr);
      const events = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epochs?: number; message?: string });
      const epochs = events.filter((e) => e.type === 'epoch').length;
      const [rec] = fs.readdirSync(runs).map((d) => JSON.parse(fs.readFileSync(path.join(runs, d, 'run.json'), 'utf8')) as { config: Record<string, unknown> });
      if (model === 'linear') {
        assert.match(r.stderr, /^note: --epochs does not apply to the linear model$/m);
        assert.match(r.stderr, /^note: --lambda_EI does not apply to the linear model$/m);
        assert.equal(epochs, 1, 'the linear model fits once');
        return;
      }
      assert.equal(events.find((e) => e.type === 'start')?.epochs, 4);
      assert.equal(epochs, 4);
      const recorded = model === 'ensemble' ? (rec.config.tagger as Record<string, unknown>) : rec.config;
      assert.equal(recorded.epochs, 4, 'the run records the epochs it trained');
      if (model === 'bi-encoder') assert.doesNotMatch(r.stderr, /lambda_EI does not apply/);
      else assert.match(r.stderr, new RegExp(`^note: --lambda_EI does not apply to the ${model}$`, 'm'));
    });
  }
});

// Issue 22, item 4: a save that fails after training (the path became a folder, a full disk) never loses
// the trained weights: they go to the run folder (else the temp folder) and the error says where; a
// bi-encoder checkpoint that fails mid-training is a warning and training goes on.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trainAndRecord } from '../../kernel/training/trainAndRecord';
import { loadModel } from '../../kernel/models/families';
import { toyPairs } from '../models/toy';
import { train } from '../../kernel/models';
import type { TrainEvent } from '../../kernel/engine';
import { toyConfig, toyPairs as toyBiPairs } from '../engine/toyData';

describe('training: a failed save keeps the trained weights', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'save-fallback-'));

  it('saves to the run folder instead and says where', async () => {
    const blocked = path.join(dir, 'model.pth');
    fs.mkdirSync(blocked); // a folder appeared where the model goes (validated before training, gone wrong after)
    const runsDir = path.join(dir, 'runs');
    const err = await trainAndRecord({
      model: 'linear',
      config: { save_model_path: blocked },
      data: { train: toyPairs(60) },
      record: { runsDir, label: 'fallback', source: 'test' },
    }).then(() => undefined, (e: Error) => e);
    assert.ok(err, 'the save into a folder should fail');
    const m = /^the model could not be saved \((.*)\); the trained weights were saved to (\S+) instead$/.exec(err.message);
    assert.ok(m, err.message);
    assert.match(m[1], /model\.pth: is a folder, not a file/);
    assert.ok(m[2].startsWith(runsDir + path.sep), `${m[2]} is not in the run folder`);
    const model = await loadModel(m[2]);
    try {
      assert.equal(model.family, 'linear');
      assert.ok(model.mechanisms.length > 0);
    } finally {
      model.dispose();
    }
    assert.deepEqual(fs.readdirSync(blocked), [], 'nothing was written into the folder');
  });
  it('a bi-encoder checkpoint that cannot be written mid-training is a warning; training goes on', async () => {
    const blocked = path.join(dir, 'bi.pth');
    fs.mkdirSync(blocked);
    const events: TrainEvent[] = [];
    const { model, steps } = await train({ ...toyConfig, epochs: 1, save_model_path: blocked }, { train: toyBiPairs(8) }, { onEvent: (e) => events.push(e) });
    try {
      assert.ok(steps >= 1);
      assert.equal(events.filter((e) => e.type === 'checkpoint').length, 0);
      const warn = events.find((e) => e.type === 'log' && e.level === 'warn');
      assert.ok(warn && warn.type === 'log', JSON.stringify(events.filter((e) => e.type === 'log')));
      assert.match(warn.message, /^checkpoint at step \d+ not saved: .*bi\.pth: is a folder, not a file.*; training goes on$/);
      assert.equal(events[events.length - 1].type, 'end');
    } finally {
      model.dispose();
    }
  });
});

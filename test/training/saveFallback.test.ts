// Issue 22, item 4: a save that fails after training (the path became a folder, a full disk) never loses
// the trained weights: they go to the run folder (else the temp folder) and the error says where.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trainAndRecord } from '../../kernel/training/trainAndRecord';
import { loadModel } from '../../kernel/models/families';
import { toyPairs } from '../models/toy';

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
});

// No tensor outlives a public engine call: tf.memory().numTensors is the same before and after
// train (+ dispose), predict, evaluate, save, loadModel (+ dispose) and resume.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine';
import { loadModel, train } from '../../kernel/models';
import { toyConfig, toyPairs } from './toyData';

describe('engine/leaks', function () {
  this.timeout(120_000);
  let dir = '';
  before(async () => { await initBackend('cpu'); dir = mkdtempSync(path.join(tmpdir(), 'engine-leak-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('train, predict, evaluate, save, load and resume leave numTensors unchanged', async () => {
    const before = tf.memory().numTensors;
    const file = path.join(dir, 'm.pth');
    const { model } = await train({ ...toyConfig, epochs: 2, grad_accum: 2, do_validation: true, save_model_path: file }, { train: toyPairs(24), dev: toyPairs(8, 2), test: toyPairs(8, 3) });
    const held = tf.memory().numTensors;
    assert.ok(held > before, 'the model holds its variables');
    await model.predict(toyPairs(10, 4), { batchSize: 3 });
    assert.equal(tf.memory().numTensors, held, 'predict');
    await model.evaluate(toyPairs(10, 5), { batchSize: 4 });
    assert.equal(tf.memory().numTensors, held, 'evaluate');
    await model.save(path.join(dir, 'again.pth'));
    assert.equal(tf.memory().numTensors, held, 'save');
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'train + dispose');

    const loaded = await loadModel(file);
    await loaded.predict(toyPairs(3));
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before, 'load + predict + dispose');

    const resumed = await train({ ...toyConfig, epochs: 3, resume: file }, { train: toyPairs(24) });
    resumed.model.dispose();
    assert.equal(tf.memory().numTensors, before, 'resume');

    const ctl = new AbortController();
    const aborted = await train({ ...toyConfig, grad_accum: 2 }, { train: toyPairs(24) }, { signal: ctl.signal, onEvent: (e) => { if (e.type === 'step') setImmediate(() => ctl.abort()); } });
    aborted.model.dispose();
    assert.equal(tf.memory().numTensors, before, 'abort');
  });
});

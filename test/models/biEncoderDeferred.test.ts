// A large checkpoint loads deferred (kernel/models/bi-encoder/load.ts): onnxruntime reads the weights from the
// file and tfjs loads them only when a tfjs path needs them. Here the size threshold is lowered so a toy
// model takes that path: it predicts and evaluates exactly like the same file loaded at once, never loading
// tfjs's copy; salience and EMPATHY_INFERENCE=tfjs load it then; bad files are refused at load, as before.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INFERENCE_ENV, loadOrt } from '../../kernel/engine/onnx/runtime';
import { loadCheckpoint, saveCheckpoint } from '../../kernel/engine/checkpoint';
import { deferredLoadTuning, loadBiEncoder } from '../../kernel/models/bi-encoder/load';
import type { BiEncoderModel } from '../../kernel/models/bi-encoder/biEncoderModel';
import { train } from '../../kernel/models/bi-encoder/train';
import { skipBecause } from '../support/skip';
import { withEnv } from '../support/withEnv';
import { toyConfig, toyPairs } from '../engine/toyData';

describe('models/bi-encoder: a large checkpoint loads deferred (tfjs loads the weights only when needed)', function () {
  this.timeout(300_000);
  let dir: string;
  let file: string;
  const threshold = deferredLoadTuning.fromBytes;

  before(async function () {
    const ort = loadOrt();
    if ('error' in ort) skipBecause(this, `onnxruntime-node does not load here: ${ort.error}`);
    const { model } = await train({ ...toyConfig, epochs: 1 }, { train: toyPairs(24) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-deferred-'));
    file = path.join(dir, 'toy.safetensors');
    try {
      await model.save(file); // with its optimiser state, as training saves
    } finally {
      model.dispose();
    }
  });
  after(() => {
    deferredLoadTuning.fromBytes = threshold;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Load `f` deferred (threshold 0) or at once (threshold above any toy), run `use`, dispose. */
  async function withModel<T>(f: string, deferred: boolean, use: (m: BiEncoderModel) => Promise<T>): Promise<T> {
    deferredLoadTuning.fromBytes = deferred ? 0 : Number.MAX_SAFE_INTEGER;
    const m = await loadBiEncoder(f);
    try {
      return await use(m);
    } finally {
      m.dispose();
      deferredLoadTuning.fromBytes = threshold;
    }
  }

  it('predicts and evaluates through onnxruntime like the model loaded at once, tfjs never loading the weights', async () => {
    const pairs = toyPairs(12, 3);
    const run = (deferred: boolean) => withEnv(INFERENCE_ENV, 'onnx', () => withModel(file, deferred, async (m) => {
      const preds = await m.predict(pairs, { batchSize: 5 });
      const report = await m.evaluate(pairs, { batchSize: 5 });
      return { preds, report, describe: m.describe(), loaded: m.netLoaded, inference: m.inference };
    }));
    const lazy = await run(true);
    const eager = await run(false);
    assert.equal(lazy.loaded, false, 'tfjs never loaded the weights');
    assert.equal(eager.loaded, true);
    assert.equal(lazy.inference?.engine, 'onnxruntime');
    assert.deepEqual(lazy.preds, eager.preds);
    assert.deepEqual(lazy.report, eager.report);
    assert.deepEqual(lazy.describe, eager.describe);
  });

  it('salience and EMPATHY_INFERENCE=tfjs load the weights when they need them, with the same results', async () => {
    const [pair] = toyPairs(1, 9);
    const salience = (deferred: boolean) => withModel(file, deferred, async (m) => {
      const before = m.netLoaded;
      const s = await m.salience(pair, 'ER');
      return { before, after: m.netLoaded, s };
    });
    const lazy = await salience(true);
    assert.deepEqual([lazy.before, lazy.after], [false, true]);
    assert.deepEqual(lazy.s, (await salience(false)).s);
    const tfjs = (deferred: boolean) => withEnv(INFERENCE_ENV, 'tfjs', () => withModel(file, deferred, (m) => m.predict(toyPairs(4, 2))));
    assert.deepEqual(await tfjs(true), await tfjs(false));
  });

  it('a bad file is refused at load, naming it and the tensor, before any work', async () => {
    const ck = await loadCheckpoint(file);
    const name = [...ck.tensors.keys()].find((k) => k.startsWith('responder_encoder.') && k.endsWith('.weight'))!;
    const nan = new Map(ck.tensors);
    const w = new Float32Array(nan.get(name)!.data as Float32Array);
    w[3] = NaN;
    nan.set(name, { ...nan.get(name)!, data: w });
    const nanFile = path.join(dir, 'nan.safetensors');
    await saveCheckpoint(nanFile, { ...ck, tensors: nan });
    await assert.rejects(withModel(nanFile, true, async () => undefined), (e: Error) => e.message.includes(nanFile) && e.message.includes(`'${name}' holds NaN at index 3`));
    const missing = new Map(ck.tensors);
    missing.delete(name);
    const missingFile = path.join(dir, 'missing.safetensors');
    await saveCheckpoint(missingFile, { ...ck, tensors: missing });
    await assert.rejects(withModel(missingFile, true, async () => undefined), (e: Error) => e.message.startsWith(`${missingFile}: loadStateDict: missing 1 tensor(s): ${name}`));
  });
});

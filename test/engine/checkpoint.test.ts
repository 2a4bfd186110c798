// The checkpoint file: one safetensors file at the user's path, atomic, self-contained (config, tokenizer,
// train args, optimiser state); loads back to identical predictions; clear errors for bad files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCheckpoint, readCheckpointFamily, saveCheckpoint, type EmpathyModel } from '../../kernel/engine';
import { loadModel, train } from '../../kernel/models';
import { writeSafetensorsFileAtomic } from '../../kernel/engine/safetensors';
import { toyConfig, toyPairs } from './toyData';

describe('engine/checkpoint', function () {
  this.timeout(120_000);
  let dir = '';
  let model: EmpathyModel;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'engine-ckpt-'));
    ({ model } = await train({ ...toyConfig, epochs: 1 }, { train: toyPairs(24) }));
  });
  after(() => { model.dispose(); rmSync(dir, { recursive: true, force: true }); });

  it('saves to the exact path given (folders created, any extension) and loads to identical predictions', async () => {
    const file = path.join(dir, 'output', 'deep', 'sample_ER.pth');
    await model.save(file, { metrics: { note: 'toy' } });
    assert.ok(existsSync(file));
    assert.deepEqual(readdirSync(path.dirname(file)), ['sample_ER.pth'], 'no temp file left behind');
    const ck = await loadCheckpoint(file);
    assert.equal(ck.family, 'bi-encoder');
    assert.deepEqual(ck.metrics, { note: 'toy' });
    assert.equal((ck.trainArgs as { preset: string }).preset, 'tiny');
    assert.equal((ck.tokenizer as { kind: string }).kind, 'bpe');
    assert.ok([...ck.tensors.keys()].some((k) => k.startsWith('optimizer.') && k.endsWith('.exp_avg')));
    assert.ok(ck.tensors.has('empathy_classifier.out_proj.weight'));
    assert.equal(await readCheckpointFamily(file), 'bi-encoder');

    // Bit-identical through the same engine: tfjs, as the trained model (the onnxruntime path of a loaded
    // checkpoint is compared with tfjs in onnx.test.ts).
    const prevInference = process.env.EMPATHY_INFERENCE;
    process.env.EMPATHY_INFERENCE = 'tfjs';
    const loaded = await loadModel(file);
    try {
      assert.equal(loaded.family, 'bi-encoder');
      assert.deepEqual([...loaded.mechanisms], ['ER']);
      assert.equal(loaded.maxLen, model.maxLen);
      const pairs = toyPairs(5, 4);
      assert.deepEqual(await loaded.predict(pairs), await model.predict(pairs));
    } finally {
      loaded.dispose();
      if (prevInference === undefined) delete process.env.EMPATHY_INFERENCE;
      else process.env.EMPATHY_INFERENCE = prevInference;
    }
  });

  it('names the path of a missing or corrupt file', async () => {
    const missing = path.join(dir, 'nope', 'model.pth');
    await assert.rejects(loadModel(missing), (e: Error) => e.message.includes(missing));
    const corrupt = path.join(dir, 'corrupt.pth');
    writeFileSync(corrupt, Buffer.from('definitely not a safetensors file, just text'));
    await assert.rejects(loadModel(corrupt), (e: Error) => e.message.includes(corrupt) && /corrupt/.test(e.message));
    await assert.rejects(loadCheckpoint(corrupt), (e: Error) => e.message.includes(corrupt));
    const foreign = path.join(dir, 'foreign.safetensors');
    await writeSafetensorsFileAtomic(foreign, new Map([['w', { dtype: 'F32', shape: [1], data: new Float32Array(1) }]]));
    await assert.rejects(loadModel(foreign), /not an empathy checkpoint/);
  });

  it('a mismatched checkpoint fails naming the tensor and both shapes', async () => {
    const good = path.join(dir, 'good.pth');
    await model.save(good);
    const ck = await loadCheckpoint(good);
    const name = 'empathy_classifier.dense.weight';
    const t = ck.tensors.get(name)!;
    ck.tensors.set(name, { dtype: 'F32', shape: [t.shape[0], t.shape[1] + 1], data: new Float32Array(t.shape[0] * (t.shape[1] + 1)) });
    const bad = path.join(dir, 'bad.pth');
    await saveCheckpoint(bad, ck);
    await assert.rejects(loadModel(bad), (e: Error) =>
      e.message.includes(bad) && e.message.includes(name) && e.message.includes(`[${t.shape[0]}, ${t.shape[1] + 1}]`) && e.message.includes(`[${t.shape[0]}, ${t.shape[1]}]`));
  });
});

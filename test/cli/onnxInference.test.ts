// `empathy test` and `predict` on a bi-encoder checkpoint score the same through onnxruntime (the default
// where it loads) and tfjs (EMPATHY_INFERENCE=tfjs), and say on stderr which engine ran (the shipped
// offline-default model too).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { loadOrt } from '../../kernel/engine/onnx/runtime';
import { hasShippedModel } from '../../kernel/models/shipped';
import { train } from '../../kernel/models/bi-encoder/train';
import { toyConfig, toyPairs } from '../engine/toyData';
import { skipBecause } from '../support/skip';
import { cli, SAMPLES, tmpDir } from './spawn';

describe('cli: bi-encoder inference through onnxruntime and tfjs', function () {
  this.timeout(300_000);
  const dir = tmpDir('empathy-onnx-cli-');
  const model = path.join(dir, 'toy.pth');

  before(async function () {
    const ort = loadOrt();
    if ('error' in ort) skipBecause(this, `onnxruntime-node does not load here: ${ort.error}`);
    const { model: m } = await train({ ...toyConfig, epochs: 2 }, { train: toyPairs(32) });
    try {
      await m.save(model);
    } finally {
      m.dispose();
    }
  });

  it('test writes the same levels through both engines, and names the engine', () => {
    const input = path.join(SAMPLES, 'sample_test_input.csv');
    const run = (engine: string) => {
      const out = path.join(dir, `scored.${engine}.csv`);
      const r = cli(['test', '--input_path', input, '--output_path', out, '--model_path', model, '--batch_size', '4'], { env: { EMPATHY_INFERENCE: engine, EMPATHY_BACKEND: 'cpu' } });
      assert.equal(r.code, 0, r.stderr);
      return { stderr: r.stderr, rows: parseCsv(fs.readFileSync(out, 'utf8'), out) };
    };
    const onnx = run('onnx');
    const tfjs = run('tfjs');
    assert.match(onnx.stderr, /^inference = onnxruntime \d+\.\d+\.\d+ \(CPU, \d+ threads?, EMPATHY_INFERENCE=onnx\); tfjs trains and is the fallback$/m);
    assert.match(tfjs.stderr, /^inference = tfjs \(EMPATHY_INFERENCE=tfjs\)$/m);
    assert.ok(onnx.rows.length > 2);
    assert.deepEqual(onnx.rows.map((r) => r.slice(0, 6)), tfjs.rows.map((r) => r.slice(0, 6))); // id, posts, ER/IP/EX levels
  });

  it('predict --json gives the same level and probabilities within 1e-5', () => {
    const run = (engine: string) => {
      const r = cli(['predict', '--seeker', 'I failed my exam again today', '--response', "I'm so sorry, that sounds awful", '--model_path', model, '--json'], { env: { EMPATHY_INFERENCE: engine, EMPATHY_BACKEND: 'cpu' } });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const a = run('onnx'), b = run('tfjs');
    const pa = a.mechanisms.ER, pb = b.mechanisms.ER;
    assert.ok(pa && pb, JSON.stringify(a).slice(0, 200));
    assert.equal(pa.level, pb.level);
    pa.probs.forEach((p: number, i: number) => assert.ok(Math.abs(p - pb.probs[i]) <= 1e-5, `probs ${pa.probs} vs ${pb.probs}`));
  });

  it('the shipped offline-default model names its inference engine too', function () {
    if (!hasShippedModel()) skipBecause(this, 'no shipped model in dataset/models (npm run model:build writes it)');
    const r = cli(['predict', '--seeker', 'I failed my exam again today', '--response', "I'm so sorry, that sounds awful", '--json'], { env: { EMPATHY_BACKEND: 'cpu', EMPATHY_INFERENCE: 'auto' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^inference = onnxruntime \d+\.\d+\.\d+ \(CPU, \d+ threads?\); tfjs trains and is the fallback$/m);
  });

  it('EMPATHY_INFERENCE with a bad value is one clear error', () => {
    const r = cli(['predict', '--seeker', 'a', '--response', 'b', '--model_path', model], { env: { EMPATHY_INFERENCE: 'gpu', EMPATHY_BACKEND: 'cpu' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /EMPATHY_INFERENCE=gpu: expected auto, onnx or tfjs/);
  });
});

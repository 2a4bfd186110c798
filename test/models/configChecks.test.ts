// Every family's config is checked field by field, wherever it comes from (issue 22, item 8): a checkpoint
// names the file and the field (`config.weights.ER`, `config.tagger.maxLen`), a training config the field
// (and the --config file). Ensemble weights, thresholds, ρ and gate minimums are shares in [0, 1]. Bytes of
// a safetensors file outside every tensor are refused, and NaN level probabilities are an error, never a
// level 0.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveCheckpoint } from '../../kernel/engine/checkpoint';
import { loadModel } from '../../kernel/models';
import { readSafetensors, writeSafetensors, type TensorEntry } from '../../kernel/engine/safetensors';
import { train as trainBiEncoder } from '../../kernel/models/bi-encoder/train';
import { planTraining } from '../../kernel/training/familyConfig';
import { cli, fatalLines, SAMPLES } from '../cli/spawn';
import { withEnv } from '../support/withEnv';

const f32 = (shape: number[], values: number[]): TensorEntry => ({ dtype: 'F32', shape, data: Float32Array.from(values) });
const linearConfig = { mechanisms: ['ER'], C: { ER: 1 } };
const linearTokenizer = { kind: 'tfidf', wordCount: 2, features: ['w:sorry', 'w:hard'] };
const linearTensors = (prefix = '', weight = [1, 2, 3, 4, 5, 6]) => new Map<string, TensorEntry>([
  [`${prefix}tfidf.idf`, f32([2], [1, 1])], [`${prefix}ER.weight`, f32([3, 2], weight)], [`${prefix}ER.bias`, f32([3], [0, 0, 0])],
]);
const taggerTokenizer = { kind: 'tagger-words', words: ['sorry'] };
const ensemble = (over: Record<string, unknown> = {}, tagger: Record<string, unknown> = {}) => ({ linear: linearConfig, tagger: { mechanisms: ['ER'], ...tagger }, ...over });

describe('models: every family config is checked, naming the file and the field', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-checks-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('checkpoint configs out of range: ensemble weights and thresholds, tagger sizes, linear and bi-encoder fields', async () => {
    type Family = 'linear' | 'tagger' | 'bi-encoder' | 'ensemble';
    const ensTokenizer = { linear: linearTokenizer, tagger: taggerTokenizer };
    const biModel = (enc: Record<string, unknown>, model: Record<string, unknown> = {}) => ({ model: { mechanisms: ['ER'], encoder: { vocabSize: 10, hidden: 32, layers: 1, heads: 2, intermediate: 8, maxPositions: 70, typeVocabSize: 1, ...enc }, ...model }, maxLen: 64 });
    const cases: Array<[string, Family, unknown, unknown, RegExp]> = [
      ['ens-weight-string', 'ensemble', ensemble({ weights: { ER: 'x' } }), ensTokenizer, /checkpoint config\.weights\.ER is the string "x", expected a number ≥ 0 and ≤ 1/],
      ['ens-weight-7', 'ensemble', ensemble({ weights: { ER: 7 } }), ensTokenizer, /checkpoint config\.weights\.ER is 7, expected a number ≥ 0 and ≤ 1/],
      ['ens-weight-neg', 'ensemble', ensemble({ weights: { EX: -5 } }), ensTokenizer, /checkpoint config\.weights\.EX is -5/],
      ['ens-weights-not-object', 'ensemble', ensemble({ weights: 'x' }), ensTokenizer, /checkpoint config\.weights is the string "x", expected an object/],
      ['ens-threshold', 'ensemble', ensemble({ rationaleThreshold: { IP: 'x' } }), ensTokenizer, /checkpoint config\.rationaleThreshold\.IP is the string "x", expected a number ≥ 0 and ≤ 1/],
      ['ens-mix', 'ensemble', ensemble({ rationaleMix: { ER: 1.5 } }), ensTokenizer, /checkpoint config\.rationaleMix\.ER is 1\.5/],
      ['ens-gate', 'ensemble', ensemble({ rationaleGate: { minPositiveProb: { ER: 2 } } }), ensTokenizer, /checkpoint config\.rationaleGate\.minPositiveProb\.ER is 2/],
      ['ens-grid', 'ensemble', ensemble({ weightGrid: [0.5, 'x'] }), ensTokenizer, /checkpoint config\.weightGrid\[1\] is the string "x"/],
      ['ens-tagger-maxlen', 'ensemble', ensemble({}, { maxLen: 0 }), ensTokenizer, /checkpoint config\.tagger\.maxLen is 0, expected an integer ≥ 1 and ≤ 128/],
      ['tagger-hidden', 'tagger', { mechanisms: ['ER'], hidden: -64 }, taggerTokenizer, /checkpoint config\.hidden is -64, expected an integer ≥ 1 and ≤ 4096/],
      ['tagger-maxlen', 'tagger', { mechanisms: ['ER'], maxLen: 0 }, taggerTokenizer, /checkpoint config\.maxLen is 0, expected an integer ≥ 1 and ≤ 128/],
      ['tagger-dropout', 'tagger', { mechanisms: ['ER'], dropout: 1 }, taggerTokenizer, /checkpoint config\.dropout is 1, expected a number ≥ 0 and < 1/],
      ['tagger-backend', 'tagger', { mechanisms: ['ER'], backend: 'cuda' }, taggerTokenizer, /checkpoint config\.backend is the string "cuda", expected one of "auto"/],
      ['linear-C', 'linear', { ...linearConfig, C: { ER: -1 } }, linearTokenizer, /checkpoint config\.C\.ER is -1, expected a number > 0/],
      ['linear-share', 'linear', { ...linearConfig, rationaleMinShare: 3 }, linearTokenizer, /checkpoint config\.rationaleMinShare is 3, expected a number ≥ 0 and ≤ 1/],
      ['linear-ngrams', 'linear', { ...linearConfig, tfidf: { charNgrams: [5, 2] } }, linearTokenizer, /checkpoint config\.tfidf\.charNgrams\[1\] is 2, expected an integer ≥ 5/],
      ['bi-heads', 'bi-encoder', biModel({ heads: 3 }), undefined, /checkpoint config\.model\.encoder\.heads is 3, expected a divisor of hidden \(32\)/],
      ['bi-positions', 'bi-encoder', { ...biModel({ maxPositions: 20 }) }, undefined, /checkpoint config\.maxLen is 64, expected ≤ 18/],
      ['bi-dropout', 'bi-encoder', biModel({}, { dropout: 1.5 }), undefined, /checkpoint config\.model\.dropout is 1\.5, expected a number ≥ 0 and < 1/],
    ];
    for (const [name, family, config, tokenizer, re] of cases) {
      const file = path.join(dir, `${name}.pth`);
      await saveCheckpoint(file, { family, config, tokenizer, tensors: family === 'ensemble' ? linearTensors('linear.') : linearTensors() });
      await assert.rejects(loadModel(file), (e: Error) => {
        assert.ok(e.message.startsWith(`${file}: `), `${name}: the error names the file first: ${e.message}`);
        assert.match(e.message, re, name);
        return true;
      }, name);
    }
  });

  it('training configs: the plan names the field; `empathy train --config` names the file and the field, before training', async () => {
    assert.throws(() => planTraining('tagger', { hidden: -64 }), /^ConfigFieldError: hidden is -64, expected an integer ≥ 1 and ≤ 4096/);
    assert.throws(() => planTraining('tagger', { max_len: 0 }), /maxLen is 0, expected an integer ≥ 1 and ≤ 128/);
    assert.throws(() => planTraining('offline-default', { weights: { ER: 7, IP: 0.5 } }), /weights\.ER is 7, expected a number ≥ 0 and ≤ 1/);
    assert.throws(() => planTraining('offline-default', { tagger: { hidden: 0 } }), /^ConfigFieldError: tagger\.hidden is 0/);
    assert.throws(() => planTraining('offline-default', { max_len: 0 }), /^ConfigFieldError: tagger\.maxLen is 0/); // --max_len is the tagger's
    assert.throws(() => planTraining('linear', { cvFolds: 1 }), /cvFolds is 1, expected an integer ≥ 2/);
    assert.doesNotThrow(() => planTraining('offline-default', { weights: { ER: 0, IP: 1 }, rationaleThreshold: { EX: 0.3 } }));
    // The bi-encoder checks its train.py fields when training starts (the loss weights made every loss NaN).
    await assert.rejects(trainBiEncoder({ lambda_EI: 'x' as unknown as number }, { train: [] }), /train: lambda_EI must be a number ≥ 0, got "x"/);

    const config = path.join(dir, 'weights.json');
    fs.writeFileSync(config, JSON.stringify({ weights: { ER: 'x' } }));
    const out = path.join(dir, 'never.pth');
    const r = cli(['train', '--model', 'offline-default', '--train_path', path.join(SAMPLES, 'emotional-reactions-sample.csv'), '--config', config, '--save_model_path', out, '--no_run']);
    assert.equal(r.code, 1, r.stderr);
    const lines = fatalLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^empathy: .*weights\.json: --model offline-default: config field weights\.ER is the string "x", expected a number ≥ 0 and ≤ 1/);
    assert.doesNotMatch(r.stdout, /=====Args=====/); // refused before the run starts
    assert.equal(fs.existsSync(out), false);
  });

  it('a safetensors file with bytes after the last tensor, or between two, is refused', () => {
    const good = writeSafetensors(new Map([['a', f32([2], [1, 2])], ['b', f32([1], [3])]]));
    assert.equal(readSafetensors(good).tensors.size, 2);
    const trailing = new Uint8Array(good.byteLength + 5);
    trailing.set(good);
    assert.throws(() => readSafetensors(trailing), /safetensors: 5 byte\(s\) after the last tensor's data \(at 12 of 17\) belong to no tensor/);
    // A gap: b's offsets moved 4 bytes on (the header's padding absorbs the extra digit), its data shifted to match.
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(good.subarray(8, 8 + n));
    const edited = header.replace('"data_offsets":[8,12]}} ', '"data_offsets":[12,16]}}');
    assert.ok(edited !== header && edited.length === header.length, 'the fixture has the expected header');
    const gap = new Uint8Array(8 + n + 16);
    gap.set(good.subarray(0, 8 + n + 8));
    gap.set(new TextEncoder().encode(edited), 8);
    gap.set(good.subarray(8 + n + 8, 8 + n + 12), 8 + n + 12);
    assert.throws(() => readSafetensors(gap), /safetensors: data bytes \[8, 12\) before tensor 'b' belong to no tensor/);
  });

  it('NaN level probabilities are one error naming the pair, never printed as a level', async () => {
    const file = path.join(dir, 'nan.pth');
    await saveCheckpoint(file, { family: 'linear', config: linearConfig, tokenizer: linearTokenizer, tensors: linearTensors('', [NaN, 1, 1, 1, 1, 1]) });
    const model = await withEnv('EMPATHY_ALLOW_NONFINITE_WEIGHTS', '1', () => loadModel(file));
    try {
      await assert.rejects(model.predict([{ id: 'p1', seekerPost: 'I failed', responsePost: 'sorry, that is hard' }]),
        /pair p1: the model's level probabilities are \[NaN, NaN, NaN\], not finite numbers, so no level can be given/);
    } finally {
      model.dispose();
    }
  });
});

// Checkpoints written by someone else are input, not trusted data: the safetensors reader checks every
// offset, dtype and shape before reading a byte (errors name the tensor), weights with NaN/Inf are refused
// unless asked for, and a config of the wrong shape is an error naming the file and the field.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../kernel/engine/checkpoint';
import { loadModel } from '../../kernel/models';
import { readSafetensors, writeSafetensors, type TensorEntry } from '../../kernel/engine/safetensors';

/** A safetensors file from a raw header object and data bytes (the header is not checked here). */
function rawFile(header: unknown, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const h = new Uint8Array(padded).fill(0x20);
  h.set(json);
  json = h;
  const out = new Uint8Array(8 + padded + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.set(data, 8 + padded);
  return out;
}

const DATA = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer); // 16 bytes

function withEntry(entry: unknown, extra: Record<string, unknown> = {}): Uint8Array {
  return rawFile({ w: entry, ...extra }, DATA);
}

describe('engine/safetensors: hostile headers', () => {
  it('a well-formed file reads (the baseline of the cases below)', () => {
    const r = readSafetensors(withEntry({ dtype: 'F32', shape: [4], data_offsets: [0, 16] }));
    assert.deepEqual(Array.from(r.tensors.get('w')!.data as Float32Array), [1, 2, 3, 4]);
  });

  it('negative offsets (which would read the JSON header as weights) are refused, naming the tensor', () => {
    assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [2], data_offsets: [-8, 0] })),
      /tensor 'w' has data_offsets \[-8, 0\] outside 0 ≤ begin ≤ end ≤ 16/);
  });

  it('a reversed (wrapping) range and one past the end are refused', () => {
    assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [0], data_offsets: [8, 4] })), /tensor 'w' has data_offsets \[8, 4\] outside/);
    assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [4], data_offsets: [8, 24] })), /tensor 'w' data \[8, 24\) past end of the data \(16 bytes\)/);
  });

  it('non-integer, non-numeric or missing offsets are refused', () => {
    for (const offsets of [[0.5, 16.5], ['0', '16'], [0], [0, 16, 32], null, [0, 1e300]]) {
      assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [4], data_offsets: offsets })), /tensor 'w' (has data_offsets .* (expected two integers|outside)|data .* past end)/, JSON.stringify(offsets));
    }
  });

  it('overlapping tensors are refused', () => {
    const f = rawFile({
      a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    }, DATA);
    assert.throws(() => readSafetensors(f), /tensor 'b' data \[8, 16\) overlaps tensor 'a' \[0, 12\)/);
  });

  it("dtypes are checked against the table's own keys: `toString`, `__proto__`, `constructor` are not dtypes", () => {
    for (const dtype of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 42, null]) {
      assert.throws(() => readSafetensors(withEntry({ dtype, shape: [4], data_offsets: [0, 16] })), /tensor 'w' has unsupported dtype/, String(dtype));
    }
  });

  it('shapes must be non-negative integers and match the byte count', () => {
    for (const shape of [[-4], [2.5], ['4'], null, [2, -2]]) {
      assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape, data_offsets: [0, 16] })), /tensor 'w' has (shape|16 bytes)/, JSON.stringify(shape));
    }
    assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [3], data_offsets: [0, 16] })), /tensor 'w' has 16 bytes, shape \[3\] F32 needs 12/);
  });

  it('a header that is not an object, or metadata that is not strings, is refused', () => {
    assert.throws(() => readSafetensors(rawFile([1, 2], DATA)), /header is not a JSON object/);
    assert.throws(() => readSafetensors(rawFile(null, DATA)), /header is not a JSON object/);
    assert.throws(() => readSafetensors(withEntry({ dtype: 'F32', shape: [4], data_offsets: [0, 16] }, { __metadata__: { config: { a: 1 } } })), /__metadata__ 'config' is not a string/);
  });
});

describe('engine/checkpoint: hostile contents', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-ckpt-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const linearConfig = { mechanisms: ['ER'], C: { ER: 1 } };
  const linearTokenizer = { kind: 'tfidf', wordCount: 2, features: ['a', 'b'] };
  const f32 = (shape: number[], values: number[]): TensorEntry => ({ dtype: 'F32', shape, data: Float32Array.from(values) });
  const linearTensors = (weight: number[]) => new Map<string, TensorEntry>([
    ['tfidf.idf', f32([2], [1, 1])], ['ER.weight', f32([3, 2], weight)], ['ER.bias', f32([3], [0, 0, 0])],
  ]);

  async function save(name: string, family: 'linear' | 'tagger' | 'bi-encoder' | 'ensemble', config: unknown, tensors = linearTensors([1, 2, 3, 4, 5, 6]), tokenizer: unknown = linearTokenizer): Promise<string> {
    const file = path.join(dir, name);
    await saveCheckpoint(file, { family, config, tokenizer, tensors });
    return file;
  }

  it('a well-formed linear checkpoint loads (the baseline of the cases below)', async () => {
    const m = await loadModel(await save('ok.pth', 'linear', linearConfig));
    assert.deepEqual(m.mechanisms, ['ER']);
    m.dispose();
  });

  it('NaN or Inf weights are refused, naming the file and the tensor, unless asked for', async () => {
    const nan = await save('nan.pth', 'linear', linearConfig, linearTensors([1, NaN, 3, 4, 5, 6]));
    await assert.rejects(loadCheckpoint(nan), (e: Error) => e.message.includes(nan) && /tensor 'ER.weight' holds NaN at index 1.*EMPATHY_ALLOW_NONFINITE_WEIGHTS=1/.test(e.message));
    await assert.rejects(loadModel(nan), /tensor 'ER.weight' holds NaN/);
    const inf = await save('inf.pth', 'linear', linearConfig, linearTensors([1, 2, 3, 4, 5, -Infinity]));
    await assert.rejects(loadCheckpoint(inf), /tensor 'ER.weight' holds -Infinity at index 5/);
    const half = new Map<string, TensorEntry>([['h', { dtype: 'F16', shape: [2], data: Uint16Array.of(0x3c00, 0x7e00) }]]);
    await assert.rejects(loadCheckpoint(await save('nan16.pth', 'linear', linearConfig, half)), /tensor 'h' holds NaN at index 1/);
    const ck = await loadCheckpoint(nan, { allowNonFinite: true });
    assert.ok(Number.isNaN((ck.tensors.get('ER.weight')!.data as Float32Array)[1]));
  });

  it('a config of the wrong shape is an error naming the checkpoint and the field, for every family', async () => {
    const cases: Array<[string, 'linear' | 'tagger' | 'bi-encoder' | 'ensemble', unknown, RegExp]> = [
      ['linear-mech-string.pth', 'linear', { ...linearConfig, mechanisms: 'ER' }, /checkpoint config\.mechanisms is the string "ER", expected a non-empty list/],
      ['linear-mech-bad.pth', 'linear', { ...linearConfig, mechanisms: ['ER', 'XX'] }, /checkpoint config\.mechanisms is \["ER","XX"\]/],
      ['linear-null.pth', 'linear', null, /checkpoint config is (null|undefined), expected an object/],
      ['linear-C.pth', 'linear', { ...linearConfig, C: 3 }, /checkpoint config\.C is number, expected an object/],
      ['tagger-mech.pth', 'tagger', { mechanisms: 'ER' }, /checkpoint config\.mechanisms is the string "ER"/],
      ['tagger-hidden.pth', 'tagger', { mechanisms: ['ER'], hidden: 'big' }, /checkpoint config\.hidden is the string "big", expected a number/],
      ['bi-null.pth', 'bi-encoder', null, /checkpoint config is (null|undefined), expected an object/],
      ['bi-mech.pth', 'bi-encoder', { model: { mechanisms: 'ER', encoder: {} }, maxLen: 64 }, /checkpoint config\.model\.mechanisms is the string "ER"/],
      ['bi-enc.pth', 'bi-encoder', { model: { mechanisms: ['ER'], encoder: { vocabSize: 10, hidden: -1 } }, maxLen: 64 }, /checkpoint config\.model\.encoder\.hidden is -1, expected an integer ≥ 1/],
      ['ens-linear.pth', 'ensemble', { linear: { mechanisms: 'ER', C: {} }, tagger: { mechanisms: ['ER'] } }, /checkpoint config\.linear\.mechanisms is the string "ER"/],
    ];
    for (const [name, family, config, re] of cases) {
      const file = await save(name, family, config);
      await assert.rejects(loadModel(file), (e: Error) => {
        assert.ok(e.message.includes(file), `${name}: the error names the file: ${e.message}`);
        assert.match(e.message, re, name);
        return true;
      });
    }
  });

  it('a checkpoint whose header points before its data is refused on load, naming the file', async () => {
    const file = path.join(dir, 'negative.pth');
    const good = writeSafetensors(linearTensors([1, 2, 3, 4, 5, 6]), { format: 'empathy-checkpoint', version: '1', family: 'linear', config: JSON.stringify(linearConfig), tokenizer: JSON.stringify(linearTokenizer) });
    // Same-length edit of the header: ER.bias's offsets [32,44] → [-8,4] would read header bytes as weights.
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(good.subarray(8, 8 + n));
    const edited = header.replace('"data_offsets":[32,44]', '"data_offsets":[-8,4] ');
    assert.ok(edited !== header && edited.length === header.length, 'the fixture has the expected header');
    const bytes = Uint8Array.from(good);
    bytes.set(new TextEncoder().encode(edited), 8);
    fs.writeFileSync(file, bytes);
    await assert.rejects(loadModel(file), (e: Error) => e.message.includes(file) && /tensor 'ER.bias' has data_offsets \[-8, 4\] outside/.test(e.message));
  });
});

// PyTorch checkpoints open, safely: the .pth files Debian's python3-torch wrote from a workbench checkpoint
// (test/fixtures/torch/make_fixtures.py; zip and legacy formats) read back to the same tensors and score
// exactly like it, through `import-torch` and straight from `test`; pickles that call os.system, tensors past
// their storage and short storages are refused in one line with nothing run or written; and the other way,
// a workbench checkpoint loads with load_state_dict(strict=True) into the original class in PyTorch and gives
// the same logits (where python3-torch is installed).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../../kernel/engine/checkpoint';
import { loadModel } from '../../kernel/models';
import { readTorchStateDict, readTorchStateDictFile } from '../../kernel/engine/torch/torchStateDict';
import { PickleRefused } from '../../kernel/engine/torch/restrictedUnpickler';
import { BiEncoder } from '../../kernel/models/bi-encoder/biEncoder';
import { collate, encodePairs } from '../../kernel/models/bi-encoder/encode';
import { openBiEncoderCheckpoint } from '../../kernel/models/bi-encoder/load';
import { importTorchCheckpoint, normaliseNames } from '../../kernel/models/bi-encoder/torchImport';
import { bf16ToF32, f16ToF32, readSafetensorsFile, type TensorEntry } from '../../kernel/engine/safetensors';
import { cli, fatalLines, REPO, SAMPLES, tmpDir } from '../cli/spawn';
import { skipBecause } from '../support/skip';
import { withEnv } from '../support/withEnv';
import { tokenizerFromJSON, type BpeTokenizer } from '../../kernel/engine/tokenizer';

const DIR = path.join(REPO, 'test', 'fixtures', 'torch');
const SOURCE = path.join(DIR, 'tiny_ER.safetensors');
const FORMATS = { zip: path.join(DIR, 'tiny_ER.pth'), legacy: path.join(DIR, 'tiny_ER_legacy.pth') } as const;
const MALICIOUS = ['malicious.pth', 'malicious_legacy.pth'].map((f) => path.join(DIR, f));
const OPTS = { heads: 2, tokenizerFrom: SOURCE };
const CLI_OPTS = ['--heads', '2', '--tokenizer_from', SOURCE];
const MARKER = 'empathy-pickle-ran';
const PAIRS = [
  { id: 'a', seekerPost: 'I failed my exam again and I feel stupid.', responsePost: 'That sounds really discouraging. What happened?' },
  { id: 'b', seekerPost: 'Nobody ever calls me back.', responsePost: "I'm sorry you feel so alone, that must hurt." },
  { id: 'c', seekerPost: 'I moved to a new city.', responsePost: 'Try joining a club.' },
];

/** Whether Debian's python3 has torch (the reason to skip when it has not). */
function torchPython(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: '/usr/bin/python3 is not installed (apt-get install -y python3-torch)' };
  return r.status === 0 ? { ok: true } : { ok: false, reason: 'python3-torch is not installed (apt-get install -y python3-torch)' };
}

describe('engine/torch: .pth files read without running them', function () {
  this.timeout(120_000);

  for (const [format, file] of Object.entries(FORMATS)) {
    it(`the ${format} format reads to the source checkpoint's tensors, byte for byte, in the original order`, async () => {
      const pth = await readTorchStateDictFile(file);
      assert.equal(pth.format, format);
      const { tensors: source } = await readSafetensorsFile(SOURCE);
      assert.deepEqual([...pth.tensors.keys()], [...source.keys()]); // the original state_dict order (94 keys)
      assert.equal(pth.tensors.size, 94);
      for (const [name, t] of source) {
        const got = pth.tensors.get(name)!;
        assert.deepEqual([got.dtype, got.shape], [t.dtype, t.shape], name);
        assert.deepEqual(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), name);
      }
    });
  }

  it('pickle protocol 4, every dtype read and strided views (a transpose, a slice of a shared storage), in both formats', async () => {
    for (const f of ['dtypes_p4.pth', 'dtypes_p4_legacy.pth']) {
      const { tensors: t } = await readTorchStateDictFile(path.join(DIR, f));
      const values = (k: string) => Array.from(t.get(k)!.data as ArrayLike<number | bigint>);
      assert.deepEqual([...t.keys()], ['f32', 'f16', 'bf16', 'i64', 'transposed', 'row'], f);
      assert.deepEqual(values('f32'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      assert.deepEqual(Array.from(f16ToF32(t.get('f16')!.data as Uint16Array)), [0.5, -2, 65504]);
      assert.deepEqual(Array.from(bf16ToF32(t.get('bf16')!.data as Uint16Array)), [1, -3.5]);
      assert.deepEqual(values('i64'), [-1n, 2n ** 40n]);
      assert.deepEqual([t.get('transposed')!.shape, values('transposed')], [[4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]]);
      assert.deepEqual([t.get('row')!.shape, values('row')], [[4], [8, 9, 10, 11]]);
    }
  });

  it('a pickle that calls os.system is refused, naming the global, in both formats', () => {
    for (const f of MALICIOUS) {
      const bytes = fs.readFileSync(f);
      assert.throws(() => readTorchStateDict(bytes), (e: Error) => e instanceof PickleRefused && /names posix\.system, which a tensor state dict never needs .*nothing was executed/.test(e.message));
    }
  });

  it('the malicious fixtures are live: a real unpickler runs their command (so the refusal above means something)', function () {
    const py = spawnSync('/usr/bin/python3', ['--version']);
    if (py.error) skipBecause(this, '/usr/bin/python3 is not installed');
    for (const f of MALICIOUS) {
      const cwd = tmpDir('empathy-pickle-');
      // The legacy file's 4th pickle is the payload; the zip's is its data.pkl. Plain `pickle`, no torch needed.
      const code = f.endsWith('legacy.pth')
        ? 'import pickle,sys; f=open(sys.argv[1],"rb"); [pickle.load(f) for _ in range(4)]'
        : 'import pickle,sys,zipfile; pickle.loads(zipfile.ZipFile(sys.argv[1]).read("malicious/data.pkl"))';
      const r = spawnSync('/usr/bin/python3', ['-c', code, f], { cwd, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(fs.existsSync(path.join(cwd, MARKER)), `${f}: python's pickle did not run the command`);
    }
  });

  it('import-torch refuses the malicious pickle in one line: exit 1, no output file, nothing run', () => {
    for (const f of MALICIOUS) {
      const cwd = tmpDir('empathy-pickle-');
      const r = cli(['import-torch', f, '--out', 'out.safetensors', ...CLI_OPTS], { cwd });
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^empathy: .*malicious(_legacy)?\.pth: the pickle names posix\.system, which a tensor state dict never needs/);
      assert.deepEqual(fs.readdirSync(cwd), []); // no marker, no output, no temp file
    }
  });

  it('tensors past their storage and storages shorter than declared are refused, naming the tensor or storage', () => {
    assert.throws(() => readTorchStateDict(fs.readFileSync(path.join(DIR, 'out_of_bounds.pth'))),
      /tensor 'w' \(shape \[100\], stride \[1\], offset 0\) reaches element 99 of storage '0', which holds 4/);
    assert.throws(() => readTorchStateDict(fs.readFileSync(path.join(DIR, 'short_storage.pth'))),
      /storage '0' \(8 × FloatStorage\) needs 32 bytes, the file holds 16/);
  });

  it('truncated or corrupted files are errors, not garbage', () => {
    const zip = fs.readFileSync(FORMATS.zip);
    assert.throws(() => readTorchStateDict(zip.subarray(0, zip.length - 30)), /end-of-central-directory|outside the file|past the end/);
    const flipped = Buffer.from(zip);
    flipped[flipped.length >> 1] ^= 0xff; // inside a storage
    assert.throws(() => readTorchStateDict(flipped), /CRC-32/);
    const legacy = fs.readFileSync(FORMATS.legacy);
    assert.throws(() => readTorchStateDict(legacy.subarray(0, legacy.length - 4)), /runs past the end of the file/);
    assert.throws(() => readTorchStateDict(Buffer.from([0x80, 0x02, 0x8a, 0x0a, 1, 2])), /past the end of the data/);
  });

  it('opcodes a state dict never uses are refused (INST would import and call a class)', () => {
    // torch's first three pickles (magic number, protocol, sys info: 137 bytes), then one using INST ('i').
    const head = fs.readFileSync(FORMATS.legacy).subarray(0, 137);
    const inst = Buffer.concat([head, Buffer.from('\x80\x02(iposix\nsystem\n.', 'latin1')]);
    assert.throws(() => readTorchStateDict(inst), /opcode 0x69 at byte \d+ is not one a tensor state dict uses/);
  });

  it('a plain Hugging Face pytorch_model.bin initialises both encoders like its safetensors would', async () => {
    const m = BiEncoder.loadHuggingFaceRoberta(path.join(DIR, 'hf-roberta'));
    const { tensors: source } = await readSafetensorsFile(SOURCE);
    const enc = [...source.keys()].filter((k) => k.startsWith('responder_encoder.roberta.'));
    assert.equal(m.size, 2 * enc.length);
    for (const k of enc) {
      assert.deepEqual(Array.from(m.get(k)!.data as Float32Array), Array.from(source.get(k)!.data as Float32Array), k);
      assert.deepEqual(Array.from(m.get(k.replace('responder_', 'seeker_'))!.data as Float32Array), Array.from(source.get(k)!.data as Float32Array), k);
    }
  });
});

describe('bi-encoder: a .pth imports and scores exactly like the checkpoint it was made from', function () {
  this.timeout(180_000);

  it('the architecture comes from the shapes, the heads and tokenizer from the options, the mechanism from the file name', async () => {
    const source = await loadCheckpoint(SOURCE);
    for (const file of Object.values(FORMATS)) {
      const r = await importTorchCheckpoint(file, OPTS);
      const want = (source.config as { model: { encoder: Record<string, unknown>; mechanisms: string[] } }).model;
      const got = (r.checkpoint.config as { model: { encoder: Record<string, unknown>; mechanisms: string[] }; maxLen: number });
      for (const k of ['vocabSize', 'hidden', 'layers', 'heads', 'intermediate', 'maxPositions', 'typeVocabSize', 'padId', 'layerNormEps']) assert.equal(got.model.encoder[k], want.encoder[k], k);
      assert.deepEqual(got.model.mechanisms, ['ER']);
      assert.equal(got.maxLen, 64);
      assert.deepEqual(r.checkpoint.tokenizer, source.tokenizer);
      assert.match(r.summary, /bi-encoder ER, hidden 32, 2 layers, 2 heads, FFN 64, vocab 300, 70 positions/);
    }
  });

  it("a DataParallel/DDP `module.` prefix and newer transformers' position_ids buffers do not get in the way", () => {
    const w: TensorEntry = { dtype: 'F32', shape: [1], data: new Float32Array([1]) };
    const ids: TensorEntry = { dtype: 'I64', shape: [1, 2], data: new BigInt64Array([0n, 1n]) };
    const got = normaliseNames(new Map<string, TensorEntry>([['module.attn.out.bias', w], ['module.seeker_encoder.roberta.embeddings.position_ids', ids], ['module.norm.alpha', w]]));
    assert.deepEqual([...got.keys()], ['attn.out.bias', 'norm.alpha']);
    // Only a prefix every key has is one: a model with a submodule called `module` keeps its names.
    assert.deepEqual([...normaliseNames(new Map<string, TensorEntry>([['module.x', w], ['norm.alpha', w]])).keys()], ['module.x', 'norm.alpha']);
  });

  it('predictions from either .pth equal the source checkpoint\'s, to the last digit', async () => {
    const source = await loadModel(SOURCE);
    try {
      const want = await source.predict(PAIRS);
      for (const file of Object.values(FORMATS)) {
        const m = await loadModel(file, { torch: OPTS });
        try {
          assert.deepEqual(await m.predict(PAIRS), want, file);
        } finally {
          m.dispose();
        }
      }
    } finally {
      source.dispose();
    }
  });

  it('empathy import-torch writes a checkpoint; `test --ER_model_path x.pth` writes the same CSV as the source checkpoint', () => {
    const dir = tmpDir('empathy-torch-');
    const input = path.join(SAMPLES, 'sample_test_input.csv');
    const ref = cli(['test', '--input_path', input, '--output_path', path.join(dir, 'source.csv'), '--ER_model_path', SOURCE]);
    assert.equal(ref.code, 0, ref.stderr);
    for (const [format, file] of Object.entries(FORMATS)) {
      const out = path.join(dir, `${format}.safetensors`);
      const imp = cli(['import-torch', file, '--out', out, ...CLI_OPTS]);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, new RegExp(`imported tiny_ER(_legacy)?\\.pth \\(${format === 'zip' ? 'zip format' : 'legacy format'}.*\\n→ .*\\(94 tensors\\)`));
      for (const model of [out, file]) {
        const csv = path.join(dir, `${path.basename(model)}.csv`);
        const r = cli(['test', '--input_path', input, '--output_path', csv, '--ER_model_path', model, ...CLI_OPTS]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(fs.readFileSync(csv, 'utf8'), fs.readFileSync(path.join(dir, 'source.csv'), 'utf8'), model);
      }
    }
  });

  it('with no tokenizer named, roberta-base\'s comes from the Hugging Face cache (the original train.py\'s base model)', async () => {
    // A cache holding "roberta-base" whose tokenizer is the tiny source's, in the hub's layout (refs/main → snapshot).
    const cache = tmpDir('empathy-hf-cache-');
    const commit = 'a'.repeat(40);
    const snap = path.join(cache, 'models--roberta-base', 'snapshots', commit);
    fs.mkdirSync(snap, { recursive: true });
    fs.mkdirSync(path.join(cache, 'models--roberta-base', 'refs'));
    fs.writeFileSync(path.join(cache, 'models--roberta-base', 'refs', 'main'), commit);
    const source = await loadCheckpoint(SOURCE);
    const { tokenizerJson, tokenizerConfig } = (await tokenizerFromJSON(source.tokenizer) as BpeTokenizer).toHuggingFace();
    fs.writeFileSync(path.join(snap, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    fs.writeFileSync(path.join(snap, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
    const r = await withEnv('HF_HUB_CACHE', cache, () => importTorchCheckpoint(FORMATS.zip, { heads: 2 }));
    assert.match(r.summary, /the roberta-base tokenizer from the Hugging Face cache/);
    const tok = await tokenizerFromJSON(r.checkpoint.tokenizer);
    assert.equal(tok.vocabSize, 300);
    const text = 'I am so sorry, that sounds hard.';
    assert.deepEqual(tok.encode(text, 64).ids, (await tokenizerFromJSON(source.tokenizer)).encode(text, 64).ids);
  });

  it('what a state dict cannot say is asked for in one line: the tokenizer, heads that do not divide, an unnamed mechanism', () => {
    const dir = tmpDir('empathy-torch-');
    const noTok = cli(['import-torch', FORMATS.zip, '--out', path.join(dir, 'a.safetensors'), '--heads', '2'], { env: { HF_HUB_CACHE: tmpDir('empathy-empty-hf-') } });
    assert.equal(noTok.code, 1);
    assert.match(fatalLines(noTok).join('\n'), /tiny_ER\.pth: a PyTorch state dict holds no tokenizer, and roberta-base \(the original's\) is not in the Hugging Face cache: run `empathy download-weights roberta-base`, or pass --tokenizer DIR .* or --tokenizer_from CKPT/);
    const heads = cli(['import-torch', FORMATS.zip, '--out', path.join(dir, 'a.safetensors'), '--tokenizer_from', SOURCE]);
    assert.match(fatalLines(heads).join('\n'), /--heads 12 does not divide the hidden size 32 \(a state dict does not record the heads: pass --heads N\)/);
    const renamed = path.join(dir, 'model.pth');
    fs.copyFileSync(FORMATS.zip, renamed);
    const mech = cli(['import-torch', renamed, '--out', path.join(dir, 'a.safetensors'), ...CLI_OPTS]);
    assert.match(fatalLines(mech).join('\n'), /model\.pth: which mechanism does this model score\? .*pass --mechanism ER\|IP\|EX/);
    assert.equal(cli(['import-torch', renamed, '--out', path.join(dir, 'a.safetensors'), '--mechanism', 'IP', ...CLI_OPTS]).code, 0);
    const over = cli(['import-torch', FORMATS.zip, '--out', FORMATS.zip, ...CLI_OPTS]);
    assert.match(fatalLines(over).join('\n'), /refusing to write over an input file \(--out is the file given to IN/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.safetensors', 'model.pth']);
  });

  it('loadCheckpoint names a .pth for what it is (weights only) instead of calling it corrupt', async () => {
    await assert.rejects(loadCheckpoint(FORMATS.zip), /tiny_ER\.pth is a PyTorch checkpoint \(torch\.save\): it holds weights only.*empathy import-torch/);
  });
});

describe('the other direction: a workbench checkpoint in PyTorch, load_state_dict(strict=True)', function () {
  this.timeout(180_000);

  it('the original class (test/fixtures/torch/original_model.py) loads it strictly and gives the same logits', async function () {
    const py = torchPython();
    if (!py.ok) skipBecause(this, py.reason);
    const { net, tokenizer, cfg } = await openBiEncoderCheckpoint(SOURCE);
    try {
      const { examples } = encodePairs(PAIRS, tokenizer, { maxLen: cfg.maxLen });
      const seqLen = Math.max(...examples.flatMap((e) => [e.spIds.length, e.rpIds.length]));
      const b = collate(examples, seqLen, tokenizer.padId);
      const rows = (a: Int32Array) => Array.from({ length: b.batch }, (_, i) => Array.from(a.subarray(i * seqLen, (i + 1) * seqLen)));
      const dir = tmpDir('empathy-torch-');
      fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ idsSP: rows(b.idsSP), idsRP: rows(b.idsRP), maskSP: rows(b.maskSP), maskRP: rows(b.maskRP) }));
      const r = spawnSync('/usr/bin/python3', [path.join(DIR, 'original_model.py'), SOURCE, path.join(dir, 'in.json'), path.join(dir, 'out.json')], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' } });
      assert.equal(r.status, 0, r.stderr);
      const torchOut = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as { levelLogits: number[][]; rationaleLogits: number[][][]; keys: string[] };
      assert.deepEqual(torchOut.keys, [...net.params.keys()]); // same names, same order: the original state_dict
      const [levelT, rationaleT] = tf.tidy(() => {
        const out = net.forward(b, { training: false });
        return [out.levelLogits.ER!, out.rationaleLogits.ER!];
      });
      const level = (await levelT.array()) as number[][];
      const rationale = (await rationaleT.array()) as number[][][];
      tf.dispose([levelT, rationaleT]);
      const close = (a: number, w: number, at: string) => assert.ok(Math.abs(a - w) <= 1e-5 + 1e-4 * Math.abs(w), `${at}: workbench ${a}, PyTorch ${w}`);
      level.forEach((row, i) => row.forEach((v, j) => close(v, torchOut.levelLogits[i][j], `level[${i}][${j}]`)));
      rationale.forEach((row, i) => row.forEach((tok, t) => tok.forEach((v, j) => close(v, torchOut.rationaleLogits[i][t][j], `rationale[${i}][${t}][${j}]`))));
    } finally {
      net.dispose();
    }
  });
});

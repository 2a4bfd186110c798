// The bi-encoder's ONNX export run by onnxruntime against the tfjs forward and the PyTorch golden outputs
// (test/fixtures/bi-encoder-tiny, copied from ../shared/fixtures, both sets), a joint random config with padding, and predict/evaluate
// of a loaded checkpoint through onnxruntime and tfjs (EMPATHY_INFERENCE).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { decodeModel } from '../../kernel/engine/onnx/proto';
import { OPSET } from '../../kernel/engine/onnx/graph';
import { INFERENCE_ENV, loadOrt, resolveInference } from '../../kernel/engine/onnx/runtime';
import { readSafetensors, type TensorEntry, toFloat32, toInt32 } from '../../kernel/engine/safetensors';
import { BiEncoder, type EncodedBatch } from '../../kernel/models/bi-encoder/biEncoder';
import { resolvePreset } from '../../kernel/models/bi-encoder/config';
import { exportBiEncoderOnnx } from '../../kernel/models/bi-encoder/onnxExport';
import { BiEncoderOnnx } from '../../kernel/models/bi-encoder/onnxInference';
import { loadBiEncoder } from '../../kernel/models/bi-encoder/load';
import { train } from '../../kernel/models/bi-encoder/train';
import { skipBecause } from '../support/skip';
import { withEnv } from '../support/withEnv';
import { toyConfig, toyPairs } from './toyData';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = path.resolve(REPO, 'test/fixtures/bi-encoder-tiny');
// The parity tests' forward tolerance (fixture README): max|a-b| ≤ rtol·max|b| + atol.
const RTOL = 1e-4;
const ATOL = 1e-6;

function close(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = RTOL, atol = ATOL): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let maxDiff = 0, maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxDiff)) maxDiff = d; // NaN-propagating
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  assert.ok(maxDiff <= rtol * maxRef + atol, `${what}: max|diff| ${maxDiff.toExponential(3)} > ${rtol}·${maxRef.toExponential(3)} + ${atol}`);
}

function readST(file: string): Map<string, TensorEntry> {
  const buf = fs.readFileSync(file);
  return readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)).tensors;
}

/** The tfjs eval forward's logits as plain arrays. */
/**
 * Rationale logits [B, T, 2] at the response's real tokens only (mask == 1), in order. The ONNX graph computes
 * only those rows (kernel/models/bi-encoder/onnxExport.ts RealRows) and writes 0 at the padding, which no
 * prediction or loss reads; checked to be 0 here.
 */
function atRealTokens(logits: ArrayLike<number>, maskRP: Int32Array, checkPadsZero = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < maskRP.length; i++) {
    if (maskRP[i]) out.push(logits[2 * i], logits[2 * i + 1]);
    else if (checkPadsZero) assert.deepEqual([logits[2 * i], logits[2 * i + 1]], [0, 0], `rationale logits at padded position ${i}`);
  }
  return out;
}

function tfjsLogits(net: BiEncoder, b: EncodedBatch) {
  return tf.tidy(() => {
    const out = net.forward(b, { training: false });
    const level: Record<string, Float32Array> = {}, rationale: Record<string, Float32Array> = {};
    for (const m of net.cfg.mechanisms) {
      level[m] = out.levelLogits[m]!.dataSync() as Float32Array;
      rationale[m] = out.rationaleLogits[m]!.dataSync() as Float32Array;
    }
    return { level, rationale };
  });
}

describe('engine/onnx: the bi-encoder exported to ONNX, run by onnxruntime', function () {
  this.timeout(300_000);
  let prevBackend: string;

  before(async function () {
    const ort = loadOrt();
    if ('error' in ort) skipBecause(this, `onnxruntime-node does not load here: ${ort.error}`);
    prevBackend = tf.getBackend();
    await initBackend('cpu', 'flag'); // the exact reference backend
  });
  after(async () => {
    if (prevBackend) await tf.setBackend(prevBackend);
  });

  const onnxInfo = () => {
    const info = resolveInference({ [INFERENCE_ENV]: 'onnx', EMPATHY_INFERENCE_THREADS: '1' });
    assert.equal(info.engine, 'onnxruntime');
    return info as Extract<typeof info, { engine: 'onnxruntime' }>;
  };

  for (const set of ['std 0.02', 'std 0.2'] as const) {
    it(`equals the golden PyTorch logits and the tfjs forward on the fixtures (${set})`, async function () {
      const dir = set === 'std 0.02' ? FIXTURES : path.join(FIXTURES, 'init_std_0.2');
      assert.ok(fs.existsSync(path.join(dir, 'weights.safetensors')), `the parity fixtures are part of the repository and missing at ${dir}`);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const e = config.encoder;
      const net = new BiEncoder(resolvePreset('tiny', {
        encoder: {
          vocabSize: e.vocab_size, hidden: e.hidden_size, layers: e.num_hidden_layers, heads: e.num_attention_heads,
          intermediate: e.intermediate_size, maxPositions: e.max_position_embeddings, typeVocabSize: e.type_vocab_size,
          layerNormEps: e.layer_norm_eps, hiddenDropout: 0, attentionDropout: 0, padId: e.pad_token_id, initStd: config.init_std,
        },
        dropout: 0,
      }), 1234);
      const runner = await (async () => {
        net.loadStateDict(readST(path.join(dir, 'weights.safetensors')), { strict: true });
        return BiEncoderOnnx.create(net, onnxInfo());
      })();
      try {
        const inputs = readST(path.join(dir, 'inputs.safetensors'));
        const get = (n: string) => toInt32(n, inputs.get(n)!);
        const [B, T] = inputs.get('input_ids_RP')!.shape;
        const b: EncodedBatch = { batch: B, seqLen: T, idsSP: get('input_ids_SP'), maskSP: get('attention_mask_SP'), idsRP: get('input_ids_RP'), maskRP: get('attention_mask_RP') };
        const got = await runner.forward(b);
        const golden = readST(path.join(dir, 'expected_forward.safetensors'));
        close('level logits vs PyTorch', got.level.ER!, toFloat32('logits_empathy', golden.get('logits_empathy')!));
        const real = (x: ArrayLike<number>, zeros = false) => atRealTokens(x, b.maskRP, zeros);
        close('rationale logits vs PyTorch (real tokens)', real(got.rationale.ER!, true), real(toFloat32('logits_rationales', golden.get('logits_rationales')!)));
        const ref = tfjsLogits(net, b);
        close('level logits vs tfjs', got.level.ER!, ref.level.ER);
        close('rationale logits vs tfjs (real tokens)', real(got.rationale.ER!), real(ref.rationale.ER));
      } finally {
        await runner.release();
        net.dispose();
      }
    });
  }

  it('a joint random config (B=3, varied lengths and padding, seeker mask on) matches tfjs for every mechanism, at any B and T', async () => {
    const cfg = resolvePreset('tiny', { mechanisms: ['ER', 'IP', 'EX'], seekerMask: true, encoder: { initStd: 0.2, hidden: 24, heads: 3, layers: 3, intermediate: 40 } });
    const net = new BiEncoder(cfg, 7);
    const runner = await BiEncoderOnnx.create(net, onnxInfo());
    try {
      // One graph serves every batch shape (B and T are dynamic).
      for (const [B, T, seed] of [[3, 12, 1], [5, 7, 2]]) {
        let a = seed;
        const rnd = (n: number) => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a % n; };
        const side = () => {
          const ids = new Int32Array(B * T), mask = new Int32Array(B * T);
          for (let r = 0; r < B; r++) {
            const len = r === 0 ? T : 2 + rnd(T - 2); // one full row, the rest padded
            for (let t = 0; t < T; t++) {
              const on = t < len;
              ids[r * T + t] = on ? (t === 0 ? 0 : 3 + rnd(cfg.encoder.vocabSize - 3)) : cfg.encoder.padId;
              mask[r * T + t] = on ? 1 : 0;
            }
          }
          return { ids, mask };
        };
        const sp = side(), rp = side();
        const b: EncodedBatch = { batch: B, seqLen: T, idsSP: sp.ids, maskSP: sp.mask, idsRP: rp.ids, maskRP: rp.mask };
        const got = await runner.forward(b);
        const ref = tfjsLogits(net, b);
        for (const m of cfg.mechanisms) {
          close(`${m} level logits B=${B} T=${T}`, got.level[m]!, ref.level[m]);
          close(`${m} rationale logits B=${B} T=${T} (real tokens)`, atRealTokens(got.rationale[m]!, b.maskRP, true), atRealTokens(ref.rationale[m], b.maskRP));
        }
      }
      // Bad input fails with the tfjs forward's message, before onnxruntime sees it.
      const bad: EncodedBatch = { batch: 1, seqLen: 2, idsSP: Int32Array.of(0, 999), maskSP: Int32Array.of(1, 1), idsRP: Int32Array.of(0, 2), maskRP: Int32Array.of(1, 1) };
      await assert.rejects(runner.forward(bad), /token id 999 at 1 outside vocab of 120/);
    } finally {
      await runner.release();
      net.dispose();
    }
  });

  describe('weights outside the model bytes (external data, as roberta-base-sized models export)', () => {
    // A joint model with its frozen seeker kept in JavaScript arrays (as training on wasm/cpu leaves it).
    const cfg = resolvePreset('tiny', { mechanisms: ['ER', 'IP'], encoder: { initStd: 0.2, hidden: 24, heads: 3, layers: 2, intermediate: 40 } });
    const b: EncodedBatch = { batch: 2, seqLen: 5, idsSP: Int32Array.of(0, 7, 9, 2, 1, 0, 4, 2, 1, 1), maskSP: Int32Array.of(1, 1, 1, 1, 0, 1, 1, 1, 0, 0), idsRP: Int32Array.of(0, 5, 6, 8, 2, 0, 11, 2, 1, 1), maskRP: Int32Array.of(1, 1, 1, 1, 1, 1, 1, 1, 0, 0) };
    let tmp: string;
    beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-external-')); });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('the graph keeps only references to its weights file; the session gives the inline logits and leaves no temporary folder', async () => {
      const net = new BiEncoder(cfg, 11);
      assert.ok(net.moveFrozenSeekerToHost() > 0);
      const inline = await BiEncoderOnnx.create(net, onnxInfo(), { external: false });
      try {
        const model = await exportBiEncoderOnnx(net, { external: true });
        assert.ok(!(model instanceof Uint8Array));
        const m = decodeModel(model.graph);
        const word = m.graph.initializer.find((t) => t.name === 'seeker_encoder.roberta.embeddings.word_embeddings.weight')!;
        assert.equal(word.rawData?.length ?? 0, 0); // no values in the model bytes
        assert.deepEqual(word.externalData?.map((e) => e.key), ['location', 'offset', 'length']);
        assert.ok(model.parts.every((p) => p.offset % 4096 === 0), 'each weight starts on a page');
        const external = await withEnv('TMPDIR', tmp, () => BiEncoderOnnx.create(net, onnxInfo(), { external: true }));
        try {
          assert.equal(external.weights, 'mapped');
          assert.equal(inline.weights, 'inline');
          assert.deepEqual(fs.readdirSync(tmp), [], 'the temporary model folder is removed once the session holds it');
          const [a, e] = [await inline.forward(b), await external.forward(b)];
          for (const mech of cfg.mechanisms) {
            assert.deepEqual(e.level[mech], a.level[mech]);
            assert.deepEqual(e.rationale[mech], a.rationale[mech]);
          }
        } finally {
          await external.release();
        }
      } finally {
        await inline.release();
        net.dispose();
      }
    });

    it('when the weights file cannot be written, the model opens with its weights inline', async () => {
      const net = new BiEncoder(cfg, 12);
      const blocked = path.join(tmp, 'not-a-folder');
      fs.writeFileSync(blocked, 'x'); // the temporary folder's parent is a file: mkdtemp fails (ENOTDIR)
      const runner = await withEnv('TMPDIR', blocked, () => BiEncoderOnnx.create(net, onnxInfo(), { external: true }));
      try {
        assert.equal(runner.weights, 'inline');
        const got = await runner.forward(b);
        const ref = tfjsLogits(net, b);
        close('level logits (fallback inline)', got.level.ER!, ref.level.ER);
      } finally {
        await runner.release();
        net.dispose();
      }
    });
  });

  it('the graph reads back as an opset-17 ModelProto with int64 [B, T] inputs and per-mechanism outputs', async () => {
    const net = new BiEncoder(resolvePreset('tiny', { mechanisms: ['ER', 'EX'] }), 3);
    try {
      const model = await exportBiEncoderOnnx(net);
      assert.ok(model instanceof Uint8Array, 'a small model is one blob, weights inline');
      const m = decodeModel(model);
      assert.deepEqual(m.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', OPSET]]); // plain ONNX: no contrib ops
      assert.deepEqual(m.graph.input.map((i) => i.name), ['ids_SP', 'mask_SP', 'ids_RP', 'mask_RP']);
      assert.deepEqual(m.graph.input[0].type.tensorType.shape.dim.map((d) => d.dimParam), ['B', 'T']);
      assert.equal(m.graph.input[0].type.tensorType.elemType, 7); // INT64
      assert.deepEqual(m.graph.output.map((o) => o.name), ['level_ER', 'rationale_ER', 'level_EX', 'rationale_EX']);
      // Every parameter the eval forward uses is an initializer (the unused pooler and `norm.*` are not).
      const inits = new Set(m.graph.initializer.map((t) => t.name));
      assert.ok(inits.has('responder_encoder.roberta.encoder.layer.1.output.dense.weight'));
      assert.ok(!inits.has('norm.alpha') && !inits.has('seeker_encoder.roberta.pooler.dense.weight'));
    } finally {
      net.dispose();
    }
  });

  describe('a loaded checkpoint predicts and evaluates the same through onnxruntime and tfjs', () => {
    let file: string;
    before(async () => {
      const { model } = await train({ ...toyConfig, epochs: 2 }, { train: toyPairs(32) });
      file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-onnx-')), 'toy.pth');
      try {
        await model.save(file);
      } finally {
        model.dispose();
      }
    });

    it('same levels, probabilities within 1e-5, same loss and metrics', async () => {
      const pairs = toyPairs(20, 5);
      const run = (engine: 'onnx' | 'tfjs') => withEnv(INFERENCE_ENV, engine, async () => {
        const m = await loadBiEncoder(file);
        try {
          const preds = await m.predict(pairs, { batchSize: 7 });
          const report = await m.evaluate(pairs, { batchSize: 7 });
          return { preds, report, inference: m.inference };
        } finally {
          m.dispose();
        }
      });
      const onnx = await run('onnx');
      const tfjs = await run('tfjs');
      assert.equal(onnx.inference?.engine, 'onnxruntime');
      assert.deepEqual(tfjs.inference, { engine: 'tfjs', reason: 'EMPATHY_INFERENCE=tfjs' });
      onnx.preds.forEach((p, i) => {
        const a = p.mechanisms.ER!, b = tfjs.preds[i].mechanisms.ER!;
        assert.equal(a.level, b.level, `pair ${i}`);
        close(`pair ${i} level probs`, a.probs, b.probs, 0, 1e-5);
        close(`pair ${i} token probs`, a.tokens.map((t) => t.prob), b.tokens.map((t) => t.prob), 0, 1e-5);
      });
      close('evaluate loss', [onnx.report.loss], [tfjs.report.loss], 0, 1e-5);
      const [eo, et] = [onnx.report.mechanisms.ER!, tfjs.report.mechanisms.ER!];
      assert.deepEqual(eo.confusion, et.confusion);
      assert.deepEqual(eo.rationale.all, et.rationale.all);
    });
  });
});

// The BiGRU rationale tagger on a tiny toy set: it overfits, owns every tensor, stops when aborted,
// round-trips through a checkpoint, and the copy-free wasm Slice/Unpack kernels match tfjs's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';
import { loadModel } from '../../kernel/models/families';
import type { TrainEvent } from '../../kernel/engine/types';
import type { TaggerConfig } from '../../kernel/models/tagger/config';
import { loadCheckpoint } from '../../kernel/engine/checkpoint';
import { loadTagger, taggerFromCheckpoint, trainTagger, type TaggerModel } from '../../kernel/models/tagger/taggerModel';
import { makeBatch, toExamples, WordVocab } from '../../kernel/models/tagger/vocab';
import { installFastWasmSlice } from '../../kernel/models/tagger/wasmSlice';
import { toyPairs } from './toy';
import { skipBecause } from '../support/skip';

/** A tiny, fast tagger: the cpu backend (deterministic), small widths, many epochs on few rows. */
const tiny: Partial<TaggerConfig> = { backend: 'cpu', embedDim: 16, hidden: 16, headHidden: 16, charBuckets: 64, vocabSize: 200, minCount: 1, dropout: 0, lr: 0.02, batchSize: 12, epochs: 25, maxLen: 16, seed: 3 };

describe('models/tagger', function () {
  this.timeout(300000);
  const train = toyPairs(24, 5);
  // Save → load must predict bit-identically, so loaded checkpoints infer through tfjs here as the trained
  // model does; their onnxruntime path is compared with tfjs (within 1e-5) in taggerOnnx.test.ts.
  let prevInference: string | undefined;
  before(() => {
    prevInference = process.env.EMPATHY_INFERENCE;
    process.env.EMPATHY_INFERENCE = 'tfjs';
  });
  after(() => {
    if (prevInference === undefined) delete process.env.EMPATHY_INFERENCE;
    else process.env.EMPATHY_INFERENCE = prevInference;
  });

  it('a batch reverses each row within its length and points padding at type 0', () => {
    const vocab = WordVocab.build(['a b c', 'a b'], 10, 1);
    const exs = toExamples([{ id: '1', seekerPost: 'a b c', responsePost: 'a b' }], 8, []);
    const b = makeBatch(exs, vocab, { charBuckets: 16, charPerToken: 4 }, []);
    assert.equal(b.T, 3);
    const fw = Array.from(b.tokType.subarray(0, 6));
    const bw = Array.from(b.tokType.subarray(6));
    assert.deepEqual(bw, [fw[2], fw[1], fw[0], fw[4], fw[3], 0]); // "c b a", "b a" + pad
    assert.deepEqual(Array.from(b.unreverse), [2, 1, 0, 4, 3, 5]);
    assert.deepEqual(Array.from(b.mask), [1, 1, 1, 1, 1, 0]);
  });

  it("the rationale head's clause / sentence averaging matrices average within each segment", () => {
    const vocab = WordVocab.build(['x'], 10, 1);
    // response tokens: I see , that hurts . Are you ok ?  → clauses 0 0 0 1 1 1 2 2 2 2, sentences 0×6, 1×4
    const exs = toExamples([{ id: '1', seekerPost: 'hi', responsePost: 'I see, that hurts. Are you ok?' }], 16, []);
    const b = makeBatch(exs, vocab, { charBuckets: 16, charPerToken: 4, segmentPooling: true }, []);
    const T = b.T;
    assert.equal(T, 10);
    const row = (m: Float32Array, i: number) => Array.from(m.subarray(i * T, (i + 1) * T)).map((x) => +x.toFixed(4));
    assert.deepEqual(row(b.clauseAvg, 4), [0, 0, 0, 0.3333, 0.3333, 0.3333, 0, 0, 0, 0]); // "hurts" ↔ "that hurts ."
    assert.deepEqual(row(b.sentenceAvg, 7), [0, 0, 0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25]); // "you" ↔ "Are you ok ?"
    for (let i = 0; i < T; i++) assert.ok(Math.abs(row(b.sentenceAvg, i).reduce((x, y) => x + y, 0) - 1) < 1e-3);
  });

  it('segment pooling is a checkpointed option; a checkpoint from before it existed loads with it off', async () => {
    await initBackend('cpu');
    const r = await trainTagger({ ...tiny, epochs: 2, segmentPooling: false }, { train });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h7-tagger-')), 'old.pth');
    await r.model.save(file);
    const ck = await loadCheckpoint(file);
    delete (ck.config as Record<string, unknown>).segmentPooling; // what an older checkpoint holds
    const old = await taggerFromCheckpoint(ck, file);
    assert.equal(old.cfg.segmentPooling, false);
    assert.deepEqual(await old.predict(train.slice(0, 4)), await r.model.predict(train.slice(0, 4)));
    old.dispose();
    r.model.dispose();
    // With pooling on, the rationale head is 3× wider and the checkpoint round-trips with it.
    const pooled = (await trainTagger({ ...tiny, epochs: 2, segmentPooling: true }, { train })).model as TaggerModel;
    assert.deepEqual(pooled.net.params.get('rationale.w')!.shape, [3 * 2 * tiny.hidden!, 3]);
    const file2 = file.replace('old.pth', 'pooled.pth');
    await pooled.save(file2);
    const back = await loadTagger(file2);
    assert.equal(back.cfg.segmentPooling, true);
    assert.deepEqual(await back.predict(train.slice(0, 4)), await pooled.predict(train.slice(0, 4)));
    back.dispose();
    pooled.dispose();
  });

  it('keeps the moving average of the weights: decay ½ over the last two steps = their mean', async () => {
    await initBackend('cpu');
    // 24 rows, batch 12 → 2 steps per epoch; 3 epochs = 6 steps. W5, W6: the weights after steps 5 and 6.
    const plain = { ...tiny, epochs: 3, emaDecay: 0 };
    const w6 = await trainTagger(plain, { train });
    const ac = new AbortController();
    const w5 = await trainTagger({ ...plain, epochs: 4 }, { train }, { signal: ac.signal, onEvent: (e) => { if (e.type === 'step' && e.step === 5) ac.abort(); } });
    const avg = await trainTagger({ ...plain, emaDecay: 0.5, emaFromEpoch: 3 }, { train });
    const [a, b, c] = [w5, w6, avg].map((r) => (r.model as TaggerModel).net.stateDict());
    let maxErr = 0;
    let maxStep = 0;
    for (const [k, e] of c) {
      const x = a.get(k)!.data as Float32Array;
      const y = b.get(k)!.data as Float32Array;
      const z = e.data as Float32Array;
      for (let i = 0; i < z.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(z[i] - (x[i] + y[i]) / 2));
        maxStep = Math.max(maxStep, Math.abs(x[i] - y[i]));
      }
    }
    assert.ok(maxStep > 1e-4, 'the last step moved the weights');
    assert.ok(maxErr < 1e-6, `|EMA − (W5 + W6)/2| = ${maxErr}`);
    for (const r of [w5, w6, avg]) r.model.dispose();
  });

  describe('trained on 24 toy pairs', () => {
    let model: TaggerModel;
    const events: TrainEvent[] = [];
    let tensorsBefore = 0;
    before(async () => {
      await initBackend('cpu');
      tensorsBefore = tf.memory().numTensors;
      model = (await trainTagger(tiny, { train }, { onEvent: (e) => events.push(e) })).model as TaggerModel;
    });

    it('overfits: loss falls and the training levels are recovered', async () => {
      const steps = events.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step');
      assert.equal(events[0].type, 'start');
      assert.equal(events[events.length - 1].type, 'end');
      assert.ok(steps[steps.length - 1].loss < steps[0].loss / 3, `loss ${steps[0].loss} → ${steps[steps.length - 1].loss}`);
      const rep = await model.evaluate(train);
      for (const m of ['ER', 'IP', 'EX'] as const) assert.ok(rep.mechanisms[m]!.accuracy >= 0.9, `${m} train accuracy ${rep.mechanisms[m]!.accuracy}`);
      assert.ok(rep.mechanisms.EX!.rationale.positive.tokenF1 > 0.8, `EX rationale F1 ${rep.mechanisms.EX!.rationale.positive.tokenF1}`);
    });

    it('predictions carry offsets into the response and rationales only at level > 0', async () => {
      const [p] = await model.predict([train[0]]);
      const ex = p.mechanisms.EX!;
      for (const t of ex.tokens) assert.equal(train[0].responsePost.slice(t.start, t.end), t.text);
      if (ex.level === 0) assert.ok(ex.tokens.every((t) => t.prob === 0));
      assert.ok(Math.abs(ex.probs[0] + ex.probs[1] + ex.probs[2] - 1) < 1e-5);
    });

    it('save → load (also through the engine registry) predicts identically', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h7-tagger-')), 'tagger.pth');
      await model.save(file);
      const a = await model.predict(train.slice(0, 6));
      for (const loaded of [await loadTagger(file), await loadModel(file)]) {
        assert.equal(loaded.family, 'tagger');
        assert.deepEqual(await loaded.predict(train.slice(0, 6)), a);
        loaded.dispose();
      }
    });

    it('owns every tensor: none left after training, predicting and dispose', async () => {
      await model.predict(train);
      model.dispose();
      assert.equal(tf.memory().numTensors, tensorsBefore);
    });
  });

  it('stops between batches when aborted, keeping a usable model', async () => {
    await initBackend('cpu');
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    const events: TrainEvent[] = [];
    const r = await trainTagger({ ...tiny, epochs: 50 }, { train }, { signal: ac.signal, onEvent: (e) => { events.push(e); if (e.type === 'step' && e.step === 2) ac.abort(); } });
    assert.equal(r.stopped, 'aborted');
    assert.equal(r.steps, 2);
    assert.ok(events.some((e) => e.type === 'stopped'));
    assert.equal((await r.model.predict(train.slice(0, 2))).length, 2);
    r.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('the copy-free wasm Slice / Unpack give the same values as the cpu backend', async function () {
    try {
      await initBackend('wasm');
    } catch (e) {
      skipBecause(this, `wasm backend unavailable here (${(e as Error).message.split('\n')[0]})`);
    }
    try {
      installFastWasmSlice();
      const data = Float32Array.from({ length: 4 * 3 * 5 * 6 }, (_, i) => i);
      const x = tf.tensor4d(data, [4, 3, 5, 6]);
      const got = [tf.slice(x, [1, 0, 2, 1], [2, 3, 2, 4]), ...tf.unstack(x, 2), tf.slice(x, [2, 0, 0, 0], [1, 3, 5, 6])].map((t) => Array.from(t.dataSync()));
      await initBackend('cpu');
      const y = tf.tensor4d(data, [4, 3, 5, 6]);
      const want = [tf.slice(y, [1, 0, 2, 1], [2, 3, 2, 4]), ...tf.unstack(y, 2), tf.slice(y, [2, 0, 0, 0], [1, 3, 5, 6])].map((t) => Array.from(t.dataSync()));
      assert.deepEqual(got, want);
      tf.dispose([y]);
    } finally {
      await initBackend('cpu');
    }
  });
});

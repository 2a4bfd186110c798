// Training the bi-encoder through the public API: loss goes down, events stream, abort keeps the last
// completed step's weights, resume equals an uninterrupted run, joint models train on all mechanisms.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { trainTokenizer, type LabeledPair, type TrainEvent } from '../../kernel/engine';
import { BiEncoderModel, collate, defaultTrainConfig, encodePairs, train } from '../../kernel/models';
import { robertaParamSpecs } from '../../kernel/models/bi-encoder/roberta';
import { PRESETS } from '../../kernel/models/bi-encoder/config';
import { activationBytesPerExample, planMicroBatches, trainingMemory, WASM_HEAP_MAX, WASM_TRAINING_HEAP_BUDGET } from '../../kernel/models/bi-encoder/memoryPlan';
import { BiEncoder } from '../../kernel/models/bi-encoder/biEncoder';
import { toyConfig, toyPairs } from './toyData';
import { tinyRoberta } from './tinyRoberta';
import { labelOf } from '../../dataset/label';

const weightsOf = (m: BiEncoderModel) => new Map([...m.net.stateDict()].map(([k, v]) => [k, Array.from(v.data as Float32Array)]));

describe('engine/train', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'engine-train-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the original train.py defaults', () => {
    const d = defaultTrainConfig;
    assert.deepEqual(
      [d.lr, d.lambda_EI, d.lambda_RE, d.dropout, d.max_len, d.batch_size, d.epochs, d.seed_val, d.warmup_steps, d.grad_accum, d.max_grad_norm, d.paper_faithful],
      [2e-5, 0.5, 0.5, 0.1, 64, 32, 4, 12, 0, 1, 1.0, false],
    );
  });

  it('lowers the loss in a few steps on a tiny preset and streams typed events', async () => {
    const events: TrainEvent[] = [];
    const { model, steps, stopped } = await train({ ...toyConfig, epochs: 3 }, { train: toyPairs(48), dev: toyPairs(12, 7) }, { onEvent: (e) => events.push(e) });
    try {
      assert.equal(stopped, undefined);
      assert.equal(steps, 18); // 48 pairs / 8 per step × 3 epochs
      const start = events.find((e) => e.type === 'start');
      assert.ok(start && start.type === 'start' && start.totalSteps === 18 && start.backend.name === 'cpu');
      const stepEvents = events.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step');
      assert.equal(stepEvents.length, 18);
      for (const e of stepEvents) {
        assert.ok(Number.isFinite(e.loss) && Number.isFinite(e.gradNorm) && e.examplesPerSec > 0);
        assert.ok(Math.abs(e.loss - (0.5 * e.lossLevel + 0.5 * e.lossRationale)) < 1e-4);
      }
      assert.ok(stepEvents[0].lr > stepEvents[17].lr, 'linear decay');
      const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');
      assert.equal(epochs.length, 3);
      assert.ok(epochs[2].trainLoss < epochs[0].trainLoss, `train loss ${epochs.map((e) => e.trainLoss.toFixed(3))}`);
      assert.equal(events[events.length - 1].type, 'end');
    } finally {
      model.dispose();
    }
  });

  it('evaluates dev every epoch and the dev loss falls', async () => {
    const devLoss: number[] = [];
    const { model, dev } = await train({ ...toyConfig, epochs: 3, do_validation: true }, { train: toyPairs(48), dev: toyPairs(12, 7) }, {
      onEvent: (e) => { if (e.type === 'epoch' && e.dev) devLoss.push(e.dev.loss); },
    });
    try {
      assert.equal(devLoss.length, 3);
      assert.ok(devLoss[2] < devLoss[0], `dev loss ${devLoss}`);
      assert.ok(dev?.mechanisms.ER && dev.mechanisms.ER.n === 12);
    } finally {
      model.dispose();
    }
  });

  it('abort mid-step keeps the weights of the last completed step and emits stopped', async () => {
    const data = { train: toyPairs(48) };
    const cfg = { ...toyConfig, grad_accum: 2 };
    // A: abort lands after the first micro-batch of step 4 has run (the loop yields between micro-batches).
    const ctlA = new AbortController();
    const events: TrainEvent[] = [];
    const a = await train(cfg, data, {
      signal: ctlA.signal,
      onEvent: (e) => { events.push(e); if (e.type === 'step' && e.step === 3) setImmediate(() => ctlA.abort()); },
    });
    // B: the same run stopped exactly at the step boundary after step 3.
    const ctlB = new AbortController();
    const b = await train(cfg, data, { signal: ctlB.signal, onEvent: (e) => { if (e.type === 'step' && e.step === 3) ctlB.abort(); } });
    try {
      assert.equal(a.stopped, 'aborted');
      assert.equal(a.steps, 3);
      assert.equal(b.steps, 3);
      assert.deepEqual(events.filter((e) => e.type === 'stopped'), [{ type: 'stopped', v: 1, step: 3, reason: 'aborted' }]);
      assert.equal(events[events.length - 1].type, 'end');
      const wa = weightsOf(a.model as BiEncoderModel), wb = weightsOf(b.model as BiEncoderModel);
      for (const [k, v] of wb) assert.deepEqual(wa.get(k), v, k);
      // Still a usable model.
      const [p] = await a.model.predict(toyPairs(1));
      assert.equal(p.mechanisms.ER!.probs.length, 3);
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });

  it('resume from a checkpoint equals the uninterrupted run (cpu)', async () => {
    const data = { train: toyPairs(40) };
    const ckpt = path.join(dir, 'nested', 'run', 'sample_ER.pth');
    const cfg = { ...toyConfig, epochs: 2, save_model_path: ckpt };
    const full = await train({ ...toyConfig, epochs: 2 }, data);
    const ctl = new AbortController();
    const part = await train(cfg, data, { signal: ctl.signal, onEvent: (e) => { if (e.type === 'step' && e.step === 7) ctl.abort(); } });
    assert.equal(part.steps, 7); // mid second epoch (5 steps per epoch)
    part.model.dispose();
    const events: TrainEvent[] = [];
    const resumed = await train({ ...toyConfig, epochs: 2, resume: ckpt }, data, { onEvent: (e) => events.push(e) });
    try {
      const start = events.find((e) => e.type === 'start');
      assert.ok(start && start.type === 'start' && start.resumedFromStep === 7);
      assert.equal(resumed.steps, 10);
      assert.deepEqual(events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step), [8, 9, 10]);
      const a = weightsOf(full.model as BiEncoderModel), b = weightsOf(resumed.model as BiEncoderModel);
      assert.equal(a.size, b.size);
      for (const [k, v] of a) assert.deepEqual(b.get(k), v, k);
    } finally {
      full.model.dispose();
      resumed.model.dispose();
    }
  });

  it('trains a joint model on every mechanism present in the data', async () => {
    const pairs = toyPairs(24).map((p, i) => ({ ...p, labels: { ...p.labels, EX: labelOf(p.responsePost, i % 2 ? 0 : 1, i % 2 ? [] : [p.responsePost.split(' ')[0]]) } }));
    const { model } = await train({ ...toyConfig, epochs: 1 }, { train: pairs });
    try {
      assert.deepEqual([...model.mechanisms], ['ER', 'EX']);
      const [pred] = await model.predict(pairs.slice(0, 1));
      assert.ok(pred.mechanisms.ER && pred.mechanisms.EX);
    } finally {
      model.dispose();
    }
  });

  it('early stopping: stops after `patience` epochs without dev macro-F1 gain, checkpointing each epoch', async () => {
    const events: TrainEvent[] = [];
    const file = path.join(dir, 'es', 'model.pth');
    // A vanishing learning rate: dev macro-F1 cannot improve after epoch 1.
    const { model, stopped, steps } = await train({ ...toyConfig, lr: 1e-12, epochs: 6, early_stopping: 1, do_validation: true, save_model_path: file },
      { train: toyPairs(16), dev: toyPairs(8, 2) }, { onEvent: (e) => events.push(e) });
    model.dispose();
    assert.equal(stopped, 'early-stopping');
    assert.equal(steps, 4); // 2 epochs × 2 steps
    assert.equal(events.filter((e) => e.type === 'epoch').length, 2);
    assert.deepEqual(events.filter((e) => e.type === 'stopped'), [{ type: 'stopped', v: 1, step: 4, reason: 'early-stopping' }]);
    assert.deepEqual(events.filter((e) => e.type === 'checkpoint').map((e) => (e as { step: number }).step), [2, 4]);
  });

  it('init_weights: a Hugging Face roberta folder initialises both encoders, with its tokenizer.json', async () => {
    const hf = path.join(dir, 'hf-roberta');
    const pairs = toyPairs(16);
    const { files, tensors } = tinyRoberta(); // the tiny preset's encoder and a BPE on the toy corpus, as the hub serves them
    mkdirSync(hf, { recursive: true });
    for (const [name, f] of files) writeFileSync(path.join(hf, name), f.content);
    const events: TrainEvent[] = [];
    const { model } = await train({ ...toyConfig, init_weights: hf, lr: 1e-12, epochs: 1 }, { train: pairs }, { onEvent: (e) => events.push(e) });
    try {
      const m = model as BiEncoderModel;
      assert.equal(m.tokenizer.kind, 'hf');
      const want = tensors.get('roberta.encoder.layer.1.output.dense.weight')!.data as Float32Array;
      for (const side of ['seeker_encoder', 'responder_encoder']) {
        const got = m.net.stateDict().get(`${side}.roberta.encoder.layer.1.output.dense.weight`)!.data as Float32Array; // the seeker may be host-kept
        want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-6, `${side}[${i}]`));
      }
      assert.ok(events.some((e) => e.type === 'log' && /initialised \d+ encoder tensors/.test(e.message)));
    } finally {
      model.dispose();
    }
  });

  it('the fixture-sized tiny preset trains without a vocab_size: its BPE is raised to the smallest useful size and says so', async () => {
    const { vocab_size: _omitted, ...cfg } = toyConfig;
    const logs: string[] = [];
    const { model } = await train({ ...cfg, epochs: 1 }, { train: toyPairs(16) }, { onEvent: (e) => { if (e.type === 'log') logs.push(e.message); } });
    try {
      assert.ok(logs.some((m) => /preset tiny has a 120-token vocabulary.*training a 512-token BPE/.test(m)), logs.join('\n'));
    } finally {
      model.dispose();
    }
  });

  it('plans roberta-base on the wasm heap: seeker, gradients and moments out, micro-batches as --grad_accum; refuses only what cannot fit', async () => {
    // roberta-base's responder + heads stay in the backend (counted from the specs, nothing allocated); the
    // frozen seeker, the gradients and AdamW's moments live in JavaScript arrays (BiEncoderStepper).
    const enc = PRESETS['roberta-base'].encoder;
    const encoderBytes = robertaParamSpecs(enc).reduce((n, sp) => n + sp.shape.reduce((a, b) => a * b, 1) * 4, 0);
    const wordEmbBytes = enc.vocabSize * enc.hidden * 4;
    const mem = { deviceWeightBytes: encoderBytes, gradientFrontierBytes: 2 * wordEmbBytes, activationBytesPerExample: activationBytesPerExample(enc, 64) };
    const plan = planMicroBatches(mem, 32, 1);
    assert.ok(typeof plan !== 'string', String(plan));
    assert.ok(plan.gradAccum > 1 && plan.microBatch === Math.ceil(32 / plan.gradAccum), JSON.stringify(plan));
    assert.ok(plan.heapBytes <= WASM_TRAINING_HEAP_BUDGET);
    assert.match(plan.note ?? '', new RegExp(`micro-batches of ${plan.microBatch} × ${plan.gradAccum} per step of 32 \\(as --grad_accum ${plan.gradAccum}\\)`));
    // an asked --grad_accum that already fits is kept, without a note
    const fits = planMicroBatches(mem, 32, 32);
    assert.ok(typeof fits !== 'string' && fits.gradAccum === 32 && fits.note === undefined);
    // a model whose weights alone exceed wasm32's 4 GB is refused, naming the way out
    const huge = planMicroBatches({ ...mem, deviceWeightBytes: WASM_HEAP_MAX }, 32, 1);
    assert.match(String(huge), /for a single pair .*wasm32 stops at 4 GB/);
    // the small preset's step fits as asked
    const net = new BiEncoder(PRESETS.small, 12);
    try {
      const small = planMicroBatches(trainingMemory(net, 64), 32, 1);
      assert.ok(typeof small !== 'string' && small.gradAccum === 1 && small.note === undefined, JSON.stringify(small));
    } finally {
      net.dispose();
    }
  });

  it('rejects bad configs with the flag name', async () => {
    await assert.rejects(train({ ...toyConfig, batch_size: 0 }, { train: toyPairs(4) }), /batch_size/);
    await assert.rejects(train({ ...toyConfig, max_len: 500 }, { train: toyPairs(4) }), /max_len 500/);
  });
});

describe('engine/encode', () => {
  const pairs: LabeledPair[] = [
    { id: 'a', seekerPost: 'I feel alone', responsePost: "I'm so sorry. Talk to me?", labels: { ER: labelOf("I'm so sorry. Talk to me?", 2, ["I'm so sorry"]) } },
    { id: 'b', seekerPost: 'Exams again', responsePost: 'Did you study?', labels: { ER: labelOf('Did you study?', 0, []) } },
    { id: 'c', seekerPost: 'Hi', responsePost: 'Hope it helps', labels: { ER: labelOf('Hope it helps', 1, ['not in the text']) } },
  ];
  const tok = trainTokenizer(pairs.flatMap((p) => [p.seekerPost, p.responsePost]), { vocabSize: 300 });

  it('labels the response tokens that overlap a rationale; level-0 rows get all zeros by default', () => {
    const { examples, stats } = encodePairs(pairs, tok, { maxLen: 16, mechanisms: ['ER'] });
    const a = examples[0];
    const marked = a.rpOffsets.filter((_, t) => a.rationale.ER![t] === 1).map(([s, e]) => pairs[0].responsePost.slice(s, e)).join('');
    assert.equal(marked.replace(/\s/g, ''), "I'mso sorry".replace(/\s/g, ''));
    assert.equal(a.rationale.ER![0], 0, '<s> is never a rationale');
    assert.deepEqual(examples[1].rationale.ER, examples[1].rpIds.map(() => 0));
    assert.equal(examples[1].rationaleKnown.ER, true);
    // Level > 0 with a rationale that cannot be found: left out of the rationale loss, counted.
    assert.equal(examples[2].rationaleKnown.ER, false);
    assert.equal(stats.missedRationales, 1);
    assert.equal(stats.unknownRationaleRows, 1);
  });

  it('paper_faithful: a row without rationale is all ones (specials included), like process_data', () => {
    const { examples } = encodePairs(pairs, tok, { maxLen: 16, mechanisms: ['ER'], paperFaithful: true });
    assert.deepEqual(examples[1].rationale.ER, examples[1].rpIds.map(() => 1));
  });

  it('collates to max_len with pad ids, masks, levels and rationale weights', () => {
    const { examples } = encodePairs(pairs, tok, { maxLen: 16, mechanisms: ['ER'] });
    const b = collate(examples, 16, tok.padId, ['ER']);
    assert.equal(b.batch, 3);
    assert.equal(b.seqLen, 16);
    const n1 = examples[1].rpIds.length;
    assert.deepEqual(Array.from(b.maskRP.slice(16, 32)), Array.from({ length: 16 }, (_, t) => (t < n1 ? 1 : 0)));
    assert.ok(Array.from(b.idsRP.slice(16 + n1, 32)).every((id) => id === tok.padId));
    assert.deepEqual(Array.from(b.levels!.ER!), [2, 0, 1]);
    assert.ok(Array.from(b.rationaleWeights!.ER!.slice(32, 48)).every((w) => w === 0), 'unknown rationale row weighs 0');
    assert.ok(Array.from(b.rationaleWeights!.ER!.slice(0, 16)).every((w) => w === 1));
  });

  it('an unlabelled mechanism gets level -1 and no rationale weight (joint data with gaps)', () => {
    const { examples } = encodePairs(pairs, tok, { maxLen: 16, mechanisms: ['ER', 'IP'] });
    assert.equal(examples[0].levels.IP, -1);
    assert.equal(examples[0].rationaleKnown.IP, false);
  });
});

// The kernel's query handler in-process (kernel/queries/handler.ts): what the Rationale Inspector and the
// Dataset Explorer ask — load a model under a handle, score a pair (salience when asked and offered, the
// "has not learned yet" note), predict levels, unload — with failures answered by code and a message
// naming what failed, cancellation, and every model's tensors freed on replace, unload and shutdown; and
// what the Variables view asks: a variable declared by a cell, read from the session's scope, as a table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine';
import type { EmpathyModel } from '../../kernel/engine/model';
import { trainLinear } from '../../kernel/models/linear/linearModel';
import { shippedModelPath } from '../../kernel/models/shipped';
import type { QueryAnswer, QueryArgs, QueryMethod, QueryRequest, QueryResult } from '../../kernel/protocol/query';
import { withSalience } from '../../kernel/queries/methods';
import { QueryHandler } from '../../kernel/queries/handler';
import { Session } from '../../kernel/session/session';
import { toyPairs } from '../models/toy';

const repo = path.resolve(__dirname, '../../..');
const sample = (name: string) => path.join(repo, 'dataset', 'samples', name);
const pair = { id: 'edited', seekerPost: 'I failed my exam', responsePost: 'I am so sorry, that sounds awful. what happened after that?' };

let next = 0;
const query = <M extends QueryMethod>(method: M, args: QueryArgs<M>) => ({ type: 'query', v: 1, id: `q${++next}`, method, args }) as QueryRequest;
/** The result of an ok answer (fails the test with the answer's error otherwise). */
async function ask<M extends QueryMethod>(h: QueryHandler, method: M, args: QueryArgs<M>): Promise<QueryResult<M>> {
  const a = await h.answer(query(method, args));
  assert.ok(a.ok, `${method}: ${!a.ok ? a.error.message : ''}`);
  return a.result as QueryResult<M>;
}
async function refusal(h: QueryHandler, method: QueryMethod, args: unknown) {
  const a = await h.answer(query(method, args as never));
  assert.equal(a.ok, false, `${method} should fail`);
  return (a as Extract<QueryAnswer, { ok: false }>).error;
}

describe('kernel/queries (the handler of the panels\' queries)', function () {
  this.timeout(120_000);
  let linear: EmpathyModel;
  /** Models the injected loader hands out, by path; each load is a fresh wrapper whose dispose is counted. */
  const fakes: Record<string, () => EmpathyModel> = {};
  let disposed = 0;
  const load = async (p: string): Promise<EmpathyModel> => {
    const make = fakes[p];
    if (!make) throw new Error(`${p}: no such checkpoint`);
    const m = make();
    return Object.assign(Object.create(m) as EmpathyModel, { dispose: () => { disposed++; } });
  };
  let h: QueryHandler;

  before(async () => {
    linear = (await trainLinear({ C: 1 }, { train: toyPairs(24, 3) })).model;
    const predict = linear.predict.bind(linear);
    fakes['linear.safetensors'] = () => linear;
    fakes['no-salience.safetensors'] = () => ({ family: 'linear', mechanisms: linear.mechanisms, maxLen: linear.maxLen, predict }) as unknown as EmpathyModel;
    fakes['uniform.safetensors'] = () => ({
      family: 'linear', mechanisms: linear.mechanisms, maxLen: linear.maxLen,
      predict: async (...args: Parameters<typeof predict>) => (await predict(...args)).map((p) => ({
        ...p, mechanisms: Object.fromEntries(Object.entries(p.mechanisms).map(([m, x]) => [m, { ...x!, probs: [0.34, 0.33, 0.33], level: 0 }])),
      })),
    }) as unknown as EmpathyModel;
  });
  beforeEach(() => { h = new QueryHandler({ cwd: repo, loadModel: load }); disposed = 0; });
  afterEach(() => h.dispose());
  after(() => linear.dispose());

  it('loads a model under a handle and scores a pair: the same levels and spans as predict, salience per mechanism when asked', async () => {
    const m = await ask(h, 'loadModel', { path: 'linear.safetensors' });
    assert.deepEqual(m, { handle: m.handle, path: 'linear.safetensors', family: 'linear', mechanisms: [...linear.mechanisms], maxLen: linear.maxLen, salience: true });
    const [expected] = await linear.predict([pair]);
    const a = await ask(h, 'score', { handle: m.handle, pair, salience: true });
    assert.equal(a.maxLen, linear.maxLen);
    assert.deepEqual(Object.keys(a.item.mechanisms).sort(), [...linear.mechanisms].sort());
    for (const mech of linear.mechanisms) {
      const got = a.item.mechanisms[mech]!;
      const want = expected.mechanisms[mech]!;
      assert.equal(got.level, want.level, `${mech} level`);
      assert.deepEqual(got.probs, want.probs, `${mech} probabilities`);
      assert.deepEqual(got.spans, want.spans.map((s) => [s.start, s.end]), `${mech} spans`);
      assert.ok(got.tokens.every((t) => typeof t.salience === 'number' && t.salience >= 0 && t.salience <= 1), `${mech} salience in [0, 1]`);
      assert.equal(Math.max(...got.tokens.map((t) => t.salience!)), 1);
    }
    assert.equal(a.salienceNote, undefined);
    // Not asked: scores only.
    const b = await ask(h, 'score', { handle: m.handle, pair, salience: false });
    assert.ok(Object.values(b.item.mechanisms).every((mp) => mp!.tokens.every((t) => t.salience === undefined)));
  });

  it('says why when the model offers no salience', async () => {
    const m = await ask(h, 'loadModel', { path: 'no-salience.safetensors' });
    assert.equal(m.salience, false);
    const a = await ask(h, 'score', { handle: m.handle, pair, salience: true });
    assert.match(a.salienceNote!, /the linear model offers no salience/);
    assert.ok(a.item.mechanisms.ER!.tokens.length > 0);
  });

  it('carries the "has not learned yet" note for near-uniform probabilities, none otherwise', async () => {
    const u = await ask(h, 'loadModel', { path: 'uniform.safetensors' });
    assert.match((await ask(h, 'score', { handle: u.handle, pair, salience: false })).healthNote!, /this model has not learned yet \(.*near uniform/);
    const l = await ask(h, 'loadModel', { path: 'linear.safetensors' });
    assert.equal((await ask(h, 'score', { handle: l.handle, pair, salience: false })).healthNote, undefined);
  });

  it('replaces, unloads and shuts down by disposing the models it holds', async () => {
    const a = await ask(h, 'loadModel', { path: 'linear.safetensors' });
    const b = await ask(h, 'loadModel', { path: 'linear.safetensors', replaces: a.handle });
    assert.notEqual(b.handle, a.handle);
    assert.equal(disposed, 1, 'the replaced model');
    assert.equal(h.loadedModels, 1);
    assert.equal((await refusal(h, 'score', { handle: a.handle, pair, salience: false })).code, 'unknown-handle');
    // A failed load keeps the model it would have replaced.
    const failed = await refusal(h, 'loadModel', { path: 'missing.safetensors', replaces: b.handle });
    assert.equal(failed.code, 'failed');
    assert.equal(disposed, 1);
    assert.deepEqual(await ask(h, 'unloadModel', { handle: b.handle }), { unloaded: true });
    assert.deepEqual(await ask(h, 'unloadModel', { handle: b.handle }), { unloaded: false });
    assert.equal(disposed, 2);
    await ask(h, 'loadModel', { path: 'linear.safetensors' });
    await ask(h, 'loadModel', { path: 'no-salience.safetensors' });
    h.dispose();
    assert.equal(disposed, 4, 'shutdown disposes every loaded model');
    assert.equal(h.loadedModels, 0);
  });

  it('answers a failure with its code and a message naming what failed', async () => {
    const missing = await refusal(h, 'loadModel', { path: 'missing.safetensors' });
    assert.deepEqual(missing, { code: 'failed', message: 'loadModel failed: missing.safetensors: no such checkpoint' });
    const unknown = await refusal(h, 'score', { handle: 'model-99', pair, salience: false });
    assert.equal(unknown.code, 'unknown-handle');
    assert.match(unknown.message, /^score: no model is loaded under handle "model-99"/);
    const badFile = await refusal(h, 'loadPairs', { files: [path.join(repo, 'no-such-dir', 'emotional-reactions-x.csv')] });
    assert.equal(badFile.code, 'failed');
    assert.match(badFile.message, /^loadPairs failed: .*no-such-dir/);
  });

  it('refuses malformed messages, another version and unknown methods through receive', async () => {
    const answers: QueryAnswer[] = [];
    const send = (a: QueryAnswer) => answers.push(a);
    await h.receive({ type: 'query', v: 2, id: 'a', method: 'score', args: {} }, send);
    await h.receive({ type: 'query', v: 1, id: 'b', method: 'evalCode', args: { code: '1' } }, send);
    await h.receive({ type: 'query', v: 1, id: 'c', method: 'score', args: { handle: 'model-1' } }, send);
    assert.deepEqual(answers.map((a) => [a.id, a.method, !a.ok && a.error.code]), [['a', 'score', 'version'], ['b', 'evalCode', 'unknown-method'], ['c', 'score', 'bad-args']]);
    assert.match(!answers[0].ok ? answers[0].error.message : '', /unsupported query protocol version 2 \(this kernel speaks v1/);
    assert.match(!answers[1].ok ? answers[1].error.message : '', /unknown query method "evalCode" \(known: loadPairs, loadModel, unloadModel, score, predictLevels, variableTable\)/);
    assert.match(!answers[2].ok ? answers[2].error.message : '', /^score: pair must be/);
  });

  it('runs queries in arrival order; a cancel ends a queued query as cancelled', async () => {
    const answers: QueryAnswer[] = [];
    const send = (a: QueryAnswer) => answers.push(a);
    const done = [
      h.receive({ type: 'query', v: 1, id: 'load', method: 'loadModel', args: { path: 'linear.safetensors' } }, send),
      h.receive({ type: 'query', v: 1, id: 'pairs', method: 'loadPairs', args: { files: [sample('interpretations-sample.csv')], limit: 3 } }, send),
    ];
    void h.receive({ type: 'cancel-query', v: 1, id: 'pairs' }, send);
    await Promise.all(done);
    assert.deepEqual(answers.map((a) => [a.id, a.ok]), [['load', true], ['pairs', false]]);
    assert.deepEqual(!answers[1].ok && answers[1].error, { code: 'cancelled', message: 'loadPairs was cancelled before it started' });
  });

  it('refuses a second query with the id of one in flight (bad-args); cancel then hits the first, and the id is free again after', async () => {
    const answers: QueryAnswer[] = [];
    const send = (a: QueryAnswer) => answers.push(a);
    const files = [sample('interpretations-sample.csv')];
    const done = [
      h.receive({ type: 'query', v: 1, id: 'load-dup', method: 'loadModel', args: { path: 'linear.safetensors' } }, send),
      h.receive({ type: 'query', v: 1, id: 'dup', method: 'loadPairs', args: { files, limit: 3 } }, send),
      h.receive({ type: 'query', v: 1, id: 'dup', method: 'loadPairs', args: { files, limit: 1 } }, send),
    ];
    void h.receive({ type: 'cancel-query', v: 1, id: 'dup' }, send);
    await Promise.all(done);
    // One answer per id in flight: the duplicate is refused at once, the first is the one cancelled.
    assert.deepEqual(answers.map((a) => [a.id, a.ok, !a.ok && a.error.code]), [['dup', false, 'bad-args'], ['load-dup', true, false], ['dup', false, 'cancelled']]);
    assert.match(!answers[0].ok ? answers[0].error.message : '', /^loadPairs: query id "dup" is already in flight/);
    const again = await h.answer({ type: 'query', v: 1, id: 'dup', method: 'loadPairs', args: { files, limit: 1 } });
    assert.ok(again.ok, 'an id is free again once its query has answered');
  });

  it('loads the examples and predicts a dataset\'s levels (the Dataset Explorer), disposing that model', async () => {
    const files = [sample('interpretations-sample.csv')];
    const ds = await ask(h, 'loadPairs', { files, name: 'ip', limit: 4 });
    assert.equal(ds.name, 'ip');
    assert.equal(ds.rows.length, 4);
    assert.ok(ds.rows.every((r) => r.levels.IP !== undefined));
    const levels = await ask(h, 'predictLevels', { modelPath: 'linear.safetensors', files });
    const all = await ask(h, 'loadPairs', { files });
    assert.deepEqual(Object.keys(levels).sort(), all.rows.map((r) => r.id).sort());
    const preds = await linear.predict(all.rows);
    for (const p of preds) for (const m of linear.mechanisms) assert.equal(levels[p.id][m], p.mechanisms[m]!.level, `${p.id} ${m}`);
    assert.equal(disposed, 1);
    assert.equal(h.loadedModels, 0);
  });

  it('merges only salience vectors that match the tokens one to one', () => {
    const item = { id: 'a', seekerPost: 's', responsePost: 'so sorry', mechanisms: {
      ER: { level: 2 as const, probs: [0, 0, 1], tokens: [{ text: 'so', start: 0, end: 2, prob: 0.1 }, { text: 'sorry', start: 3, end: 8, prob: 0.9 }] },
      IP: { level: 0 as const, probs: [1, 0, 0], tokens: [{ text: 'so', start: 0, end: 2, prob: 0 }] },
    } };
    const out = withSalience(item, { ER: [0.5, 1], IP: [1, 0.2] });
    assert.deepEqual(out.mechanisms.ER!.tokens.map((t) => t.salience), [0.5, 1]);
    assert.equal(out.mechanisms.IP!.tokens[0].salience, undefined, 'length mismatch: left out');
    assert.ok(!('salience' in item.mechanisms.ER.tokens[0]), 'the input is not modified');
  });

  describe('variableTable: a variable the cells declared, from the session\'s scope', () => {
    let s: Session;
    let k: QueryHandler;
    beforeEach(() => { s = new Session({ cwd: repo, defaults: { typecheck: false } }); k = new QueryHandler({ cwd: repo, variables: s }); });
    afterEach(() => { k.dispose(); s.dispose(); });
    /** Run a cell; fails the test with its error. */
    const cell = async (code: string) => {
      const r = await s.execute(code);
      assert.equal(r.status, 'ok', r.error ? `${r.error.name}: ${r.error.message}` : r.stderr);
    };

    it('a danfojs DataFrame: its columns and rows', async () => {
      await cell('import * as dfd from "danfojs-node"\nconst frame = new dfd.DataFrame({ mechanism: ["ER", "IP", "EX"], macroF1: [0.5, 0.25, 0.75] })');
      assert.deepEqual(await ask(k, 'variableTable', { name: 'frame', maxRows: 5000 }), {
        v: 1, columns: ['mechanism', 'macroF1'], rows: [['ER', 0.5], ['IP', 0.25], ['EX', 0.75]],
      });
    });

    it('an array of records, capped at maxRows with the real count; the value as it is now', async () => {
      await cell('const scores = [1, 2, 3, 4, 5].map((i) => ({ id: `p${i}`, level: i % 3 }))');
      assert.deepEqual(await ask(k, 'variableTable', { name: 'scores', maxRows: 2 }), {
        v: 1, columns: ['id', 'level'], rows: [['p1', 1], ['p2', 2]], totalRows: 5,
      });
      await cell('scores.push({ id: "extra", level: 0 })');
      assert.equal((await ask(k, 'variableTable', { name: 'scores', maxRows: 2 })).totalRows, 6);
    });

    it('an unknown name, a value with no table form, no session: refused with a code naming the variable', async () => {
      await cell('const xs = [1, 2, 3]\nconst n = 3');
      const unknown = await refusal(k, 'variableTable', { name: 'nope', maxRows: 10 });
      assert.equal(unknown.code, 'unknown-variable');
      assert.match(unknown.message, /^variableTable: no variable "nope" is declared in this kernel/);
      // A global of the kernel is not a cell's variable.
      assert.equal((await refusal(k, 'variableTable', { name: 'process', maxRows: 10 })).code, 'unknown-variable');
      const numbers = await refusal(k, 'variableTable', { name: 'xs', maxRows: 10 });
      assert.deepEqual(numbers, { code: 'not-a-table', message: 'variableTable: xs (Array(3)) has no table form: expected a DataFrame, a Series, an array of records or an array of rows' });
      assert.equal((await refusal(k, 'variableTable', { name: 'n', maxRows: 10 })).code, 'not-a-table');
      const answers: QueryAnswer[] = [];
      await k.receive({ type: 'query', v: 1, id: 'rows-0', method: 'variableTable', args: { name: 'xs', maxRows: 0 } }, (a) => answers.push(a));
      await k.receive({ type: 'query', v: 1, id: 'no-name', method: 'variableTable', args: { maxRows: 10 } }, (a) => answers.push(a));
      assert.deepEqual(answers.map((a) => !a.ok && a.error), [
        { code: 'bad-args', message: 'variableTable: maxRows must be a positive integer' },
        { code: 'bad-args', message: 'variableTable: name must be a variable name' },
      ]);
      s.reset();
      assert.equal((await refusal(k, 'variableTable', { name: 'xs', maxRows: 10 })).code, 'unknown-variable', 'a reset forgets it');
      const alone = new QueryHandler({ cwd: repo });
      try {
        const e = await refusal(alone, 'variableTable', { name: 'xs', maxRows: 10 });
        assert.equal(e.code, 'failed');
        assert.match(e.message, /no notebook session runs here to hold "xs"/);
      } finally {
        alone.dispose();
      }
    });
  });

  describe('with the shipped model (real tensors)', () => {
    let dir = '';
    before(async () => { await initBackend('cpu'); dir = mkdtempSync(path.join(tmpdir(), 'queries-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('leaves tf.memory().numTensors as it found it: load, score, replace, predict, unload, shutdown', async () => {
      const k = new QueryHandler({ cwd: repo });
      try {
        const before = tf.memory().numTensors;
        const a = await ask(k, 'loadModel', { path: shippedModelPath() });
        const held = tf.memory().numTensors;
        assert.ok(held > before, 'the loaded model holds tensors');
        await ask(k, 'score', { handle: a.handle, pair, salience: true });
        await ask(k, 'score', { handle: a.handle, pair, salience: false });
        assert.equal(tf.memory().numTensors, held, 'score');
        const b = await ask(k, 'loadModel', { path: shippedModelPath(), replaces: a.handle });
        assert.equal(tf.memory().numTensors, held, 'replace disposes the replaced model');
        await ask(k, 'predictLevels', { modelPath: shippedModelPath(), files: [sample('explorations-sample.csv')] });
        assert.equal(tf.memory().numTensors, held, 'predictLevels disposes its model');
        assert.deepEqual(await ask(k, 'unloadModel', { handle: b.handle }), { unloaded: true });
        assert.equal(tf.memory().numTensors, before, 'unload');
        await ask(k, 'loadModel', { path: shippedModelPath() });
        k.dispose();
        assert.equal(tf.memory().numTensors, before, 'shutdown');
      } finally {
        k.dispose();
      }
    });

    it('names the checkpoint a load failed on', async () => {
      const bad = path.join(dir, 'not-a-checkpoint.safetensors');
      writeFileSync(bad, 'this is not a safetensors file');
      const k = new QueryHandler({ cwd: repo });
      try {
        const e = await refusal(k, 'loadModel', { path: bad });
        assert.equal(e.code, 'failed');
        assert.ok(e.message.startsWith('loadModel failed: ') && e.message.includes(bad), e.message);
      } finally {
        k.dispose();
      }
    });
  });
});

// The query protocol on the wire (kernel/protocol/query.ts), through the real kernel child process: the
// message shapes and version are pinned by sending raw IPC messages to kernel/process/main.js, and the
// typed client (KernelClient.query) is checked on top. The pair scored in the kernel gets the same levels,
// probabilities and spans as the same checkpoint predicting in this process. A variable a cell declared
// comes back as a table (what the Variables view opens), read from the kernel's session, not by running code.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadModel } from '../../kernel/models/families';
import { shippedModelPath } from '../../kernel/models/shipped';
import { KernelClient, QueryError } from '../../kernel/process/client';
import type { HelloEvent, KernelEvent } from '../../kernel/protocol/kernel';
import { QUERY_PROTOCOL_VERSION, type QueryAnswer } from '../../kernel/protocol/query';

const repo = path.resolve(__dirname, '../../..');
/** Equal lengths, each value within 1e-6. */
function close(got: readonly number[], want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-6, `${what}[${i}]: ${g} vs ${want[i]}`));
}
const pair = { id: 'p', seekerPost: 'I failed my driving test again.', responsePost: "I'm so sorry, that sounds frustrating. What happened?" };

describe('kernel/protocol/query (through the kernel process)', function () {
  this.timeout(120_000);

  describe('raw messages', () => {
    let child: ChildProcess;
    const answers = new Map<string, (a: QueryAnswer) => void>();
    let hello: HelloEvent;
    before(async () => {
      child = fork(path.join(repo, 'out/kernel/process/main.js'), [], { cwd: repo, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json', env: { ...process.env, EMPATHY_KERNEL_DEFAULTS: '{"typecheck":false}' } });
      hello = await new Promise<HelloEvent>((resolve) => child.on('message', (e: KernelEvent) => {
        if (e.type === 'hello') resolve(e);
        if (e.type === 'answer') answers.get(e.id)?.(e);
      }));
    });
    after(() => { child.kill(); });
    /** Send one raw message and wait for the answer with its id. */
    const send = (msg: Record<string, unknown> & { id: string }) => new Promise<QueryAnswer>((resolve) => { answers.set(msg.id, resolve); child.send(msg); });

    it('the hello names the query protocol version', () => {
      assert.equal(QUERY_PROTOCOL_VERSION, 1);
      assert.equal(hello.queryProtocol, QUERY_PROTOCOL_VERSION);
    });

    it('loadModel → { handle, path, family, mechanisms, maxLen, salience }; score → one rationales item; unloadModel', async () => {
      const load = await send({ type: 'query', v: 1, id: 'load-1', method: 'loadModel', args: { path: shippedModelPath() } });
      assert.ok(load.ok && load.method === 'loadModel', JSON.stringify(load));
      assert.deepEqual(Object.keys(load).sort(), ['id', 'method', 'ok', 'result', 'type', 'v']);
      assert.deepEqual({ ...load, result: undefined }, { type: 'answer', v: 1, id: 'load-1', method: 'loadModel', ok: true, result: undefined });
      const info = load.result;
      assert.deepEqual(Object.keys(info).sort(), ['family', 'handle', 'maxLen', 'mechanisms', 'path', 'salience']);
      assert.equal(info.path, shippedModelPath());
      assert.deepEqual([...info.mechanisms].sort(), ['ER', 'EX', 'IP']);

      const scored = await send({ type: 'query', v: 1, id: 'score-1', method: 'score', args: { handle: info.handle, pair, salience: false } });
      assert.ok(scored.ok && scored.method === 'score', JSON.stringify(scored));
      const { item } = (scored as Extract<QueryAnswer, { ok: true; method: 'score' }>).result;
      assert.deepEqual(Object.keys(scored.result).sort(), ['item', 'maxLen']);
      assert.deepEqual(Object.keys(item).sort(), ['id', 'mechanisms', 'responsePost', 'seekerPost']);
      // The same answers as the checkpoint predicting here, in this process.
      const here = await loadModel(shippedModelPath());
      try {
        const [expected] = await here.predict([pair]);
        for (const m of info.mechanisms) {
          const got = item.mechanisms[m]!;
          const want = expected.mechanisms[m]!;
          assert.equal(got.level, want.level, `${m} level`);
          assert.deepEqual(got.spans, want.spans.map((s) => [s.start, s.end]), `${m} spans`);
          // Within float error: this process and the kernel may run different backends (cpu, wasm).
          close(got.probs, want.probs, `${m} probabilities`);
          close(got.tokens.map((t) => t.prob), want.tokens.map((t) => t.prob), `${m} token probabilities`);
        }
      } finally {
        here.dispose();
      }

      assert.deepEqual(await send({ type: 'query', v: 1, id: 'unload-1', method: 'unloadModel', args: { handle: info.handle } }),
        { type: 'answer', v: 1, id: 'unload-1', method: 'unloadModel', ok: true, result: { unloaded: true } });
      const stale = await send({ type: 'query', v: 1, id: 'score-2', method: 'score', args: { handle: info.handle, pair, salience: false } });
      assert.equal(!stale.ok && stale.error.code, 'unknown-handle');
    });

    it('a failure is { ok: false, error: { code, message } }, the message naming the checkpoint', async () => {
      const missing = path.join(repo, 'no-such-model.safetensors');
      const a = await send({ type: 'query', v: 1, id: 'load-missing', method: 'loadModel', args: { path: missing } });
      assert.deepEqual(Object.keys(a).sort(), ['error', 'id', 'method', 'ok', 'type', 'v']);
      assert.ok(!a.ok);
      assert.deepEqual({ ...a, error: { ...a.error, message: undefined } }, { type: 'answer', v: 1, id: 'load-missing', method: 'loadModel', ok: false, error: { code: 'failed', message: undefined } });
      assert.ok(a.error.message.startsWith('loadModel failed: ') && a.error.message.includes(missing), a.error.message);
    });

    it('refuses another version and an unknown method, by code', async () => {
      const v2 = await send({ type: 'query', v: 2, id: 'v2', method: 'score', args: {} });
      assert.equal(!v2.ok && v2.error.code, 'version');
      assert.match(!v2.ok ? v2.error.message : '', /unsupported query protocol version 2 \(this kernel speaks v1/);
      const unknown = await send({ type: 'query', v: 1, id: 'eval', method: 'evaluateCode', args: { code: 'globalThis' } });
      assert.equal(!unknown.ok && unknown.error.code, 'unknown-method');
    });
  });

  describe('KernelClient.query', () => {
    let k: KernelClient;
    before(() => { k = new KernelClient({ cwd: repo, defaults: { typecheck: false } }); });
    after(() => k.dispose());

    it('resolves with the typed result, rejects a failure with a QueryError carrying its code', async () => {
      const ds = await k.query('loadPairs', { files: [path.join(repo, 'dataset/samples/interpretations-sample.csv')], limit: 2, name: 'ip' });
      assert.equal(ds.name, 'ip');
      assert.equal(ds.rows.length, 2);
      await assert.rejects(k.query('unloadModel', { handle: '' }), (e: unknown) => e instanceof QueryError && e.code === 'bad-args' && /handle must be/.test(e.message));
      await assert.rejects(k.query('score', { handle: 'model-7', pair, salience: true }), (e: unknown) => e instanceof QueryError && e.code === 'unknown-handle');
    });

    it('variableTable: a DataFrame and an array of records declared by a cell; an unknown name is "unknown-variable"', async () => {
      for await (const e of k.execute('frames', 'import * as dfd from "danfojs-node"\nconst frame = new dfd.DataFrame({ mechanism: ["ER", "IP", "EX"], macroF1: [0.5, 0.25, 0.75] })\nconst rows = [{ id: "a", level: 2 }, { id: "b", level: 0 }]')) {
        if (e.type === 'error') assert.fail(`the cell failed: ${e.name}: ${e.message}`);
        if (e.type === 'done') assert.equal(e.status, 'ok');
      }
      assert.deepEqual(await k.query('variableTable', { name: 'frame', maxRows: 5000 }), { v: 1, columns: ['mechanism', 'macroF1'], rows: [['ER', 0.5], ['IP', 0.25], ['EX', 0.75]] });
      assert.deepEqual(await k.query('variableTable', { name: 'rows', maxRows: 1 }), { v: 1, columns: ['id', 'level'], rows: [['a', 2]], totalRows: 2 });
      await assert.rejects(k.query('variableTable', { name: 'missing', maxRows: 10 }),
        (e: unknown) => e instanceof QueryError && e.code === 'unknown-variable' && /no variable "missing"/.test(e.message));
      await assert.rejects(k.query('variableTable', { name: 'dfd', maxRows: 10 }),
        (e: unknown) => e instanceof QueryError && e.code === 'not-a-table' && /^variableTable: dfd \(/.test(e.message));
    });

    it('a kernel that dies under a query rejects it with code "kernel"', async () => {
      const pending = k.query('loadModel', { path: shippedModelPath() });
      process.kill(k.pid!, 'SIGKILL');
      await assert.rejects(pending, (e: unknown) => e instanceof QueryError && e.code === 'kernel' && /exited unexpectedly/.test(e.message));
    });
  });
});

// The kernel process through KernelClient, like the extension uses it: typed events ending in one
// `done`, interrupt of training keeps the weights of the last completed step (checked numerically
// against a replay stopped at the same step), runaway loops stopped, restart clears state, crashes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { KernelClient, type Execution } from '../../kernel/process/client';
import type { ExecutionEvent, KernelEvent } from '../../kernel/protocol/kernel';

const repo = path.resolve(__dirname, '../../..');
const toyData = path.join(repo, 'out/test/engine/toyData.js');

async function collect(ex: Execution): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  for await (const e of ex) out.push(e);
  return out;
}
const stdout = (evs: readonly ExecutionEvent[]) => evs.filter((e) => e.type === 'stream' && e.name === 'stdout').map((e) => (e as { text: string }).text).join('');
const stderr = (evs: readonly ExecutionEvent[]) => evs.filter((e) => e.type === 'stream' && e.name === 'stderr').map((e) => (e as { text: string }).text).join('');
const resultText = (evs: readonly ExecutionEvent[]) => (evs.find((e) => e.type === 'result') as { bundle: { 'text/plain': string } } | undefined)?.bundle['text/plain'];

describe('kernel/process (KernelClient)', function () {
  this.timeout(120_000);
  let k: KernelClient;
  const events: KernelEvent[] = [];
  // A generous grace period: under load a training batch can take seconds, and the cooperative stop
  // (between batches) must win over the kill-and-restart fallback, which its own test exercises.
  before(() => { k = new KernelClient({ cwd: repo, defaults: { typecheck: false }, interruptGraceMs: 10_000, onEvent: (e) => events.push(e) }); });
  after(() => k.dispose());

  it('says hello with versions and runs cells with exactly one done each, in order', async () => {
    const hello = await k.start();
    assert.equal(hello.protocol, 1);
    assert.match(hello.versions.node, /^v\d+/);
    assert.match(hello.versions.typescript, /^5\.9\./);
    const a = k.execute('c1', 'const greeting = "hi"\nconsole.log(greeting)\ngreeting.length');
    const b = k.execute('c2', 'greeting + "!"');
    const [ea, eb] = await Promise.all([collect(a), collect(b)]);
    assert.deepEqual(ea.map((e) => e.type), ['started', 'stream', 'result', 'done']);
    assert.equal(resultText(eb), "'hi!'");
    const doneA = await a.done;
    const doneB = await b.done;
    assert.equal(doneA.status, 'ok');
    assert.equal(doneB.executionCount, doneA.executionCount! + 1);
    assert.ok(doneA.durationMs >= 0);
    assert.equal(events.filter((e) => e.type === 'done' && (e.id === a.id || e.id === b.id)).length, 2);
    assert.deepEqual(await k.variables(), [{ name: 'greeting', type: 'string', value: "'hi'", kind: 'const' }]);
  });

  it('interrupt stops training between batches; the model keeps the last completed step\'s weights', async () => {
    // Its own kernel with a long grace: a loaded machine may take seconds to reach the next batch,
    // and that must not turn into a kill (this test is about the training loop stopping itself).
    const kt = new KernelClient({ cwd: repo, defaults: { typecheck: false }, interruptGraceMs: 120_000 });
    try {
      await collect(kt.execute('data', `import { toyPairs, toyConfig } from ${JSON.stringify(toyData)}\nconst pairs = toyPairs(24)\nconst cfg = { ...toyConfig, epochs: 500 }\nlet lastStep = 0`));
      const ex = kt.execute('train', 'const run = await empathy.train(cfg, pairs, { onEvent: (e) => { if (e.type === "step") { lastStep = e.step; if (e.step === 3) console.log("STEP3") } } })');
      const seen: ExecutionEvent[] = [];
      let interruptedAt = 0;
      for await (const e of ex) {
        seen.push(e);
        if (e.type === 'stream' && e.text.includes('STEP3') && !interruptedAt) {
          interruptedAt = Date.now();
          void kt.interrupt();
        }
      }
      const done = await ex.done;
      assert.equal(done.status, 'interrupted');
      // Stopped by the training loop itself between batches (not abandoned, not killed): its own message
      // arrived before `done`. (No wall-clock bound: under load a batch may take any time.)
      assert.doesNotMatch(JSON.stringify(seen), /did not stop by itself|killed and restarted/);
      const live = seen.filter((e) => e.type === 'display');
      assert.ok(live.length >= 2 && live.every((d) => d.type === 'display' && d.displayId === (live[0] as { displayId?: string }).displayId), 'one live loss curve');
      assert.ok(live.slice(1).every((d) => d.type === 'display' && d.update === true));
      assert.match(stdout(seen), /Training stopped at step \d+/);

      // Replay: the same seeded run, stopped by its own signal right after step `run.steps`.
      const check = await collect(kt.execute('check', [
        'const ctl = new AbortController()',
        'const replay = await empathy.train(cfg, pairs, { signal: ctl.signal, lossCurve: false, onEvent: (e) => { if (e.type === "step" && e.step === run.steps) ctl.abort() } })',
        'const a = await run.model.predict(pairs), b = await replay.model.predict(pairs)',
        'const diff = Math.max(...a.flatMap((p, i) => p.mechanisms.ER!.probs.map((v, j) => Math.abs(v - b[i].mechanisms.ER!.probs[j]))))',
        'const fresh = (await empathy.train(cfg, pairs, { signal: AbortSignal.abort(), lossCurve: false })).model',
        'const moved = Math.max(...(await fresh.predict(pairs)).flatMap((p, i) => p.mechanisms.ER!.probs.map((v, j) => Math.abs(v - a[i].mechanisms.ER!.probs[j]))))',
        'console.log(JSON.stringify({ stopped: run.stopped, steps: run.steps, lastStep, replay: replay.steps, diff, moved }))',
      ].join('\n')));
      assert.equal((check.find((e) => e.type === 'done') as { status: string }).status, 'ok', stderr(check) + JSON.stringify(check.find((e) => e.type === 'error')));
      const r = JSON.parse(stdout(check).trim().split('\n').pop()!) as { stopped: string; steps: number; lastStep: number; replay: number; diff: number; moved: number };
      assert.equal(r.stopped, 'aborted');
      assert.ok(r.steps >= 3 && r.steps < 500 * 3, `steps ${r.steps}`);
      assert.equal(r.steps, r.lastStep, 'weights of the last step that completed');
      assert.equal(r.replay, r.steps);
      assert.ok(r.diff < 1e-6, `interrupted vs replayed model: max |Δp| = ${r.diff}`);
      assert.ok(r.moved > 1e-4, `training changed the model (max |Δp| vs untrained ${r.moved})`);
    } finally {
      await kt.dispose();
    }
  });

  it('stops a synchronous runaway loop (SIGINT) and keeps variables', async () => {
    await collect(k.execute('v', 'let spins = 0'));
    const ex = k.execute('loop', 'while (true) { spins++ }');
    setTimeout(() => void k.interrupt(), 300);
    const evs = await collect(ex);
    assert.equal((await ex.done).status, 'interrupted');
    assert.match(stderr(evs), /Interrupted/);
    const after = await collect(k.execute('v2', 'spins > 0'));
    assert.equal(resultText(after), 'true');
  });

  it('kills and restarts a kernel stuck in a loop after an await, and says so', async () => {
    await collect(k.execute('v', 'const before = 1'));
    const ex = k.execute('stuck', 'await sleep(10)\nwhile (true) {}');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await k.interrupt(), 'restarted');
    const evs = await collect(ex);
    assert.equal((await ex.done).status, 'interrupted');
    assert.match(stderr(evs), /killed and restarted: all variables are lost/);
    assert.ok(events.some((e) => e.type === 'restarted' && e.reason === 'interrupt-timeout'));
    assert.equal(resultText(await collect(k.execute('after', 'typeof before'))), "'undefined'");
  });

  it('restart clears state; a crashed kernel ends its cell and the next cell starts a new one', async () => {
    await collect(k.execute('x', 'const kept = 5'));
    const pid = k.pid;
    await k.restart();
    assert.notEqual(k.pid, pid);
    assert.equal(resultText(await collect(k.execute('y', 'typeof kept'))), "'undefined'");
    const crash = k.execute('crash', 'process.exit(3)');
    const evs = await collect(crash);
    assert.equal((await crash.done).status, 'error');
    assert.match(stderr(evs), /exited unexpectedly \(code 3/);
    assert.equal(resultText(await collect(k.execute('z', '1 + 1'))), '2');
  });

  it('survives stray errors of background work even when a listener rethrows them (as the wasm backend\'s do), reporting each once', async () => {
    const from = events.length;
    const pid = (await k.start()).pid;
    // Load the engine (its backend is reported after the cell), then add listeners that rethrow what they
    // get, like the Emscripten glue of tfjs-backend-wasm: a throw inside such a listener ends Node with code 7.
    const arm = await collect(k.execute('arm', [
      'await empathy.initBackend()',
      "process.on('unhandledRejection', (r) => { throw r })",
      "process.on('uncaughtException', (e) => { throw e })",
    ].join('\n')));
    assert.equal((arm.find((e) => e.type === 'done') as { status: string }).status, 'ok', stderr(arm));
    const stray = await collect(k.execute('stray', [
      "void Promise.reject(new Error('stray rejection'))",
      "setTimeout(() => { throw new Error('stray throw') }, 0)",
      'await sleep(200)',
    ].join('\n')));
    const text = stderr(stray);
    assert.equal(text.match(/Unhandled promise rejection \(in background work\): Error: stray rejection/g)?.length, 1, text);
    assert.equal(text.match(/Uncaught exception \(in background work\): Error: stray throw/g)?.length, 1, text);
    assert.equal(text.match(/stray rejection/g)?.length, 1, `the rejection is reported once, not again as rethrown:\n${text}`);
    assert.equal(resultText(await collect(k.execute('alive', '1 + 1'))), '2');
    assert.equal(k.pid, pid, 'the same kernel process');
    const later = events.slice(from);
    assert.ok(!later.some((e) => e.type === 'exit' || e.type === 'restarted'), JSON.stringify(later.filter((e) => e.type === 'exit')));
    assert.ok(later.some((e) => e.type === 'backend'), 'the engine\'s backend was reported after the cell that loaded it');
  });
});

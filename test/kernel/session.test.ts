// The cell executor, in-process, read like a notebook: declarations persist and can be redefined,
// top-level await, npm imports, last-expression display, console streamed in order, errors mapped to
// cell lines, type errors at the cell's own positions, interrupt keeps variables.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunStore } from '../../kernel/runs/store';
import { Session } from '../../kernel/session/session';

const repo = path.resolve(__dirname, '../../..');

describe('kernel/session', function () {
  this.timeout(60_000);
  let s: Session;
  beforeEach(() => { s = new Session({ cwd: repo, defaults: { typecheck: false } }); });
  afterEach(() => s.dispose());

  it('keeps top-level declarations across cells', async () => {
    await s.execute('const xs = [1, 2, 3]');
    await s.execute('const n = xs.length\nfunction double(v: number) { return v * 2 }\nclass Box { constructor(readonly v: number) {} }');
    const r = await s.execute('double(n) + new Box(1).v');
    assert.equal(r.status, 'ok');
    assert.equal(s.locals.n, 3);
    assert.equal(r.value, 7);
    assert.deepEqual(r.result, { 'text/plain': '7' });
    assert.equal(r.executionCount, 3);
  });

  it('redefines by re-running, and earlier closures see the live binding', async () => {
    await s.execute('let count = 0\nfunction inc() { return ++count }', { cellId: 'a' });
    await s.execute('inc(); inc()');
    assert.equal(s.locals.count, 2);
    await s.execute('let count = 0\nfunction inc() { return ++count }', { cellId: 'a' });
    assert.equal(s.locals.count, 0, 're-running the cell redefines');
    await s.execute('const k = 1');
    const again = await s.execute('const k = "now a string"; k');
    assert.equal(again.value, 'now a string');
    const assign = await s.execute('k = "x"');
    assert.equal(assign.status, 'error');
    assert.match(assign.error!.message, /read only property 'k'/);
  });

  it('refuses to redeclare the kernel\'s own globals; shadowed globals come back on reset', async () => {
    const r = await s.execute('const a1 = 1\nconst process = "mine"');
    assert.equal(r.status, 'error');
    assert.match(r.error!.message, /'process' is a global the kernel relies on/);
    assert.equal(typeof process.pid, 'number');
    assert.equal(s.locals.a1, undefined, 'nothing of the refused cell ran');
    const g = globalThis as Record<string, unknown>;
    const before = g.navigator;
    await s.execute('const navigator = "shadowed"');
    assert.equal(g.navigator, 'shadowed');
    s.reset();
    assert.equal(g.navigator, before);
  });

  it('destructures, enums and imports bind into the scope', async () => {
    await s.execute('const { a, b: [c, ...rest] } = { a: 1, b: [2, 3, 4] }\nenum Color { Red, Green }');
    assert.deepEqual([s.locals.a, s.locals.c, s.locals.rest, (s.locals.Color as Record<string, number>).Green], [1, 2, [3, 4], 1]);
  });

  it('`import x = A.B.C` (an alias of a namespace member) binds the member', async () => {
    await s.execute('namespace Outer { export namespace Inner { export const deep = 42 } }');
    const r = await s.execute('import d = Outer.Inner\nimport n = Outer\nd.deep + n.Inner.deep');
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(r.value, 84);
  });

  it('supports top-level await and for-await', async () => {
    const r = await s.execute('const v = await new Promise<number>((r) => setTimeout(() => r(41), 20))\nlet sum = 0\nfor await (const x of (async function* () { yield 1 })()) sum += x\nv + sum');
    assert.equal(r.value, 42);
  });

  it('imports npm packages from the project (tfjs) and the workbench API', async () => {
    const r = await s.execute('import * as tf from "@tensorflow/tfjs"\nconst t = tf.tensor([1, 2, 3])\nconst total = t.sum().dataSync()[0]\nt.dispose()\ntotal');
    assert.equal(r.status, 'ok', r.error?.stack);
    assert.equal(r.value, 6);
    const api = await s.execute('import { splitPairs } from "empathy"\ntypeof splitPairs + " " + typeof empathy.display.table + " " + typeof require("node:path").join');
    assert.equal(api.value, 'function function function');
  });

  it('loads data and shows it with the workbench API (same loaders as the CLI)', async () => {
    const r = await s.execute('const pairs = await empathy.loadPairs("dataset/samples/emotional-reactions-sample.csv")\nconst parts = empathy.splitPairs(pairs, { seed: 1 })\ndisplay.dataset(pairs, { name: "ER sample" });\n[pairs.length, parts.train.length + parts.dev.length + parts.test.length]');
    assert.equal(r.status, 'ok', r.error?.stack);
    assert.deepEqual(r.value, [24, 24]);
    const d = r.displays[0].bundle['application/vnd.empathy.dataset+json'] as { v: number; name: string; rows: Array<{ levels: { ER?: number } }> };
    assert.equal(d.v, 1);
    assert.equal(d.rows.length, 24);
    assert.ok(d.rows.every((row) => row.levels.ER !== undefined));
    assert.match(r.displays[0].bundle['text/plain'], /^Dataset ER sample: 24 rows/);
  });

  it('trains through the API with a live loss curve and records the run like the CLI', async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-runs-'));
    try {
      const toy = JSON.stringify(path.join(repo, 'out/test/engine/toyData.js'));
      const r = await s.execute(`import { toyPairs, toyConfig } from ${toy}\nconst trained = await empathy.train({ ...toyConfig, epochs: 1 }, toyPairs(16), { record: ${JSON.stringify(runs)}, label: "nb" });\n[trained.steps, trained.runId !== undefined]`);
      assert.equal(r.status, 'ok', r.error?.stack);
      assert.deepEqual(r.value, [2, true]);
      const curve = r.displays.filter((d) => d.bundle['application/vnd.empathy.loss-curve+json']);
      assert.ok(curve.length >= 2 && curve.every((d) => d.displayId === curve[0].displayId));
      const last = curve[curve.length - 1].bundle['application/vnd.empathy.loss-curve+json'] as { live?: boolean; runs: Array<{ steps: unknown[] }> };
      assert.equal(last.live, undefined, 'the final redraw is not live');
      assert.equal(last.runs[0].steps.length, 2);
      const listed = new RunStore(runs).list().runs;
      assert.equal(listed.length, 1);
      assert.deepEqual([listed[0].source, listed[0].status, listed[0].steps], ['notebook', 'finished', 2]);
      const shown = await s.execute(`const store = new empathy.RunStore(${JSON.stringify(runs)})\nconst rec = store.list().runs[0]\ndisplay.lossCurve({ run: rec, events: store.events(rec.id) })\ndisplay.runs([rec])`);
      assert.equal(shown.status, 'ok', shown.error?.stack);
      const recorded = shown.displays[0].bundle['application/vnd.empathy.loss-curve+json'] as { runs: Array<{ label: string; steps: unknown[] }> };
      assert.deepEqual([recorded.runs[0].label, recorded.runs[0].steps.length], ['nb', 2]);
      assert.ok(shown.displays[1].bundle['application/vnd.empathy.runs+json']);
      await s.execute('trained.model.dispose()');
    } finally {
      fs.rmSync(runs, { recursive: true, force: true });
    }
  });

  it('displays the last expression: text/plain always, a table for arrays of records', async () => {
    const r = await s.execute('[{ name: "a", n: 1 }, { name: "b", n: 2 }]');
    assert.ok(r.result!['application/vnd.empathy.table+json']);
    assert.deepEqual((r.result!['application/vnd.empathy.table+json'] as { rows: unknown[][] }).rows, [['a', 1], ['b', 2]]);
    assert.match(r.result!['text/plain'], /name\s+n/);
    const none = await s.execute('const z = 1;');
    assert.equal(none.result, undefined, 'declarations display nothing');
    const handle = await s.execute('display.markdown("**hi**")');
    assert.equal(handle.result, undefined, 'a display call shows its display, not the handle');
    assert.equal(handle.displays.length, 1);
    assert.equal(handle.displays[0].bundle['text/markdown'], '**hi**');
  });

  it('streams console output while the cell runs, in order', async () => {
    const seen: Array<{ text: string; at: number }> = [];
    const t0 = Date.now();
    const r = await s.execute('console.log("one"); console.error("two"); console.log("three")\nawait sleep(300)\nconsole.log("four")', {
      onEvent: (e) => { if (e.type === 'stream') seen.push({ text: e.text, at: Date.now() - t0 }); },
    });
    assert.deepEqual(r.events.filter((e) => e.type === 'stream').map((e) => (e as { name: string }).name), ['stdout', 'stderr', 'stdout', 'stdout']);
    assert.deepEqual(seen.map((x) => x.text), ['one\n', 'two\n', 'three\n', 'four\n']);
    assert.ok(seen[3].at - seen[0].at >= 250, `"one" arrived ${seen[3].at - seen[0].at} ms before "four": streamed, not buffered`);
    assert.equal(r.events[0].type, 'started');
    assert.equal(r.events.filter((e) => e.type === 'done').length, 1);
    assert.equal(r.events[r.events.length - 1].type, 'done');
  });

  it('maps runtime errors to the cell line and column, through functions of earlier cells', async () => {
    await s.execute('interface P { x: number }\n\nfunction fail(p: P): never {\n  throw new Error("bad " + p.x)\n}', { cellId: 'lib' });
    const r = await s.execute('const ok = 1\n\n\nfail({ x: 7 })', { cellId: 'use' });
    assert.equal(r.status, 'error');
    assert.equal(r.error!.message, 'bad 7');
    assert.match(r.error!.stack, /at fail \(cell-lib\.ts:4:9\)\n\s+at <cell> \(cell-use\.ts:4:1\)/);
    assert.equal(r.error!.frames[0].cellId, 'lib');
    assert.deepEqual([r.error!.line, r.error!.column], [4, 1], 'the position in the cell that ran');
    assert.equal(s.locals.ok, 1, 'statements before the error ran');
  });

  it('maps frames of awaited calls too', async () => {
    await s.execute('async function load(n: number) {\n  await sleep(5)\n  if (n > 1) throw new TypeError("too big: " + n)\n  return n\n}', { cellId: 'lib2' });
    const r = await s.execute('const one = await load(1)\n\nconst two = await load(2)', { cellId: 'main2' });
    assert.match(r.error!.stack, /^TypeError: too big: 2\n\s+at load \(cell-lib2\.ts:3:20\)\n\s+at <cell> \(cell-main2\.ts:3:\d+\)$/);
    assert.equal(s.locals.one, 1);
  });

  it('reports syntax errors at their position without running', async () => {
    const r = await s.execute('const a = 1\nconst b = ;');
    assert.equal(r.status, 'error');
    assert.equal(r.error!.name, 'SyntaxError');
    assert.deepEqual([r.error!.line, r.error!.column], [2, 11]);
    assert.equal(s.locals.a, undefined);
  });

  it('output with no cell to own it (a panel query before the first cell) reaches the process streams, once', async () => {
    // The kernel captures process output for its cells; before any cell ran, a write (the engine's banner
    // while a panel loads a model) must go to the real stream, not back into the capture (that recursed).
    const seen: string[] = [];
    const realWrite = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => { seen.push(String(chunk)); return true; }) as typeof process.stdout.write;
    const t = new Session({ cwd: repo, captureProcessOutput: true });
    try {
      assert.doesNotThrow(() => process.stdout.write('before any cell\n'));
      assert.deepEqual(seen, ['before any cell\n']);
      const r = await t.execute('console.log("in a cell")');
      assert.equal(r.status, 'ok');
      assert.deepEqual(seen, ['before any cell\n'], 'a cell\'s output is the cell\'s, not the stream\'s');
    } finally {
      t.dispose();
      process.stdout.write = realWrite;
    }
  });

  it('reports type errors at the cell\'s own positions, seeing earlier cells, without blocking', async () => {
    const t = new Session({ cwd: repo });
    try {
      await t.execute('const count = 3\nfunction greet(name: string) { return "hi " + name }');
      const r = await t.execute('// a comment line\nconst label: string = count\ngreet(count)');
      const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} TS${d.code}`);
      assert.deepEqual(errs, ['2:7 TS2322', '3:7 TS2345']);
      assert.equal(r.status, 'ok', 'not blocking by default');
      assert.equal(r.value, 'hi 3');
      const blocked = await t.execute('const late: number = "x"\nconsole.log("ran")', { blockOnTypeErrors: true });
      assert.equal(blocked.status, 'error');
      assert.equal(blocked.error!.name, 'TypeScriptError');
      assert.equal(blocked.stdout, '', 'not run');
      const redefined = await t.execute('const count = "three"\nconst s2: string = count');
      assert.deepEqual(redefined.diagnostics, [], 'a redefinition replaces the earlier declaration');
      await t.execute('import { splitPairs } from "empathy"\nconst parts = splitPairs([])');
      const api = await t.execute('const n: number = parts.train.length\nconst wrong: string = parts.dev');
      assert.deepEqual(api.diagnostics.map((d) => `${d.line}:${d.column} TS${d.code}`), ['2:7 TS2322'], 'types of API values survive into later cells');
      const completions = await t.complete('gre', 3);
      assert.ok(completions.items.some((c) => c.label === 'greet' && c.kind === 'function'));
      assert.deepEqual([completions.from, completions.to], [0, 3]);
    } finally {
      t.dispose();
    }
  });

  it('interrupt stops an awaiting cell at its sleep and keeps variables', async () => {
    await s.execute('let progress = 0');
    const running = s.execute('for (;;) { progress++; await sleep(20) }');
    // Wait for the loop to be under way (a condition, not a duration: any machine load).
    while (((s.locals.progress as number | undefined) ?? 0) <= 2) await new Promise((r) => setTimeout(r, 10));
    s.interrupt();
    const r = await running;
    assert.equal(r.status, 'interrupted');
    // It stopped by itself at the interrupted sleep (not abandoned after the grace period).
    assert.doesNotMatch(r.stderr, /did not stop by itself/);
    const kept = s.locals.progress as number;
    assert.ok(kept > 2, `progress ${kept}`);
    const after = await s.execute('progress');
    assert.equal(after.value, kept, 'the loop stopped: no more increments');
  });

  it('ends a cell that ignores the signal after a short grace, and honours a timeout', async () => {
    const r = s.execute('await new Promise(() => {})');
    setTimeout(() => s.interrupt(), 100);
    assert.equal((await r).status, 'interrupted');
    const t = await s.execute('await new Promise(() => {})', { timeoutMs: 200 });
    assert.equal(t.status, 'interrupted');
    assert.match(t.stderr, /timed out after 0\.2 s/);
  });

  it('lists variables with type and short value', async () => {
    await s.execute('const numbers = [1, 2, 3]\nlet title = "EPITOME"\nfunction helper() {}');
    assert.deepEqual(s.variables(), [
      { name: 'numbers', type: 'Array(3)', value: '[ 1, 2, 3 ]', kind: 'const' },
      { name: 'title', type: 'string', value: "'EPITOME'", kind: 'let' },
      { name: 'helper', type: 'function', value: 'function helper', kind: 'function' },
    ]);
  });

  it('reset clears every variable', async () => {
    await s.execute('const gone = 1');
    s.reset();
    const r = await s.execute('typeof gone');
    assert.equal(r.value, 'undefined');
  });
});

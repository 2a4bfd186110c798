// `empathy run` end to end through bin/empathy.js: executes a notebook headless, writes the executed
// notebook and the HTML report; stops at the first error (exit 1) unless --allow-errors; a per-cell
// --timeout interrupts; the input is never overwritten by a run that did not complete.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderHtmlReport } from '../../kernel/report/html';
import { codeCell, emptyNotebook, markdownCell, parseNotebook, serializeNotebook } from '../../kernel/notebook/format/notebook';

const repo = path.resolve(__dirname, '../../..');
const bin = path.join(repo, 'bin/empathy.js');

function empathy(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 110_000, maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kernel/cli empathy run', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-run-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs every code cell in order and writes the executed notebook and report', () => {
    const input = path.join(dir, 'small.empathy');
    fs.copyFileSync(path.join(repo, 'test/kernel/fixtures/small.empathy'), input);
    const r = empathy(['run', 'small.empathy', '--out', 'out/small.executed.empathy', '--html', 'out/small.html'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sorted: \[ 1, 2, 3 \]\n3\n/);
    assert.match(r.stderr, /empathy run: 3 cell\(s\) ok/);
    const nb = parseNotebook(fs.readFileSync(path.join(dir, 'out/small.executed.empathy'), 'utf8'));
    const code = nb.cells.filter((c) => c.kind === 'code');
    assert.deepEqual(code.map((c) => c.execution?.count), [1, 2, 3]);
    assert.ok(code.every((c) => c.execution?.status === 'ok' && c.execution.durationMs >= 0));
    assert.deepEqual(code[0].outputs, [{ kind: 'stream', name: 'stdout', text: 'sorted: [ 1, 2, 3 ]\n' }, { kind: 'result', bundle: { 'text/plain': '3' } }]);
    assert.ok(code[1].outputs.some((o) => o.kind === 'display' && o.bundle['application/vnd.empathy.table+json']));
    assert.deepEqual(code[2].outputs, [{ kind: 'result', bundle: { 'text/plain': '14' } }]);
    const html = fs.readFileSync(path.join(dir, 'out/small.html'), 'utf8');
    assert.ok(html.includes('<h1>A small notebook</h1>') && html.includes('class="empathy-output"'));
    assert.equal(fs.readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.tmp')).length, 0, 'atomic writes leave no temp files');
  });

  it('stops at the first failing cell (exit 1) and never overwrites the input with less', () => {
    const nb = emptyNotebook();
    nb.cells.push(markdownCell('failing'), codeCell('const a = 1', 'ok'), codeCell('\nthrow new Error("planned failure")', 'bad'), codeCell('console.log("never")', 'later'));
    const input = path.join(dir, 'fail.empathy');
    const text = serializeNotebook(nb);
    fs.writeFileSync(input, text);
    const r = empathy(['run', 'fail.empathy', '--out', 'fail.empathy', '--no-typecheck'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Error: planned failure\n\s+at <cell> \(cell-bad\.ts:2:7\)/, r.stderr);
    assert.match(r.stderr, /cell bad \(#3\) ended with error; later cells were not run/);
    assert.match(r.stderr, /not writing over the input/);
    assert.ok(!r.stdout.includes('never'));
    assert.equal(fs.readFileSync(input, 'utf8'), text, 'input untouched');
  });

  it('--allow-errors keeps going; --timeout interrupts a stuck cell', () => {
    const nb = emptyNotebook();
    nb.cells.push(codeCell('const a = 1', 'a'), codeCell('await new Promise(() => {})', 'stuck'), codeCell('missing()', 'err'), codeCell('a + 1', 'last'));
    fs.writeFileSync(path.join(dir, 'allow.empathy'), serializeNotebook(nb));
    const r = empathy(['run', 'allow.empathy', '--allow-errors', '--timeout', '1', '--out', 'allow.out.empathy', '--no-typecheck'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = parseNotebook(fs.readFileSync(path.join(dir, 'allow.out.empathy'), 'utf8'));
    assert.deepEqual(out.cells.map((c) => c.execution?.status), ['ok', 'interrupted', 'error', 'ok']);
    assert.match(JSON.stringify(out.cells[1].outputs), /timed out after 1\.0 s/);
    assert.deepEqual(out.cells[3].outputs, [{ kind: 'result', bundle: { 'text/plain': '2' } }]);
  });

  it('has a default per-cell time limit and output cap, both shown and both changeable (0: none)', () => {
    const nb = emptyNotebook();
    nb.cells.push(codeCell('1 + 1', 'one'));
    fs.writeFileSync(path.join(dir, 'limits.empathy'), serializeNotebook(nb));
    const byDefault = empathy(['run', 'limits.empathy', '--no-typecheck'], dir);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.match(byDefault.stderr, /per cell: time limit 1800 s \(--timeout\), output cap 1024 KiB \(--max-output-kb\)/);
    const none = empathy(['run', 'limits.empathy', '--no-typecheck', '--timeout', '0', '--max-output-kb', '0'], dir);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /per cell: time limit none \(--timeout\), output cap none \(--max-output-kb\)/);
    assert.equal(empathy(['run', 'limits.empathy', '--timeout', '-1'], dir).code, 2);
  });

  it('a time limit stops a synchronous and an asynchronous runaway loop; the run goes on (--allow-errors)', () => {
    const nb = emptyNotebook();
    nb.cells.push(codeCell('while (true) {}', 'sync'), codeCell('await 1;\nwhile (true) {}', 'async'), codeCell('40 + 2', 'after'));
    fs.writeFileSync(path.join(dir, 'runaway.empathy'), serializeNotebook(nb));
    const r = empathy(['run', 'runaway.empathy', '--allow-errors', '--timeout', '1', '--out', 'runaway.out.empathy', '--no-typecheck'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /KernelClient was disposed|Unhandled/);
    const out = parseNotebook(fs.readFileSync(path.join(dir, 'runaway.out.empathy'), 'utf8'));
    assert.deepEqual(out.cells.map((c) => c.execution?.status), ['interrupted', 'interrupted', 'ok']);
    for (const c of out.cells.slice(0, 2)) assert.match(JSON.stringify(c.outputs), /timed out after 1\.0 s/, c.id);
    assert.deepEqual(out.cells[2].outputs, [{ kind: 'result', bundle: { 'text/plain': '42' } }]);
  });

  it('caps a cell\'s stored output (1 MiB by default) with a visible marker in the notebook and the report', () => {
    const nb = emptyNotebook();
    nb.cells.push(codeCell('process.stdout.write("x".repeat(3_000_000));\nconsole.log("\\nthe end")', 'loud'), codeCell('console.log("small")', 'quiet'));
    fs.writeFileSync(path.join(dir, 'loud.empathy'), serializeNotebook(nb));
    const r = empathy(['run', 'loud.empathy', '--quiet', '--out', 'loud.out.empathy', '--html', 'loud.html', '--no-typecheck'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = parseNotebook(fs.readFileSync(path.join(dir, 'loud.out.empathy'), 'utf8'));
    const text = out.cells[0].outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    assert.ok(text.length > 1_000_000 && text.length < 1_100_000, `stored ${text.length} chars`);
    const dropped = Number(/… output truncated \((\d+) bytes dropped; the limit is 1 MiB per cell/.exec(text)?.[1]);
    assert.equal(dropped + (1 << 20) + 4096, 3_000_000 + '\nthe end\n'.length, 'what was kept plus what was dropped is what was written');
    assert.match(text, /the end\n$/, 'the end of the output is kept after the marker');
    assert.deepEqual(out.cells[1].outputs, [{ kind: 'stream', name: 'stdout', text: 'small\n' }], 'the cap is per cell');
    assert.ok(fs.statSync(path.join(dir, 'loud.out.empathy')).size < 1_200_000);
    const html = fs.readFileSync(path.join(dir, 'loud.html'), 'utf8');
    assert.match(html, /… output truncated \(\d+ bytes dropped/);
    assert.ok(html.length < 1_500_000, `report ${html.length} chars`);

    const small = empathy(['run', 'loud.empathy', '--quiet', '--max-output-kb', '16', '--out', 'loud16.out.empathy', '--no-typecheck'], dir);
    assert.equal(small.code, 0, small.stderr);
    const out16 = parseNotebook(fs.readFileSync(path.join(dir, 'loud16.out.empathy'), 'utf8'));
    assert.match(JSON.stringify(out16.cells[0].outputs), /the limit is 16 KiB per cell/);
    assert.ok(fs.statSync(path.join(dir, 'loud16.out.empathy')).size < 30_000);
  });

  it('an out-of-memory cell is one line naming the cell and the heap limit, not V8\'s native stack', () => {
    const nb = emptyNotebook();
    nb.cells.push(codeCell('const xs: number[][] = [];\nwhile (true) xs.push(new Array(1e6).fill(1.5));', 'hog'), codeCell('1', 'later'));
    fs.writeFileSync(path.join(dir, 'oom.empathy'), serializeNotebook(nb));
    const r = empathy(['run', 'oom.empathy', '--out', 'oom.out.empathy', '--no-typecheck'], dir, { NODE_OPTIONS: '--max-old-space-size=48' });
    assert.equal(r.code, 1, r.stderr);
    const out = parseNotebook(fs.readFileSync(path.join(dir, 'oom.out.empathy'), 'utf8'));
    assert.equal(out.cells[0].execution?.status, 'error');
    const text = out.cells[0].outputs.map((o) => (o.kind === 'stream' ? o.text : JSON.stringify(o))).join('');
    assert.match(text, /^The kernel ran out of memory \(heap limit \d+ MB\) in cell hog and was stopped[^\n]*\n$/);
    assert.doesNotMatch(r.stderr, /Native stack|FATAL ERROR|Mark-Compact/);
  });

  it('cells a failed run did not reach lose the outputs of an earlier run (never shown as ok)', () => {
    const nb = emptyNotebook();
    const bad = codeCell('throw new Error("now failing")', 'bad');
    const later = codeCell('console.log("fresh")', 'later');
    later.outputs = [{ kind: 'stream', name: 'stdout', text: 'OLD OUTPUT\n' }];
    later.execution = { count: 7, status: 'ok', durationMs: 5 };
    nb.cells.push(bad, later);
    fs.writeFileSync(path.join(dir, 'stale.empathy'), serializeNotebook(nb));
    const r = empathy(['run', 'stale.empathy', '--out', 'stale.out.empathy', '--html', 'stale.html', '--no-typecheck'], dir);
    assert.equal(r.code, 1, r.stderr);
    const out = parseNotebook(fs.readFileSync(path.join(dir, 'stale.out.empathy'), 'utf8'));
    assert.deepEqual(out.cells[1].outputs, []);
    assert.equal(out.cells[1].execution, null);
    const html = fs.readFileSync(path.join(dir, 'stale.html'), 'utf8');
    assert.ok(!html.includes('OLD OUTPUT'));
    assert.match(html, /id="cell-later"><div class="cell-head"><span>\[ \]<\/span><span class="status-not-run">not run<\/span>/);
    // A notebook saved elsewhere with outputs but no execution record: the report marks them as old.
    const shown = renderHtmlReport({ ...nb, cells: [{ ...later, execution: null }] }, { reportScript: false });
    assert.match(shown, /not run \(outputs from an earlier run\)<\/span>/);
  });

  it('refuses a corrupt notebook with its position, before starting a kernel', () => {
    fs.writeFileSync(path.join(dir, 'bad.empathy'), '{\n  "format": "empathy-notebook",\n  "version": 1,\n  "cells": [\n    {"kind": "cod"}\n  ]\n}\n');
    const r = empathy(['run', 'bad.empathy'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.empathy:5:\d+: cell kind must be "markdown" or "code"/);
  });

  it('refuses a notebook nested 100,000 deep in one line naming the file (no "Maximum call stack size exceeded")', () => {
    const depth = 100_000;
    fs.writeFileSync(path.join(dir, 'deep.empathy'), `{"format": "empathy-notebook", "version": 1, "metadata": {"x": ${'['.repeat(depth)}${']'.repeat(depth)}}, "cells": []}`);
    const r = empathy(['run', 'deep.empathy'], dir);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /call stack/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /deep\.empathy:1:\d+: invalid JSON: Arrays and objects nested deeper than 512 levels/);
  });
});

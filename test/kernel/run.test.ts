// `empathy run` end to end through bin/empathy.js: executes a notebook headless, writes the executed
// notebook and the HTML report; stops at the first error (exit 1) unless --allow-errors; a per-cell
// --timeout interrupts; the input is never overwritten by a run that did not complete.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeCell, emptyNotebook, markdownCell, parseNotebook, serializeNotebook } from '../../kernel/protocol/notebook';

const repo = path.resolve(__dirname, '../../..');
const bin = path.join(repo, 'bin/empathy.js');

function empathy(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 110_000 });
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

  it('refuses a corrupt notebook with its position, before starting a kernel', () => {
    fs.writeFileSync(path.join(dir, 'bad.empathy'), '{\n  "format": "empathy-notebook",\n  "version": 1,\n  "cells": [\n    {"kind": "cod"}\n  ]\n}\n');
    const r = empathy(['run', 'bad.empathy'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.empathy:5:\d+: cell kind must be "markdown" or "code"/);
  });
});

// The .empathy format: a stable, readable round trip, and bad files THROW with file, JSON path and
// line (a corrupt or newer-version file never becomes an empty notebook).
import assert from 'node:assert/strict';
import {
  codeCell, emptyNotebook, markdownCell, NotebookFormatError, parseNotebook, serializeNotebook, type Notebook,
} from '../../kernel/notebook/format/notebook';

function sample(): Notebook {
  const nb = emptyNotebook({ title: 'Sample' });
  nb.cells.push(markdownCell('# Title\n\nSome *text*.', 'm1'));
  const c = codeCell('const xs = [1, 2, 3]\nxs.length', 'c1');
  c.outputs.push(
    { kind: 'stream', name: 'stdout', text: 'hello\n' },
    { kind: 'display', displayId: 'd1', bundle: { 'text/plain': 'a  b', 'application/vnd.empathy.table+json': { v: 1, columns: ['a', 'b'], rows: [[1, 'x']] } } },
    { kind: 'result', bundle: { 'text/plain': '3' } },
  );
  c.execution = { count: 1, status: 'ok', durationMs: 12, startedAt: '2026-01-01T00:00:00.000Z' };
  const e = codeCell('boom()', 'c2');
  e.outputs.push({ kind: 'error', name: 'ReferenceError', message: 'boom is not defined', stack: 'ReferenceError: boom is not defined\n    at <cell> (cell-c2.ts:1:1)', line: 1, column: 1 });
  e.execution = { count: 2, status: 'error', durationMs: 3 };
  nb.cells.push(c, e);
  return nb;
}

describe('kernel/notebook format', () => {
  it('round-trips a notebook exactly and serializes stably', () => {
    const text = serializeNotebook(sample());
    const back = parseNotebook(text, 'sample.empathy');
    assert.deepEqual(back, sample());
    assert.equal(serializeNotebook(back), text, 'same bytes on re-save');
  });

  it('is pretty-printed with a fixed key order, sources as lines, payloads compact on one line', () => {
    const text = serializeNotebook(sample());
    assert.ok(text.startsWith('{\n  "format": "empathy-notebook",\n  "version": 1,\n  "metadata": {'));
    assert.match(text, /"source": \[\n\s+"const xs = \[1, 2, 3\]\\n",\n\s+"xs.length"\n\s+\]/);
    assert.match(text, /"application\/vnd.empathy.table\+json": \{"v":1,"columns":\["a","b"\],"rows":\[\[1,"x"\]\]\}/);
    const cell = /"id": "c1",\n\s+"kind"/.test(text);
    assert.ok(cell, 'id, then kind');
  });

  it('throws on invalid JSON with the line and column', () => {
    const text = serializeNotebook(sample()).replace('"kind": "code"', '"kind": "code",,');
    assert.throws(() => parseNotebook(text, 'broken.empathy'), (e: unknown) => {
      assert.ok(e instanceof NotebookFormatError);
      assert.equal(e.kind, 'syntax');
      assert.equal(e.file, 'broken.empathy');
      const line = text.split('\n').findIndex((l) => l.includes(',,')) + 1;
      assert.equal(e.line, line);
      assert.match(e.message, /^broken\.empathy:\d+:\d+: invalid JSON/);
      return true;
    });
  });

  it('names the JSON path and line of an invalid value', () => {
    const text = serializeNotebook(sample()).replace('"kind": "result"', '"kind": "resul"');
    const line = text.split('\n').findIndex((l) => l.includes('"resul"')) + 1;
    assert.throws(() => parseNotebook(text, 'x.empathy'), (e: unknown) => {
      assert.ok(e instanceof NotebookFormatError);
      assert.equal(e.jsonPath, '$.cells[1].outputs[2].kind');
      assert.equal(e.line, line);
      return true;
    });
    const noPlain = serializeNotebook(sample()).replace('"text/plain": "3"', '"text/html": "3"');
    assert.throws(() => parseNotebook(noPlain), /text\/plain.*\$\.cells\[1\]\.outputs\[2\]\.bundle\["text\/plain"\]/);
  });

  it('refuses a newer format version, an empty file, a non-notebook, unknown keys', () => {
    const newer = serializeNotebook(sample()).replace('"version": 1', '"version": 2');
    assert.throws(() => parseNotebook(newer, 'new.empathy'), (e: unknown) => e instanceof NotebookFormatError && e.kind === 'newer-version' && /newer/.test(e.message) && e.line === 3);
    assert.throws(() => parseNotebook('', 'empty.empathy'), /empty\.empathy:1:1: the file is empty/);
    assert.throws(() => parseNotebook('{"cells": []}', 'other.json'), /format/);
    assert.throws(() => parseNotebook(serializeNotebook(sample()).replace('"execution": null', '"execution": null, "extra": 1')), /unknown key "extra"/);
  });

  it('refuses JSON nested deeper than 512 levels, naming the file and the place (100,000 deep overflowed the stack)', () => {
    const deep = (n: number) => `{"format": "empathy-notebook", "version": 1, "metadata": {"x": ${'['.repeat(n)}${']'.repeat(n)}}, "cells": []}`;
    assert.throws(() => parseNotebook(deep(100_000), 'deep.empathy'), (e: unknown) => {
      assert.ok(e instanceof NotebookFormatError, String(e));
      assert.equal(e.kind, 'syntax');
      assert.match(e.message, /^deep\.empathy:1:\d+: invalid JSON: Arrays and objects nested deeper than 512 levels/);
      return true;
    });
    // At the limit it still reads (the notebook's own object and metadata are two of the levels).
    assert.deepEqual(parseNotebook(deep(510), 'ok.empathy').cells, []);
  });

  it('rejects outputs on markdown cells and duplicate cell ids', () => {
    const nb = sample();
    nb.cells[2].id = 'c1';
    assert.throws(() => parseNotebook(serializeNotebook(nb)), /duplicate cell id "c1"/);
  });
});

// .ipynb import/export: our notebook survives a round trip through Jupyter's format; Jupyter files
// import with their outputs; unsupported nbformat versions throw.
import assert from 'node:assert/strict';
import { codeCell, emptyNotebook, markdownCell, serializeNotebook, type Notebook } from '../../kernel/notebook/format/notebook';
import { parseIpynb, serializeIpynb, toIpynb } from '../../kernel/notebook/format/ipynb';

function sample(): Notebook {
  const nb = emptyNotebook({ title: 'Round trip' });
  nb.cells.push(markdownCell('## Heading\ntext', 'md'));
  const c = codeCell('console.log(1)\ndisplay.table(rows)\n42', 'code1');
  c.outputs.push(
    { kind: 'stream', name: 'stdout', text: '1\n' },
    { kind: 'stream', name: 'stderr', text: 'warn\n' },
    { kind: 'display', displayId: 'display-1', bundle: { 'text/plain': 't', 'application/vnd.empathy.table+json': { v: 1, columns: ['a'], rows: [[1]] } } },
    { kind: 'result', bundle: { 'text/plain': '42' } },
  );
  c.execution = { count: 3, status: 'ok', durationMs: 41, startedAt: '2026-01-01T00:00:00.000Z' };
  const e = codeCell('f()', 'code2');
  e.outputs.push({ kind: 'error', name: 'Error', message: 'x', stack: 'Error: x\n    at f (cell-code2.ts:4:9)', line: 4, column: 9 });
  e.execution = { count: 4, status: 'error', durationMs: 2 };
  nb.cells.push(c, e, codeCell('// never run', 'code3'));
  return nb;
}

describe('kernel/notebook ipynb', () => {
  it('exports nbformat 4.5 with TypeScript code cells and Jupyter output types', () => {
    const j = toIpynb(sample()) as { nbformat: number; nbformat_minor: number; metadata: { kernelspec: { language: string } }; cells: Array<{ cell_type: string; outputs?: Array<{ output_type: string }>; execution_count?: number | null }> };
    assert.equal(j.nbformat, 4);
    assert.equal(j.nbformat_minor, 5);
    assert.equal(j.metadata.kernelspec.language, 'typescript');
    assert.deepEqual(j.cells.map((c) => c.cell_type), ['markdown', 'code', 'code', 'code']);
    assert.deepEqual(j.cells[1].outputs!.map((o) => o.output_type), ['stream', 'stream', 'display_data', 'execute_result']);
    assert.equal(j.cells[1].execution_count, 3);
    assert.equal(j.cells[3].execution_count, null);
  });

  it('round-trips .empathy → .ipynb → .empathy without loss', () => {
    const back = parseIpynb(serializeIpynb(sample()), 'rt.ipynb');
    assert.equal(serializeNotebook(back), serializeNotebook(sample()));
  });

  it('imports a Jupyter notebook (outputs without text/plain get one) and rejects nbformat 3', () => {
    const jupyter = {
      nbformat: 4, nbformat_minor: 2, metadata: { kernelspec: { name: 'python3', language: 'python' } },
      cells: [
        { cell_type: 'code', metadata: {}, execution_count: 1, source: ['print(1)'], outputs: [{ output_type: 'stream', name: 'stdout', text: ['1\n'] }, { output_type: 'display_data', data: { 'image/png': 'iVBOR' }, metadata: {} }] },
        { cell_type: 'raw', metadata: {}, source: 'raw text' },
      ],
    };
    const nb = parseIpynb(JSON.stringify(jupyter), 'py.ipynb');
    assert.equal(nb.cells[0].language, 'python', 'kept, not run as TypeScript');
    assert.equal(nb.cells[0].outputs.length, 2);
    const d = nb.cells[0].outputs[1];
    assert.ok(d.kind === 'display' && d.bundle['text/plain'] === '<image/png output>' && d.bundle['image/png'] === 'iVBOR');
    assert.equal(nb.cells[1].kind, 'markdown');
    assert.throws(() => parseIpynb(JSON.stringify({ nbformat: 3, worksheets: [] }), 'old.ipynb'), /old\.ipynb:1:\d+: unsupported nbformat 3/);
    assert.throws(() => parseIpynb('{"nbformat": 4, "cells": [', 'cut.ipynb'), /cut\.ipynb:1:\d+: invalid JSON/);
  });
});

// Export as HTML / .ipynb: the notebook as it is (outputs included, nothing re-run), beside it by default,
// never over the notebook itself.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkExportTarget, exportPath, renderExport } from '../../extension/exportFormats';
import { codeCell, emptyNotebook, markdownCell, type Notebook } from '../../kernel/notebook/format/notebook';
import { parseIpynb } from '../../kernel/notebook/format/ipynb';

function executed(): Notebook {
  const nb = emptyNotebook({ title: 'Export check' });
  const code = codeCell("console.log('printed once')", 'c1');
  code.outputs = [
    { kind: 'stream', name: 'stdout', text: 'printed once\n' },
    { kind: 'result', bundle: { 'text/plain': '42', 'application/vnd.empathy.table+json': { v: 1, columns: ['a'], rows: [[1]] } } },
  ];
  code.execution = { count: 7, status: 'ok', durationMs: 12, startedAt: '2026-01-01T00:00:00.000Z' };
  nb.cells.push(markdownCell('# A heading\n\nText.', 'm1'), code);
  return nb;
}

describe('extension: export formats', () => {
  it('suggests the notebook\'s name with the format\'s extension, beside it', () => {
    assert.equal(exportPath(join('/w', 'examples', '00-quickstart.empathy'), 'html'), join('/w', 'examples', '00-quickstart.html'));
    assert.equal(exportPath('Untitled-1', 'ipynb'), 'Untitled-1.ipynb');
  });

  it('refuses to write over the notebook itself', () => {
    assert.throws(() => checkExportTarget('/w/a.empathy', '/w/a.empathy'), /over the notebook itself/);
    assert.doesNotThrow(() => checkExportTarget('/w/a.html', '/w/a.empathy'));
    assert.doesNotThrow(() => checkExportTarget('/w/a.html', undefined));
  });

  it('.ipynb keeps the outputs and execution counts as they are', () => {
    const text = renderExport(executed(), 'ipynb');
    const raw = JSON.parse(text) as { nbformat: number; cells: Array<{ cell_type: string; execution_count?: number; outputs?: Array<{ output_type: string }> }> };
    assert.equal(raw.nbformat, 4);
    assert.deepEqual(raw.cells.map((c) => c.cell_type), ['markdown', 'code']);
    assert.equal(raw.cells[1].execution_count, 7);
    assert.deepEqual(raw.cells[1].outputs?.map((o) => o.output_type), ['stream', 'execute_result']);
    const back = parseIpynb(text);
    assert.deepEqual(back.cells[1].outputs, executed().cells[1].outputs);
  });

  it('HTML shows the markdown, the code, and the saved outputs', () => {
    const html = renderExport(executed(), 'html', { title: 'Export check', source: 'x.empathy', reportScript: false, plotly: false });
    assert.match(html, /<h1[^>]*>A heading<\/h1>/);
    assert.match(html, /printed once/);
    assert.match(html, /\[7\]/);
    assert.match(html, /x\.empathy/);
  });
});

// The real HTML report (kernel/report/html.ts) with every rich output type, opened in headless
// Chromium: report.js draws each output from its embedded payload, the text fallback is hidden,
// plotly comes inlined, nothing is fetched, and it follows the OS colour scheme.
import { strict as assert } from 'node:assert';
import { MIME, type MimeBundle } from '../../kernel/protocol/mime';
import { renderHtmlReport } from '../../kernel/report/html';
import { codeCell, emptyNotebook, markdownCell, type Notebook } from '../../kernel/notebook/format/notebook';
import { useHarness, fixture, type TestPage } from './harness';
import * as gen from './fixtures/generate';

function notebookWithEveryOutput(): Notebook {
  const nb = emptyNotebook({ title: 'Webviews in the HTML report (invented data)' });
  const payloads: Array<[string, unknown]> = [
    [MIME.lossCurve, gen.lossCurve({ runs: 2, steps: 300 })],
    [MIME.confusion, fixture('confusion.json')],
    [MIME.rationales, gen.rationales({ items: 2 })],
    [MIME.dataset, gen.dataset(120, 4)],
    [MIME.metrics, fixture('metrics.json')],
    [MIME.runs, fixture('runs.json')],
    [MIME.table, fixture('table.json')],
  ];
  nb.cells.push(markdownCell('# Every renderer\nEach cell below displays one rich output.'));
  payloads.forEach(([mime, payload], i) => {
    const cell = codeCell(`display(${JSON.stringify(mime)})`, `c${i}`);
    const bundle: MimeBundle = { 'text/plain': `<${mime} fallback text>`, [mime]: payload };
    cell.outputs.push({ kind: 'display', bundle });
    cell.execution = { count: i + 1, status: 'ok', durationMs: 12 };
    nb.cells.push(cell);
  });
  return nb;
}

describe('webviews: the HTML report draws every rich output', function () {
  this.timeout(120_000);
  const suite = useHarness({ police: false });
  const opened = suite.opened;

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders all 7 output types (${scheme} scheme), fallbacks hidden, no console errors, nothing fetched`, async () => {
      const html = renderHtmlReport(notebookWithEveryOutput());
      assert.match(html, /window\.Plotly|Plotly/, 'plotly inlined by the report');
      const p = await suite.hx.openHtml(html, { colorScheme: scheme, viewport: { width: 1180, height: 900 } });
      opened.push(p);
      await p.page.waitForFunction('document.documentElement.dataset.empathyRendered === "7"');
      assert.equal(await p.js(`document.querySelectorAll('.empathy-output[data-rendered]').length`), 7);
      assert.equal(await p.js(`document.querySelectorAll('.ew-error').length`), 0);
      assert.equal(await p.js(`Array.from(document.querySelectorAll('.empathy-fallback')).filter(e => e.offsetParent !== null).length`), 0, 'text fallbacks hidden');
      assert.equal(await p.js(`document.querySelectorAll('.js-plotly-plot').length`), 3, 'loss, dev metrics and level chart');
      assert.equal(await p.js(`document.querySelectorAll('.ew-cell').length`), 27);
      assert.ok(await p.js<number>(`document.querySelectorAll('.ew-tok').length`) > 50);
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.blocked, []);
      await p.shot(`report-${scheme}`);
    });
  }
});

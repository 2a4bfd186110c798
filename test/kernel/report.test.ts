// The HTML report: self-contained (no network), markdown rendered safely, code and outputs shown;
// opened in headless Chromium it logs no errors and the rich outputs render (plots present) with the
// webviews' report script, or show their text fallbacks when that bundle is not built.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lossCurveBundle, metricsBundle } from '../../kernel/api/display/index';
import { confusionPayload, confusionText } from '../../kernel/payloads/confusion';
import { codeCell, emptyNotebook, markdownCell, type Notebook } from '../../kernel/notebook/format/notebook';
import { renderHtmlReport, writeHtmlReport } from '../../kernel/report/html';
import { renderMarkdown } from '../../kernel/report/markdown';
import type { MechanismEval, TrainEvent } from '../../kernel/engine/types';
import { MIME } from '../../kernel/protocol/mime';
import { browserTestsUnavailable, withLocalPage } from '../support/localPage';
import { skipBecause } from '../support/skip';

const repo = path.resolve(__dirname, '../../..');
const reportJs = path.join(repo, 'out/webviews/report.js');

function evalOf(): MechanismEval {
  const r = { tokenF1: 0.5, iouF1: 0.4 };
  return {
    mechanism: 'ER', n: 10, accuracy: 0.7, macroF1: 0.6, kappa: 0.5, kappaQuadratic: 0.55,
    perClass: [0, 1, 2].map((level) => ({ level: level as 0 | 1 | 2, precision: 0.7, recall: 0.6, f1: 0.65, support: 3 })),
    confusion: [[3, 1, 0], [1, 2, 0], [0, 1, 2]],
    rationale: { all: r, positive: r },
    paperFaithful: { batchSize: 32, accuracy: 0.7, macroF1: 0.6, rationaleAccuracy: 0.8, rationaleMacroF1: 0.6, iouF1: 0.4 },
  };
}

function notebook(): Notebook {
  const events: TrainEvent[] = [1, 2, 3, 4].map((step) => ({ type: 'step', v: 1, step, epoch: 0, loss: 1 / step, lossLevel: 1 / step, lossRationale: 0.5 / step, lr: 1e-3, gradNorm: 1, examplesPerSec: 10 }));
  const nb = emptyNotebook({ title: 'Report <test>' });
  nb.cells.push(markdownCell('# Results\n\nA **bold** claim with `code` and a [link](https://example.org).\n\n<script>alert(1)</script>\n\n| a | b |\n|---|--:|\n| 1 | 2 |', 'md'));
  const c = codeCell('display.lossCurve(events)\ndisplay.confusion(report)', 'plots');
  const p = confusionPayload(evalOf());
  c.outputs.push(
    { kind: 'stream', name: 'stdout', text: 'training…\n' },
    { kind: 'display', displayId: 'd1', bundle: lossCurveBundle(events) },
    { kind: 'display', bundle: { 'text/plain': confusionText(p), [MIME.confusion]: p } },
    { kind: 'display', bundle: metricsBundle({ accuracy: 0.7, 'macro-F1': 0.6 }) },
    { kind: 'result', bundle: { 'text/plain': '</script><b>not html</b>' } },
  );
  c.execution = { count: 1, status: 'ok', durationMs: 1234 };
  const e = codeCell('boom()', 'err');
  e.outputs.push({ kind: 'error', name: 'ReferenceError', message: 'boom is not defined', stack: 'ReferenceError: boom is not defined\n    at <cell> (cell-err.ts:1:1)', line: 1, column: 1 });
  e.execution = { count: 2, status: 'error', durationMs: 3 };
  nb.cells.push(c, e);
  return nb;
}

describe('kernel/report', function () {
  this.timeout(120_000);

  it('renders markdown safely (escaped HTML, safe links only)', () => {
    const html = renderMarkdown('# T\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://a.b/?q=1&r=2)\n\n- a\n- b\n\n```ts\nconst a = "<b>"\n```');
    assert.ok(!html.includes('<img'), html);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!html.includes('javascript:'));
    assert.ok(html.includes('<a class="md-external" href="https://a.b/?q=1&amp;r=2" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">ok</a><span class="md-external-mark"> (external link: a.b)</span>'), html);
    assert.ok(html.includes('<ul><li>a</li><li>b</li></ul>'));
    assert.ok(html.includes('<pre><code class="language-ts">const a = &quot;&lt;b&gt;&quot;</code></pre>'));
  });

  it('external links are marked, protocol-relative and other odd targets are inert, local links stay', () => {
    const html = renderMarkdown('[c](//evil.example/x) [d](/\\evil.example/y) [e](https:evil.example) [f](ftp://evil.example/) ' +
      '[g](https://good.example@evil.example/z) [h](#results) [i](runs/r1/report.html) [j](mailto:a@b.c)');
    assert.ok(!/href="(\/\/|\/\\|https:evil|ftp:)/.test(html), html);
    assert.ok(/<span class="md-inert-link" title="link removed[^"]*">c<\/span>/.test(html), html);
    assert.ok(!html.includes('evil.example/x'), 'an inert target is not kept anywhere in the page');
    for (const label of ['d', 'e', 'f']) assert.ok(html.includes(`">${label}</span>`), `${label} is inert: ${html}`);
    assert.ok(html.includes('>g</a><span class="md-external-mark"> (external link: evil.example)</span>'), 'the real host is named');
    assert.ok(html.includes('<a href="#results">h</a>') && html.includes('<a href="runs/r1/report.html">i</a>'));
    assert.ok(html.includes('>j</a><span class="md-external-mark"> (external link: email)</span>'));
    // Every <a> to another site is followed by its mark.
    const external = html.match(/<a class="md-external"[^>]*>[^<]*<\/a>(<span class="md-external-mark">)?/g) ?? [];
    assert.equal(external.length, 2);
    assert.ok(external.every((a) => a.endsWith('<span class="md-external-mark">')));
    assert.equal((html.match(/<a /g) ?? []).length, 4, 'only the two local and two marked external links are links');
  });

  it('embeds payloads safely and without the report script falls back to text', () => {
    const html = renderHtmlReport(notebook(), { reportScript: false });
    assert.equal((html.match(/class="empathy-output"/g) ?? []).length, 3);
    assert.ok(html.includes(`data-mime="${MIME.lossCurve}"`));
    assert.ok(!/<\/script><b>/.test(html), 'no script break-out from outputs');
    assert.ok(html.includes('&lt;/script&gt;&lt;b&gt;not html&lt;/b&gt;'));
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(!/src="https?:|<link\b|@import|url\(https?:/.test(html), 'nothing fetched from the network (links are only links)');
    assert.ok(html.includes('<pre class="empathy-fallback">Loss curve run-1: 4 steps'));
    assert.ok(!html.includes('Plotly'), 'plotly only with the report script');
    const img = emptyNotebook();
    const cell = codeCell('plot()', 'img');
    cell.outputs.push({ kind: 'display', bundle: { 'text/plain': '<chart>', 'image/png': 'iVBORw0KGgo=' } }, { kind: 'display', bundle: { 'text/plain': 'x', 'image/png': 'not base64 <script>' } });
    img.cells.push(cell);
    const imgHtml = renderHtmlReport(img, { reportScript: false });
    assert.ok(imgHtml.includes('<img class="image-output" alt="&lt;chart&gt;" src="data:image/png;base64,iVBORw0KGgo=">'));
    assert.ok(!imgHtml.includes('not base64 <script>'));
  });

  it('opens in headless Chromium without console errors; plots render (or fallbacks show)', async function () {
    const why = browserTestsUnavailable();
    if (why) skipBecause(this, why);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-report-'));
    const file = path.join(dir, 'report.html');
    writeHtmlReport(file, notebook());
    const withScript = fs.existsSync(reportJs);
    try {
      await withLocalPage(file, async (page, problems) => {
      assert.equal(await page.title(), 'Report <test>');
      assert.equal(await page.locator('section.markdown h1').textContent(), 'Results');
      assert.equal(await page.locator('section.markdown table td').count(), 2);
      assert.match(await page.locator('pre.error-output').textContent() ?? '', /ReferenceError: boom is not defined/);
      if (withScript) {
        await page.waitForFunction('document.documentElement.dataset.empathyRendered === "3"', undefined, { timeout: 30_000 });
        await page.waitForSelector('.js-plotly-plot', { timeout: 30_000 });
        assert.ok(await page.locator('.js-plotly-plot').count() >= 1, 'loss curve drawn by plotly');
        assert.equal(await page.locator('pre.empathy-fallback').first().isVisible(), false, 'fallbacks hidden once rendered');
      } else {
        assert.equal(await page.locator('pre.empathy-fallback').count(), 3);
        assert.ok(await page.locator('pre.empathy-fallback').first().isVisible());
      }
      assert.deepEqual(problems, []);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

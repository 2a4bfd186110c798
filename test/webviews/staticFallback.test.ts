// The static fallbacks Jupyter front ends and GitHub show (kernel/report/fallback/) against the
// extension's renderers, both drawn in headless Chromium from the same payloads: the same counts,
// metrics, token probabilities and last losses. The fallback pages run no script of ours.
import { strict as assert } from 'node:assert';
import { MIME, type ConfusionPayload, type MimeBundle } from '../../kernel/protocol/mime';
import { fmt } from '../../kernel/protocol/numberFormat';
import { withStaticFallback } from '../../kernel/report/fallback/index';
import { fixture, outputDiv, useHarness, type TestPage } from './harness';
import * as gen from './fixtures/generate';

describe('webviews: static HTML/SVG fallbacks show what the renderers show', function () {
  this.timeout(120_000);
  const suite = useHarness();

  async function renderer(mime: string, payload: unknown): Promise<TestPage> {
    const p = await suite.hx.open({ bundle: 'report', plotly: mime === MIME.lossCurve ? 'inline' : 'lazy', body: outputDiv(mime, payload, 'o0') });
    suite.opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    return p;
  }

  /** The fallback alone in a page (as JupyterLab or GitHub would show it: no stylesheet, no script). */
  async function fallback(mime: string, payload: unknown, kind: 'text/html' | 'image/svg+xml'): Promise<TestPage> {
    const bundle = withStaticFallback({ 'text/plain': 'x', [mime]: payload } as MimeBundle);
    const markup = bundle[kind];
    assert.equal(typeof markup, 'string', `${mime} has a ${kind} fallback`);
    assert.doesNotMatch(markup as string, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no script, nothing fetched');
    const p = await suite.hx.openHtml(`<!doctype html><html><head><meta charset="utf-8"></head><body>${markup as string}</body></html>`);
    suite.opened.push(p);
    return p;
  }

  const texts = (p: TestPage, sel: string) => p.page.$$eval(sel, (els) => els.map((e) => (e.textContent ?? '').trim()));

  it('confusion matrix: the same counts per cell and the same acc, macro-F1, κ, κ² per mechanism', async () => {
    const payload = fixture<ConfusionPayload>('confusion.json');
    const r = await renderer(MIME.confusion, payload);
    await r.js(`__t.set('vscode-checkbox[data-control=normalised]', false)`);
    const f = await fallback(MIME.confusion, payload, 'text/html');
    for (const m of payload.mechanisms) {
      const cells = `.ew-card[data-mechanism=${m.mechanism}] .ew-cell`;
      const counts = await texts(r, cells);
      assert.deepEqual(counts, m.matrix.flat().map(String), `${m.mechanism}: renderer counts`);
      assert.deepEqual(await texts(f, cells), counts, `${m.mechanism}: fallback counts`);
      const summary = `.ew-card[data-mechanism=${m.mechanism}] .ew-summary b`;
      assert.deepEqual(await texts(f, summary), await texts(r, summary), `${m.mechanism}: acc, macro-F1, κ, κ²`);
    }
  });

  it('rationale heatmap: the same tokens with the same probabilities, per response and mechanism', async () => {
    const payload = gen.rationales({ items: 3, maxLen: 40 });
    const r = await renderer(MIME.rationales, payload);
    const f = await fallback(MIME.rationales, payload, 'text/html');
    for (const item of payload.items) {
      for (const mech of ['ER', 'IP', 'EX']) {
        const sel = `.ew-item[data-id="${item.id}"] .ew-rationale-card[data-mechanism=${mech}] .ew-tok`;
        const probs = (p: TestPage) => p.page.$$eval(sel, (els) => els.map((e) => [e.textContent, e.getAttribute('data-prob')]));
        const want = await probs(r);
        assert.ok(want.length > 0, `${item.id} ${mech}: the renderer drew tokens`);
        assert.deepEqual(await probs(f), want, `${item.id} ${mech}`);
      }
    }
  });

  it('loss curve: one line per run, and each run\'s last loss as the renderer plots it', async () => {
    const payload = gen.lossCurve({ runs: 2, steps: 120 });
    const r = await renderer(MIME.lossCurve, payload);
    await r.js(`__t.set('input[data-control=smoothing]', '0')`);
    const f = await fallback(MIME.lossCurve, payload, 'image/svg+xml');
    assert.equal(await f.page.$$eval('polyline.ew-run', (els) => els.length), 2);
    const plotted = await r.js<number[]>(`document.querySelector('.ew-loss-plot').data.filter(t => t.yaxis !== 'y2').slice(0, 1).map(t => t.y.at(-1))`);
    const summary = await texts(f, 'text.ew-summary');
    assert.match(summary[0], new RegExp(`loss ${fmt(plotted[0]).replace('.', '\\.')}`), `${summary[0]} vs the plotted ${plotted[0]}`);
  });
});

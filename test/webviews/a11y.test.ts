// Accessibility: axe-core in headless Chromium on every renderer, both panels and the HTML report, in
// light, dark and VS Code's two high-contrast themes (the report: both OS colour schemes and forced
// colours). Zero serious or critical violations; each failure lists the rule, the node and why.
import { strict as assert } from 'node:assert';
import { MIME, type Level, type Mechanism } from '../../kernel/protocol/mime';
import type { HostToDatasetExplorer, HostToRationaleInspector, InspectorExample } from '../../kernel/protocol/panels';
import { renderHtmlReport } from '../../kernel/report/html';
import { codeCell, emptyNotebook, markdownCell } from '../../kernel/notebook/format/notebook';
import { ALL_THEMES, useHarness, fixture, outputDiv, type TestPage, type Theme } from './harness';
import { seriousViolations } from './axe';
import * as gen from './fixtures/generate';

/** "theme rule" → count, for a failure message that survives mocha's diff truncation. */
const summary = (found: string[]) => JSON.stringify(found.reduce<Record<string, number>>((a, f) => { const k = f.split(' (')[0]; a[k] = (a[k] ?? 0) + 1; return a; }, {}));

/** Every renderer's payload, as the notebook displays it. */
function payloads(): Array<[string, string, unknown]> {
  return [
    ['loss curve', MIME.lossCurve, gen.lossCurve({ runs: 2, steps: 120 })],
    ['confusion matrix', MIME.confusion, fixture('confusion.json')],
    ['rationale heatmaps', MIME.rationales, gen.rationales({ items: 3, maxLen: 40 })],
    ['dataset', MIME.dataset, gen.dataset(120, 4)],
    ['metrics', MIME.metrics, fixture('metrics.json')],
    ['run comparison', MIME.runs, fixture('runs.json')],
    ['table', MIME.table, fixture('table.json')],
  ];
}

describe('webviews: accessibility (axe-core, WCAG 2.1 AA)', function () {
  this.timeout(180_000);
  const suite = useHarness();
  const opened = suite.opened;
  const send = (p: TestPage, m: HostToDatasetExplorer | HostToRationaleInspector) =>
    p.js(`window.dispatchEvent(new MessageEvent('message', { data: ${JSON.stringify(m)} }))`);

  /** Axe per theme; one assertion over all themes so a failure shows every theme's findings at once. */
  async function everyTheme(what: string, open: (theme: Theme) => Promise<TestPage>): Promise<void> {
    const found: string[] = [];
    for (const theme of ALL_THEMES) {
      const p = await open(theme);
      for (const v of await seriousViolations(p)) found.push(`${theme}: ${v}`);
    }
    assert.deepEqual(found, [], `${what}: ${found.length} serious/critical axe violations: ${summary(found)}`);
  }

  for (const [name, mime, payload] of payloads()) {
    it(`renderer: ${name}`, async () => {
      await everyTheme(name, async (theme) => {
        const plotly = mime === MIME.lossCurve || mime === MIME.dataset ? 'inline' : 'lazy';
        const p = await suite.hx.open({ bundle: 'report', plotly, theme, body: `<main>${outputDiv(mime, payload, 'o0')}</main>` });
        opened.push(p);
        await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
        // the state a reader reaches: a confusion cell opened lists its examples
        if (mime === MIME.confusion) await p.js(`document.querySelector('.ew-cm[data-mechanism=ER] .ew-cell[data-gold="1"][data-pred="0"]').click()`);
        return p;
      });
    });
  }

  it('plots have text alternatives reached by keyboard: the loss table, the confusion cells, the level counts', async () => {
    const loss = gen.lossCurve({ runs: 2, steps: 120 });
    const dataset = gen.dataset(120, 4);
    const p = await suite.hx.open({ bundle: 'report', plotly: 'inline', theme: 'light',
      body: `<main>${outputDiv(MIME.lossCurve, loss, 'o0')}${outputDiv(MIME.confusion, fixture('confusion.json'), 'o1')}${outputDiv(MIME.dataset, dataset, 'o2')}</main>` });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered === "3"');
    await p.js(`window.__mouse = 0; for (const t of ['mousedown', 'pointerdown', 'mousemove']) addEventListener(t, () => window.__mouse++, true)`);
    const focusIs = (sel: string) => p.js<boolean>(`document.activeElement === document.querySelector(${JSON.stringify(sel)})`);
    async function tabTo(sel: string): Promise<void> {
      for (let i = 0; i < 40; i++) { if (await focusIs(sel)) return; await p.page.keyboard.press('Tab'); }
      assert.fail(`Tab never reached ${sel}`);
    }
    // the loss curve's numbers: a <details> opened with Enter, one row per run and epoch
    await tabTo('.ew-loss-table summary');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.js(`document.querySelector('.ew-loss-table').open`), true);
    const epochs = loss.runs.reduce((n, r) => n + new Set(r.steps.map((s) => s.epoch)).size, 0);
    assert.equal(await p.js(`__t.count('.ew-loss-table tbody tr')`), epochs);
    const run0 = loss.runs[0], e0 = run0.steps.filter((s) => s.epoch === run0.steps[0].epoch);
    const meanLoss = e0.reduce((a, s) => a + s.loss, 0) / e0.length;
    assert.equal(await p.js(`document.querySelector('.ew-loss-table tbody tr td:nth-child(4)').textContent`), meanLoss.toFixed(4), 'mean loss of the first epoch');
    await tabTo('.ew-loss-table [role=region]');
    // the confusion matrix: a table with header cells; a cell reached by Tab lists its examples on Enter
    assert.match(await p.js<string>(`document.querySelector('.ew-cm th').textContent`), /\S/, 'the corner header is not empty');
    await tabTo('.ew-cm[data-mechanism=ER] .ew-cell[data-gold="0"][data-pred="0"]');
    await p.page.keyboard.press('Enter');
    assert.match(await p.js<string>(`document.querySelector('.ew-examples').textContent`), /gold no → predicted no/);
    // the level chart names its counts
    const er = dataset.rows.filter((r) => r.levels.ER === 2).length;
    assert.match(await p.js<string>(`document.querySelector('.ew-level-chart').getAttribute('aria-label')`), new RegExp(`ER: no \\d+, weak \\d+, strong ${er}`));
    assert.equal(await p.js<number>('window.__mouse'), 0, 'keyboard only');
  });

  it('plot colours keep 3:1 against the background in every theme (six runs: every series colour)', async () => {
    const low: string[] = [];
    for (const theme of ALL_THEMES) {
      const p = await suite.hx.open({ bundle: 'report', plotly: 'inline', theme, body: `<main>${outputDiv(MIME.lossCurve, gen.lossCurve({ runs: 6, steps: 40 }), 'o0')}</main>` });
      opened.push(p);
      await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
      // WCAG relative luminance in the page, on the colours plotly was given and the page background
      low.push(...(await p.js<string[]>(`(() => {
        const probe = document.createElement('span'); document.body.appendChild(probe);
        const rgbOf = (css) => { probe.style.color = css; const m = getComputedStyle(probe).color.match(/[\\d.]+/g); if (!m) throw new Error("no colour: " + css + " → " + getComputedStyle(probe).color); return m.slice(0, 3).map(Number); };
        const lum = (c) => { const [r, g, b] = c.map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const bg = rgbOf(getComputedStyle(document.body).backgroundColor);
        return document.querySelector('.ew-loss-plot').data.filter((t) => t.hoverinfo !== 'skip' && t.yaxis !== 'y2')
          .map((t) => [t.name, t.line.color, ratio(rgbOf(t.line.color), bg)]).filter(([, , r]) => r < 3).map(([n, c, r]) => n + ' ' + c + ' ' + r.toFixed(2));
      })()`)).map((x) => `${theme}: ${x}`));
    }
    assert.deepEqual(low, []);
  });

  it('a live theme switch repaints the heatmap and confusion shades (still no serious violation)', async () => {
    const p = await suite.hx.open({ bundle: 'report', plotly: 'lazy', theme: 'light',
      body: `<main>${outputDiv(MIME.rationales, gen.rationales({ items: 2 }), 'o0')}${outputDiv(MIME.confusion, fixture('confusion.json'), 'o1')}</main>` });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered === "2"');
    const colours = () => p.js<string[]>(`[...document.querySelectorAll('.ew-tok[data-tint], .ew-cell')].slice(0, 40).map((e) => e.style.background)`);
    const light = await colours();
    await p.js(`document.documentElement.dataset.empathyTheme = 'dark'`);
    await p.js(`__t.frame()`);
    await p.js(`__t.frame()`);
    const dark = await colours();
    assert.ok(light.some((c) => c) && dark.some((c, i) => c !== light[i]), 'shades repainted');
    assert.deepEqual(await seriousViolations(p), []);
  });

  it('sortable tables sort from the keyboard (Tab to a header, Enter)', async () => {
    const p = await suite.hx.open({ bundle: 'report', plotly: 'lazy', theme: 'light', body: `<main>${outputDiv(MIME.table, fixture('table.json'), 'o0')}</main>` });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    await p.page.keyboard.press('Tab');
    assert.equal(await p.js(`document.activeElement.closest('th')?.dataset.key`), '0', 'the first header takes focus');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.js(`document.querySelector('th[data-key="0"]').getAttribute('aria-sort')`), 'ascending');
    await p.page.keyboard.press('Enter'); // the focus stayed on the redrawn header
    assert.equal(await p.js(`document.querySelector('th[data-key="0"]').getAttribute('aria-sort')`), 'descending');
  });

  it('panel: Dataset Explorer (with predictions)', async () => {
    const dataset = gen.dataset(200, 21, 'invented-train.csv');
    await everyTheme('Dataset Explorer', async (theme) => {
      const p = await suite.hx.open({ bundle: 'datasetExplorer', theme, vscodeApi: true, plotly: 'inline', body: '<div id="root"></div>', viewport: { width: 1280, height: 900 } });
      opened.push(p);
      await send(p, { type: 'dataset', v: 1, dataset });
      await send(p, { type: 'predictions', v: 1, modelLabel: 'test model', predictions: gen.predictions(dataset, 5) });
      await p.page.waitForSelector('.ew-level-chart .main-svg');
      return p;
    });
  });

  it('panel: Rationale Inspector (scored example, review bar, model levels)', async () => {
    const r = gen.rationales({ items: 3 });
    const examples: InspectorExample[] = r.items.map((it) => ({ id: it.id, seekerPost: it.seekerPost, responsePost: it.responsePost,
      gold: Object.fromEntries(Object.entries(it.mechanisms).map(([m, v]) => [m, { level: v!.goldLevel ?? v!.level, spans: v!.goldSpans ?? [] }])) }));
    await everyTheme('Rationale Inspector', async (theme) => {
      const p = await suite.hx.open({ bundle: 'rationaleInspector', theme, vscodeApi: true, plotly: 'lazy', body: '<div id="root"></div>', viewport: { width: 1280, height: 900 } });
      opened.push(p);
      await send(p, { type: 'init', v: 1, examples, models: [{ id: 'm1', label: 'bi-encoder small' }, { id: 'm2', label: 'tagger' }], modelId: 'm1' });
      await send(p, { type: 'review', v: 1, review: { file: '/data/dev.review.jsonl', reviewer: 'ana', pairs: { 'item-1': { ER: { level: 1, added: [], removed: [], goldSuspect: true, notes: ['check'] } } } as never, problems: [], canUndo: true } });
      const req = await p.js<{ requestId: number }>(`window.__posted.find((m) => m.type === 'score')`);
      const item = r.items[0];
      await send(p, { type: 'scored', v: 1, requestId: req.requestId, item: { ...item, mechanisms: Object.fromEntries(Object.entries(item.mechanisms).map(([m, v]) => [m, { ...v!, tokens: v!.tokens.map((t) => ({ ...t, salience: t.prob / 2 })) }])) }, maxLen: 64, elapsedMs: 5 });
      await send(p, { type: 'levels', v: 1, predictions: { 'item-1': { ER: 2 as Level } as Record<Mechanism, Level> } });
      return p;
    });
  });

  it('200% zoom (a 1280 px window at 640 CSS px): the panels and the heatmaps reflow without a horizontal page scroll', async () => {
    const r = gen.rationales({ items: 2 });
    const examples: InspectorExample[] = r.items.map((it) => ({ id: it.id, seekerPost: it.seekerPost, responsePost: it.responsePost }));
    const viewport = { width: 640, height: 450 };
    const overflow = (p: TestPage) => p.js<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    const insp = await suite.hx.open({ bundle: 'rationaleInspector', theme: 'light', vscodeApi: true, plotly: 'lazy', body: '<div id="root"></div>', viewport });
    opened.push(insp);
    await send(insp, { type: 'init', v: 1, examples, models: [{ id: 'm1', label: 'bi-encoder small' }], modelId: 'm1' });
    const req = await insp.js<{ requestId: number }>(`window.__posted.find((m) => m.type === 'score')`);
    await send(insp, { type: 'scored', v: 1, requestId: req.requestId, item: r.items[0], maxLen: 64 });
    assert.equal(await overflow(insp), 0, 'Rationale Inspector');
    const dataset = gen.dataset(60, 4);
    const de = await suite.hx.open({ bundle: 'datasetExplorer', theme: 'light', vscodeApi: true, plotly: 'inline', body: '<div id="root"></div>', viewport });
    opened.push(de);
    await send(de, { type: 'dataset', v: 1, dataset });
    await de.page.waitForSelector('.ew-level-chart .main-svg');
    assert.equal(await overflow(de), 0, 'Dataset Explorer');
    const heat = await suite.hx.open({ bundle: 'report', plotly: 'lazy', theme: 'light', viewport, body: `<main>${outputDiv(MIME.rationales, r, 'o0')}</main>` });
    opened.push(heat);
    await heat.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    assert.equal(await overflow(heat), 0, 'rationale heatmaps');
  });

  function reportNotebook() {
    const nb = emptyNotebook({ title: 'Accessibility of the HTML report (invented data)' });
    nb.cells.push(markdownCell('# Every renderer\nEach cell below displays one rich output.'));
    payloads().forEach(([, mime, payload], i) => {
      const cell = codeCell(`display(${JSON.stringify(mime)}) // a long source line that scrolls sideways in its block ${'x'.repeat(300)}`, `c${i}`);
      cell.outputs.push({ kind: 'display', bundle: { 'text/plain': `<${mime}>`, [mime]: payload } });
      cell.execution = { count: i + 1, status: 'ok', durationMs: 12 };
      nb.cells.push(cell);
    });
    return nb;
  }

  for (const mode of [{ colorScheme: 'light' as const }, { colorScheme: 'dark' as const }, { colorScheme: 'dark' as const, forcedColors: true }, { colorScheme: 'light' as const, forcedColors: true }]) {
    it(`HTML report: ${mode.colorScheme} scheme${mode.forcedColors ? ', forced colours' : ''}`, async () => {
      const p = await suite.hx.openHtml(renderHtmlReport(reportNotebook()), { ...mode, viewport: { width: 1180, height: 900 } });
      opened.push(p);
      await p.page.waitForFunction('document.documentElement.dataset.empathyRendered === "7"');
      const found = await seriousViolations(p);
      assert.deepEqual(found, [], `${found.length} serious/critical axe violations: ${summary(found)}`);
    });
  }
});

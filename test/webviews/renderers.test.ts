// Every notebook renderer, drawn by the report bundle in headless Chromium from invented fixtures:
// DOM assertions, no console errors, no request leaving the page, a screenshot per renderer and theme.
import { strict as assert } from 'node:assert';
import { MIME, type ConfusionPayload, type DatasetPayload, type MetricsPayload, type RunsPayload, type TablePayload } from '../../kernel/protocol/mime';
import { useHarness, fixture, outputDiv, type TestPage, type Theme } from './harness';
import * as gen from './fixtures/generate';

describe('webviews: renderers in headless Chromium', function () {
  this.timeout(120_000);
  const suite = useHarness();
  const opened = suite.opened;

  /** A report-like page with one output per payload, rendered by out/webviews/report.js. */
  async function report(outputs: Array<[string, unknown]>, theme: Theme = 'light'): Promise<TestPage> {
    // Like the HTML report, inline plotly before the bundle, but only where a chart needs it (faster).
    const charts = outputs.some(([m]) => m === MIME.lossCurve || m === MIME.dataset);
    const p = await suite.hx.open({ bundle: 'report', plotly: charts ? 'inline' : 'lazy', theme, body: outputs.map(([m, x], i) => outputDiv(m, x, `o${i}`)).join('\n') });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    return p;
  }

  async function bothThemes(name: string, outputs: Array<[string, unknown]>, check?: (p: TestPage) => Promise<void>, fullPage = true): Promise<void> {
    for (const theme of ['light', 'dark'] as Theme[]) {
      const p = await report(outputs, theme);
      if (check) await check(p);
      await p.shot(`${name}-${theme}`, fullPage);
    }
  }

  it('loss curves: runs overlaid, parts + lr toggles, smoothing, dev metrics, live re-render', async () => {
    const payload = gen.lossCurve({ runs: 2, steps: 200 });
    const p = await report([[MIME.lossCurve, payload]]);
    const traces = () => p.js<number>(`document.querySelector('.ew-loss-plot').data.length`);
    // per run: raw total (smoothing on), total, level, rationale, lr
    assert.equal(await traces(), 10);
    assert.equal(await p.js(`document.querySelector('.ew-loss-plot').data.filter(t => t.yaxis === 'y2').length`), 2, 'lr on the second axis');
    assert.equal(await p.js(`document.querySelector('.ew-dev-plot').data.length`), 6, 'macro-F1 of 3 mechanisms × 2 runs');

    await p.js(`__t.set('vscode-checkbox[data-control=parts]', false)`);
    assert.equal(await traces(), 6, 'level + rationale hidden');
    await p.js(`__t.set('input[data-control=smoothing]', '0')`);
    assert.equal(await traces(), 4, 'no faint raw trace without smoothing');
    const y = await p.js<number[]>(`document.querySelector('.ew-loss-plot').data[0].y.slice(0, 3)`);
    assert.deepEqual(y, payload.runs[0].steps.slice(0, 3).map((s) => s.loss), 'smoothing 0 plots raw values');

    // live: re-render the same element with more steps — same plot element, updated data, the badge shows
    await p.js(`document.querySelector('.ew-loss-plot').dataset.mark = 'kept'`);
    const more = gen.lossCurve({ runs: 2, steps: 260, live: true });
    await p.js(`EmpathyWebviews.render(document.querySelector('#o0 > div'), ${JSON.stringify(MIME.lossCurve)}, ${JSON.stringify(more)})`);
    assert.equal(await p.js(`document.querySelector('.ew-loss-plot').dataset.mark`), 'kept', 'updated in place');
    assert.equal(await p.js(`document.querySelector('.ew-loss-plot').data[0].x.length`), 260);
    assert.equal(await p.js(`document.querySelector('.ew-live').textContent`), '● live');
    assert.equal(await traces(), 4, 'the toggles survive a live update');

    await bothThemes('loss-curve', [[MIME.lossCurve, gen.lossCurve({ runs: 2, steps: 400 })]]);
  });

  it('confusion matrix: 3×3 per mechanism, normalised by default and remembered, clicking a cell lists its examples', async () => {
    const payload = fixture<ConfusionPayload>('confusion.json');
    const p = await report([[MIME.confusion, payload]]);
    assert.equal(await p.js(`__t.count('.ew-cm')`), 3);
    assert.equal(await p.js(`__t.count('.ew-cell')`), 27);
    assert.equal(await p.js(`__t.count('.ew-perclass tr')`), 12, 'header + 3 classes per mechanism');
    const er00 = `.ew-cm[data-mechanism=ER] .ew-cell[data-gold="0"][data-pred="0"]`;
    assert.match(await p.js<string>(`document.querySelector('${er00}').textContent`), /^83%40$/, 'row-normalised 40/48 with the count beneath');
    assert.match(await p.js<string>(`document.querySelector('.ew-card[data-mechanism=ER] .ew-summary').textContent`), /κ 0\.560/);

    await p.page.click('.ew-cm[data-mechanism=ER] .ew-cell[data-gold="1"][data-pred="0"]');
    assert.equal(await p.js(`__t.count('.ew-example-list li')`), 2);
    assert.match(await p.js<string>(`document.querySelector('.ew-examples').textContent`), /gold weak → predicted no \(9 examples\).*Pets are family/);
    await p.page.click('.ew-cm[data-mechanism=IP] .ew-cell[data-gold="2"][data-pred="0"]');
    assert.match(await p.js<string>(`document.querySelector('.ew-no-examples').textContent`), /did not record/);

    await p.js(`__t.set('vscode-checkbox[data-control=normalised]', false)`);
    assert.equal(await p.js(`document.querySelector('${er00}').textContent`), '40', 'counts');
    // the choice is remembered: a fresh render of the same payload shows counts
    await p.js(`(async () => { const d = document.createElement('div'); d.id = 'again'; document.body.appendChild(d);
      await EmpathyWebviews.render(d, ${JSON.stringify(MIME.confusion)}, ${JSON.stringify(payload)}); })()`);
    assert.equal(await p.js(`document.querySelector('#again ${er00}').textContent`), '40');

    await bothThemes('confusion', [[MIME.confusion, payload]], async (q) => {
      await q.page.click('.ew-cm[data-mechanism=ER] .ew-cell[data-gold="1"][data-pred="0"]');
    });
  });

  it('rationale heatmap: tokens shaded by probability, gold outlined, emoji intact, truncation marked, hover', async () => {
    const payload = gen.rationales({ items: 3, maxLen: 40 });
    // a byte-level BPE tokenizer splits 💙 into byte tokens that share its offsets: they must merge
    const er1 = payload.items[0].mechanisms.ER!;
    const heart = er1.tokens.findIndex((t) => t.text === '💙');
    er1.tokens.splice(heart + 1, 0, { ...er1.tokens[heart], text: 'Ã', prob: 0.99 });
    const p = await report([[MIME.rationales, payload]]);
    assert.equal(await p.js(`__t.count('.ew-rationale-card')`), 9, '3 responses × ER/IP/EX side by side');

    for (const item of payload.items) {
      for (const mech of ['ER', 'IP', 'EX'] as const) {
        const m = item.mechanisms[mech]!;
        const sel = `.ew-item[data-id="${item.id}"] .ew-rationale-card[data-mechanism=${mech}]`;
        const distinct = new Set(m.tokens.map((t) => `${t.start}:${t.end}`)).size;
        assert.equal(await p.js(`__t.count('${sel} .ew-tok')`), distinct, `${item.id} ${mech}: one span per token`);
        const shadeOf = (start: number) => Math.max(...m.tokens.filter((t) => t.start === start).map((t) => t.prob));
        const want = [...new Set(m.tokens.map((t) => t.start))].filter((s) => shadeOf(s) > 0.5).length;
        assert.equal(await p.js(`__t.attrs('${sel} .ew-tok', 'data-shade').filter(x => +x > 0.5).length`), want, 'tokens shaded by probability');
        const heat = await p.js<string>(`document.querySelector('${sel} .ew-heat').textContent`);
        if (m.truncatedAt === undefined) {
          assert.equal(heat, item.responsePost, 'text sliced by offsets: emoji and accents intact');
        } else {
          assert.ok(heat.startsWith(item.responsePost.slice(0, m.truncatedAt)) && heat.endsWith(item.responsePost.slice(m.truncatedAt)));
          assert.equal(await p.js(`__t.count('${sel} .ew-trunc-mark')`), 1, 'truncation at max_len marked');
        }
        // every token that overlaps a gold span sits inside a gold outline
        const goldToks = await p.js<number>(`__t.count('${sel} .ew-gold .ew-tok')`);
        const wantGold = new Set(m.tokens.filter((t) => (m.goldSpans ?? []).some(([a, b]) => t.start < b && t.end > a)).map((t) => t.start)).size;
        assert.equal(goldToks, wantGold, `${item.id} ${mech}: gold spans outlined`);
      }
    }
    // the shading is visible: a high-probability token has a clearly coloured background
    const bg = await p.js<string>(`getComputedStyle(Array.from(document.querySelectorAll('.ew-tok')).find(e => +e.dataset.shade > 0.7)).backgroundColor`);
    assert.match(bg, /(rgba?|color)\(/);
    assert.doesNotMatch(bg, /rgba\(0, 0, 0, 0\)/);
    // the gold span past max_len stays visible in the struck-through tail
    assert.equal(await p.js(`__t.count('.ew-item[data-id="item-3"] .ew-rationale-card[data-mechanism=EX] .ew-trunc .ew-gold')`), 1);

    const tok = `.ew-item[data-id="item-1"] .ew-rationale-card[data-mechanism=ER] .ew-tok`;
    await p.page.hover(`${tok} >> nth=2`);
    assert.match(await p.js<string>(`document.querySelector('.ew-item[data-id="item-1"] .ew-rationale-card[data-mechanism=ER] .ew-hover').textContent`), /p\(rationale\) = 0\.\d{3}/);
    assert.match(await p.js<string>(`document.querySelector('${tok}').title`), /p\(rationale\)=0\.\d{3}/);

    await p.js(`__t.set('vscode-single-select[data-control=mode]', 'salience')`);
    const sal = er1.tokens.filter((_, i) => i !== heart + 1).map((t) => t.salience!.toFixed(3));
    assert.deepEqual(await p.js(`__t.attrs('.ew-item[data-id="item-1"] .ew-rationale-card[data-mechanism=ER] .ew-tok', 'data-shade')`), sal.slice(0, sal.length), 'salience view');

    await bothThemes('rationales', [[MIME.rationales, gen.rationales({ items: 3, maxLen: 40 })]]);
  });

  it('dataset table: filters change the row count, sort, paging, spans highlighted, level chart', async () => {
    const payload: DatasetPayload = gen.dataset(300, 11);
    const p = await report([[MIME.dataset, payload]]);
    const total = () => p.js<number>(`+document.querySelector('.ew-range').dataset.total`);
    assert.equal(await total(), 300);
    assert.equal(await p.js(`__t.count('.ew-dataset tbody tr')`), 20, 'first page');
    assert.equal(await p.js(`document.querySelector('.ew-level-chart').data.length`), 3, 'level distribution per mechanism');

    await p.js(`__t.set('vscode-single-select[data-control=mechanism]', 'ER')`);
    await p.js(`__t.set('vscode-single-select[data-control=level]', '2')`);
    const er2 = payload.rows.filter((r) => r.levels.ER === 2);
    assert.equal(await total(), er2.length);
    assert.deepEqual(await p.js(`document.querySelector('.ew-level-chart').data[0].y`), [0, 0, er2.length], 'chart follows the slice');

    await p.js(`__t.set('vscode-single-select[data-control=level]', 'any')`);
    await p.js(`__t.set('vscode-single-select[data-control=rationale]', 'no')`);
    assert.equal(await total(), payload.rows.filter((r) => !(r.spans.ER?.length)).length);
    await p.js(`__t.set('vscode-single-select[data-control=mechanism]', 'any')`);
    await p.js(`__t.set('vscode-single-select[data-control=rationale]', 'any')`);
    await p.js(`__t.set('vscode-single-select[data-control=truncated]', 'yes')`);
    assert.equal(await total(), payload.rows.filter((r) => r.truncated).length);
    await p.js(`__t.set('vscode-single-select[data-control=truncated]', 'any')`);
    await p.js(`__t.set('input[data-control=minLen]', '20')`);
    await p.js(`__t.set('input[data-control=maxLen]', '30')`);
    await p.js(`__t.sleep(250)`);
    assert.equal(await total(), payload.rows.filter((r) => r.responseTokens! >= 20 && r.responseTokens! <= 30).length);
    await p.js(`__t.set('input[data-control=minLen]', '')`);
    await p.js(`__t.set('input[data-control=maxLen]', '')`);
    await p.js(`__t.set('vscode-textfield[data-control=search]', 'CAFÉ')`);
    await p.js(`__t.sleep(250)`);
    const cafe = payload.rows.filter((r) => `${r.seekerPost}\n${r.responsePost}`.toLowerCase().includes('café')).length;
    assert.ok(cafe > 0 && cafe < 300);
    assert.equal(await total(), cafe, 'case-insensitive text search');
    await p.js(`__t.set('vscode-textfield[data-control=search]', '')`);
    await p.js(`__t.sleep(250)`);
    assert.equal(await total(), 300);

    // sort by length, both directions
    await p.page.click('th[data-key=len]');
    const lens = () => p.js<number[]>(`__t.texts('.ew-dataset tbody tr td.ew-num').map(Number)`);
    const asc = await lens();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    assert.equal(asc[0], Math.min(...payload.rows.map((r) => r.responseTokens!)));
    await p.page.click('th[data-key=len]');
    const desc = await lens();
    assert.equal(desc[0], Math.max(...payload.rows.map((r) => r.responseTokens!)));

    await p.page.click('button[data-page=next]');
    assert.match(await p.js<string>(`document.querySelector('.ew-range').textContent`), /^21–40 of 300/);
    await p.page.click('button[data-page=last]');
    assert.match(await p.js<string>(`document.querySelector('.ew-range').textContent`), /^281–300 of 300 rows · page 15\/15/);

    // rationale spans highlighted with the exact span text
    const marks = await p.js<string[]>(`__t.texts('.ew-dataset tbody mark.ew-span')`);
    const allSpans = new Set(payload.rows.flatMap((r) => Object.values(r.spans).flatMap((ss) => ss!.map(([a, b]) => r.responsePost.slice(a, b)))));
    assert.ok(marks.length > 0 && marks.every((m) => [...allSpans].some((s) => s.includes(m))));

    await bothThemes('dataset', [[MIME.dataset, gen.dataset(300, 11)]], undefined, false);
  });

  it('metrics table: one row per metric, best value per row in bold (lower is better for losses)', async () => {
    const payload = fixture<MetricsPayload>('metrics.json');
    const p = await report([[MIME.metrics, payload]]);
    assert.equal(await p.js(`__t.count('.ew-metrics tbody tr')`), 5);
    assert.deepEqual(await p.js(`__t.texts('.ew-metrics td.ew-best')`), ['0.712', '0.684', '0.701', '0.644', '0.512']);
    assert.equal(await p.js(`__t.texts('.ew-metrics tbody tr:nth-child(3) td')[3]`), '–', 'null renders as a dash');
    await bothThemes('metrics', [[MIME.metrics, payload]]);
  });

  it('run comparison: runs × metrics, filter by metric and by hyper-parameter', async () => {
    const payload = fixture<RunsPayload>('runs.json');
    const p = await report([[MIME.runs, payload]]);
    assert.equal(await p.js(`__t.count('.ew-datatable tbody tr')`), 5);
    // run, created, the 4 varying hyper-parameters (family, lr, epochs, lambda_EI), 5 metrics
    assert.equal(await p.js(`__t.count('.ew-datatable th')`), 2 + 4 + 5);
    await p.js(`__t.set('vscode-textfield[data-control=metricFilter]', 'macroF1')`);
    assert.deepEqual(await p.js(`__t.attrs('.ew-datatable th', 'data-key').filter(k => k.startsWith('m:'))`), ['m:EX.macroF1', 'm:ER.macroF1', 'm:IP.macroF1'].sort());
    await p.js(`__t.set('vscode-single-select[data-control=paramKey]', 'family')`);
    await p.js(`__t.set('vscode-single-select[data-control=paramValue]', 'bi-encoder')`);
    assert.equal(await p.js(`__t.count('.ew-datatable tbody tr')`), 3);
    await p.page.click('th[data-key="m:ER.macroF1"]');
    await p.page.click('th[data-key="m:ER.macroF1"]');
    assert.match(await p.js<string>(`document.querySelector('.ew-datatable tbody tr td').textContent`), /λ=0\.8/, 'best ER F1 first when sorted descending');
    await bothThemes('runs', [[MIME.runs, payload]]);
  });

  it('generic table: sortable, nulls shown, capped rows noted', async () => {
    const payload = fixture<TablePayload>('table.json');
    const p = await report([[MIME.table, payload]]);
    assert.equal(await p.js(`__t.count('.ew-datatable tbody tr')`), 6);
    await p.page.click('th[data-key="3"]');
    assert.deepEqual(await p.js(`__t.texts('.ew-datatable tbody tr td:nth-child(4)')`), ['0', '3', '5', '8', '9', '9']);
    assert.ok(await p.js(`__t.texts('.ew-datatable td').includes('–')`));
    assert.match(await p.js<string>(`document.querySelector('.ew-root').textContent`), /first 6 of 40 rows/);
    await bothThemes('table', [[MIME.table, payload]]);
  });
});

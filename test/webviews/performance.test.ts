// Large payloads render correctly: a 10k-row dataset (render, filter, sort), a 10k-row generic table and
// 2k-step loss curves (only one page of rows in the DOM, filters and sorts apply to all rows). How fast
// they render is measured by `npm run bench` (bench/webviews.ts), never asserted here.
import { strict as assert } from 'node:assert';
import { MIME } from '../../kernel/protocol/mime';
import { Harness, type TestPage } from './harness';
import * as gen from './fixtures/generate';

describe('webviews: large payloads', function () {
  this.timeout(180_000);
  let hx: Harness;
  let p: TestPage;

  before(async function () {
    if (!Harness.available()) this.skip();
    hx = await Harness.launch();
    const table = { v: 1, columns: ['id', 'text', 'level', 'score', 'ok'],
      rows: Array.from({ length: 10_000 }, (_, i) => [`r${i}`, `invented row number ${i}`, i % 3, Math.sin(i), i % 7 === 0]) };
    const blobs: Record<string, unknown> = {
      dataset: gen.dataset(10_000, 99, 'invented-10k.csv'),
      table,
      loss1: gen.lossCurve({ runs: 1, steps: 2000, epochs: 4 }),
      loss3: gen.lossCurve({ runs: 3, steps: 2000, epochs: 4 }),
    };
    const body = Object.entries(blobs).map(([k, v]) => `<script type="application/json" id="${k}">${JSON.stringify(v).replace(/</g, '\\u003c')}</script>`).join('\n');
    p = await hx.open({ bundle: 'report', plotly: 'inline', body });
    await p.page.waitForFunction('window.EmpathyWebviews && window.Plotly');
  });
  after(async () => {
    if (p) {
      assert.deepEqual(p.errors, []);
      await p.close();
    }
    await hx?.close();
  });

  /** Milliseconds from render() to a laid-out result (payload parsed beforehand, as a host would). */
  function timeRender(blob: string, mime: string): Promise<number> {
    return p.js<number>(`(async () => {
      const payload = JSON.parse(document.getElementById('${blob}').textContent);
      const el = document.createElement('div'); el.id = 'out-${blob}'; document.body.appendChild(el);
      const t0 = performance.now();
      await EmpathyWebviews.render(el, ${JSON.stringify(mime)}, payload);
      el.getBoundingClientRect();
      return performance.now() - t0;
    })()`);
  }
  function timeAction(js: string): Promise<number> {
    return p.js<number>(`(() => { const t0 = performance.now(); ${js}; document.body.getBoundingClientRect(); return performance.now() - t0; })()`);
  }
  const report = (what: string, ms: number) => console.log(`      ${what}: ${ms.toFixed(0)} ms`);

  it('10k-row dataset: first render, filter and sort', async () => {
    const ms = await timeRender('dataset', MIME.dataset);
    report('dataset 10k rows, render (incl. level chart)', ms);
    assert.equal(await p.js(`+document.querySelector('#out-dataset .ew-range').dataset.total`), 10_000);
    assert.equal(await p.js(`document.querySelectorAll('#out-dataset tbody tr').length`), 20, 'only one page in the DOM');

    const filter = await timeAction(`__t.set('#out-dataset vscode-single-select[data-control=mechanism]', 'IP'); __t.set('#out-dataset vscode-single-select[data-control=level]', '1')`);
    report('dataset 10k rows, two filter changes', filter);
    assert.ok(await p.js<number>(`+document.querySelector('#out-dataset .ew-range').dataset.total`) < 10_000);

    const sort = await timeAction(`__t.set('#out-dataset vscode-single-select[data-control=level]', 'any'); __t.set('#out-dataset vscode-single-select[data-control=mechanism]', 'any'); document.querySelector('#out-dataset th[data-key=response]').click()`);
    report('dataset 10k rows, clear filters + sort by response text', sort);
  });

  it('10k-row generic table', async () => {
    const ms = await timeRender('table', MIME.table);
    report('table 10k rows, render', ms);
    assert.equal(await p.js(`document.querySelectorAll('#out-table tbody tr').length`), 25);
    const sort = await timeAction(`document.querySelector('#out-table th[data-key="3"]').click()`);
    report('table 10k rows, numeric sort', sort);
    // The visible page is the head of ALL 10k rows sorted by the score column, not of the first page.
    const scores = await p.js<number[]>(`Array.from(document.querySelectorAll('#out-table tbody tr'), (tr) => +tr.children[3].textContent)`);
    const asc = [...scores].sort((a, b) => a - b);
    const desc = [...asc].reverse();
    assert.ok(JSON.stringify(scores) === JSON.stringify(asc) || JSON.stringify(scores) === JSON.stringify(desc), `not sorted: ${scores.slice(0, 5)}`);
    assert.ok(Math.abs(scores[0]) > 0.999, `the extreme of sin() over 10k rows heads the sort, got ${scores[0]}`);
  });

  it('2k-step loss curve (one run, and three runs overlaid)', async () => {
    const one = await timeRender('loss1', MIME.lossCurve);
    report('loss curve 2000 steps × 1 run', one);
    assert.equal(await p.js(`document.querySelector('#out-loss1 .ew-loss-plot').data[1].x.length`), 2000);
    const three = await timeRender('loss3', MIME.lossCurve);
    report('loss curve 2000 steps × 3 runs', three);
    const traceY = `Array.from(document.querySelector('#out-loss3 .ew-loss-plot').data, (d) => (d.y ? Array.from(d.y).slice(0, 50).join(',') : ''))`;
    const before = await p.js<string[]>(traceY);
    const smooth = await p.js<number>(`(async () => { const t0 = performance.now(); __t.set('#out-loss3 input[data-control=smoothing]', '0.9'); await __t.frame(); return performance.now() - t0; })()`);
    report('loss curve 3 × 2000 steps, change smoothing', smooth);
    assert.notDeepEqual(await p.js<string[]>(traceY), before, 'smoothing changed the plotted curves');
  });
});

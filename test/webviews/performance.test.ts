// Large payloads render correctly: a 10k-row dataset (render, filter, sort), a 10k-row generic table and
// 2k-step loss curves (only one page of rows in the DOM, filters and sorts apply to all rows). How fast
// they render is measured by `npm run bench` (bench/webviews.ts), never asserted here.
import { strict as assert } from 'node:assert';
import { MIME } from '../../kernel/protocol/mime';
import { Harness, type TestPage } from './harness';
import { skipBecause } from '../support/skip';
import { ACTIONS, openLargePayloadPage, timeAction as action, timeRender as render } from './fixtures/largePayloads';

describe('webviews: large payloads', function () {
  this.timeout(180_000);
  let hx: Harness;
  let p: TestPage;

  before(async function () {
    const why = Harness.unavailable();
    if (why) skipBecause(this, why);
    hx = await Harness.launch();
    p = await openLargePayloadPage(hx);
  });
  after(async () => {
    if (p) {
      assert.deepEqual(p.errors, []);
      await p.close();
    }
    await hx?.close();
  });

  const timeRender = (blob: string, mime: string) => render(p, blob, mime);
  const timeAction = (js: string) => action(p, js);
  const report = (what: string, ms: number) => console.log(`      ${what}: ${ms.toFixed(0)} ms`);

  it('10k-row dataset: first render, filter and sort', async () => {
    const ms = await timeRender('dataset', MIME.dataset);
    report('dataset 10k rows, render (incl. level chart)', ms);
    assert.equal(await p.js(`+document.querySelector('#out-dataset .ew-range').dataset.total`), 10_000);
    assert.equal(await p.js(`document.querySelectorAll('#out-dataset tbody tr').length`), 20, 'only one page in the DOM');

    const filter = await timeAction(ACTIONS.filterIpWeak);
    report('dataset 10k rows, two filter changes', filter);
    assert.ok(await p.js<number>(`+document.querySelector('#out-dataset .ew-range').dataset.total`) < 10_000);

    const sort = await timeAction(ACTIONS.clearAndSortByText);
    report('dataset 10k rows, clear filters + sort by response text', sort);
  });

  it('10k-row generic table', async () => {
    const ms = await timeRender('table', MIME.table);
    report('table 10k rows, render', ms);
    assert.equal(await p.js(`document.querySelectorAll('#out-table tbody tr').length`), 25);
    const sort = await timeAction(ACTIONS.sortTableByScore);
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
    const smooth = await p.js<number>(ACTIONS.smoothing);
    report('loss curve 3 × 2000 steps, change smoothing', smooth);
    assert.notDeepEqual(await p.js<string[]>(traceY), before, 'smoothing changed the plotted curves');
  });
});

// The two webview panels in headless Chromium, with the test playing the VS Code host: typed messages
// in (window message events) and out (a fake acquireVsCodeApi), DOM assertions and screenshots.
import { strict as assert } from 'node:assert';
import type { Level, Mechanism, RationalesPayload } from '../../kernel/protocol/mime';
import type { DatasetExplorerToHost, HostToDatasetExplorer, HostToRationaleInspector, InspectorExample, RationaleInspectorToHost } from '../../kernel/protocol/panels';
import { parseCsv } from '../../dataset/csv';
import { useHarness, type TestPage, type Theme } from './harness';
import * as gen from './fixtures/generate';

type Item = RationalesPayload['items'][number];

/** A stand-in scorer for the test host: keyword cues per mechanism (no model needed for the panel). */
function fakeScore(seekerPost: string, responsePost: string, salience: boolean): Item {
  const cues: Record<Mechanism, RegExp> = { ER: /sorry|hug|painful|hurt|💙/i, IP: /understand|similar|sense|felt/i, EX: /\?|what|how|have you/i };
  const toks = gen.tokenize(responsePost);
  const mechanisms: Item['mechanisms'] = {};
  for (const m of ['ER', 'IP', 'EX'] as Mechanism[]) {
    const tokens = toks.map((t) => {
      const prob = cues[m].test(t.text) ? 0.9 : 0.05;
      return { ...t, prob, ...(salience ? { salience: Math.min(1, prob * 0.7 + t.text.length / 20) } : {}) };
    });
    const hits = tokens.filter((t) => t.prob > 0.5).length;
    const level = (hits === 0 ? 0 : hits < 3 ? 1 : 2) as Level;
    const probs = [0.1, 0.1, 0.1];
    probs[level] = 0.8;
    mechanisms[m] = { level, probs, tokens };
  }
  return { id: 'scored', seekerPost, responsePost, mechanisms };
}

describe('webviews: panels in headless Chromium', function () {
  this.timeout(120_000);
  const suite = useHarness();
  const opened = suite.opened;

  async function panel(bundle: 'datasetExplorer' | 'rationaleInspector', theme: Theme, scriptAttrs?: Record<string, string>): Promise<TestPage> {
    // Like the extension's shell: <div id="root">, plotly URL on <body>, plotly loaded lazily.
    const p = await suite.hx.open({ bundle, theme, vscodeApi: true, plotly: 'lazy', scriptAttrs,
      body: `<div id="root"></div>`, viewport: { width: 1280, height: 900 } });
    await p.page.evaluate(`document.body.dataset.plotlyUrl = 'http://empathy.test/out/webviews/plotly.min.js'`);
    opened.push(p);
    return p;
  }
  const posted = <T,>(p: TestPage) => p.js<T[]>('window.__posted');
  // VS Code delivers host messages as window `message` events; dispatching one synchronously means the
  // panel has handled it when this returns (window.postMessage would race the next assertion).
  const send = (p: TestPage, m: HostToDatasetExplorer | HostToRationaleInspector) =>
    p.js(`window.dispatchEvent(new MessageEvent('message', { data: ${JSON.stringify(m)} }))`);
  async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('Dataset Explorer: dataset from the host, filters, slice statistics, per-slice metrics, CSV export', async () => {
    const dataset = gen.dataset(400, 21, 'invented-train.csv');
    const p = await panel('datasetExplorer', 'light');
    assert.deepEqual((await posted<DatasetExplorerToHost>(p))[0], { type: 'ready', v: 1 });
    await send(p, { type: 'dataset', v: 1, dataset });
    await p.page.waitForSelector('.ew-level-chart .main-svg');
    assert.equal(await p.js(`+document.querySelector('.ew-range').dataset.total`), 400);
    assert.match(await p.js<string>(`document.querySelector('[data-stat=rows]').textContent`), /rows 400/);
    assert.match(await p.js<string>(`document.querySelector('.ew-slice-metrics').textContent`), /Score the rows with a model/);

    // a slice: EX level strong → the statistics follow it
    await p.js(`__t.set('vscode-single-select[data-control=mechanism]', 'EX')`);
    await p.js(`__t.set('vscode-single-select[data-control=level]', '2')`);
    const ex2 = dataset.rows.filter((r) => r.levels.EX === 2);
    assert.match(await p.js<string>(`document.querySelector('[data-stat=rows]').textContent`), new RegExp(`rows ${ex2.length}$`));
    assert.equal(await p.js(`document.querySelector('.ew-slice-stats tr[data-mechanism=EX]').children[3].textContent`), '100%');

    // the host scores the rows → per-slice metrics for the current slice
    const preds = gen.predictions(dataset, 5);
    await send(p, { type: 'predictions', v: 1, modelLabel: 'bi-encoder (test)', predictions: preds });
    const acc = ex2.filter((r) => preds[r.id].EX === 2).length / ex2.length;
    assert.equal(await p.js(`document.querySelector('.ew-slice-metrics tr[data-mechanism=EX] [data-metric=accuracy]').textContent`), acc.toFixed(3));
    assert.match(await p.js<string>(`document.querySelector('.ew-status').textContent`), /predictions for 400 of 400 rows/);
    // the prediction filter appears: wrong EX predictions within the slice
    await p.js(`__t.set('vscode-single-select[data-control=correct]', 'wrong')`);
    const wrong = ex2.filter((r) => preds[r.id].EX !== 2);
    assert.equal(await p.js(`+document.querySelector('.ew-range').dataset.total`), wrong.length);
    assert.equal(await p.js(`document.querySelector('.ew-slice-metrics tr[data-mechanism=EX] [data-metric=accuracy]').textContent`), '0.000');

    await p.shot('dataset-explorer-light', false);
    await p.page.click('vscode-button[data-control=export]');
    const exp = (await posted<DatasetExplorerToHost>(p)).find((m) => m.type === 'exportSlice');
    assert.ok(exp && exp.type === 'exportSlice');
    assert.equal(exp.rowCount, wrong.length);
    assert.equal(exp.suggestedName, 'invented-train.slice.csv');
    assert.deepEqual(exp.filters, { mechanism: 'EX', level: '2', rationale: 'any', truncated: 'any', correct: 'wrong', minLen: null, maxLen: null, search: '' });
    // the CSV round-trips through the project's RFC 4180 parser (responses contain commas, dashes, emoji)
    const table = parseCsv(exp.csv, 'slice.csv');
    assert.equal(table.length, wrong.length + 1);
    assert.deepEqual(table[0], ['id', 'seeker_post', 'response_post', 'ER_level', 'ER_rationales', 'ER_pred', 'IP_level', 'IP_rationales', 'IP_pred', 'EX_level', 'EX_rationales', 'EX_pred', 'response_tokens', 'truncated']);
    const byId = new Map(dataset.rows.map((r) => [r.id, r]));
    for (const row of table.slice(1)) {
      const src = byId.get(row[0])!;
      assert.equal(row[2], src.responsePost);
      assert.equal(row[9], '2');
      assert.equal(row[10], (src.spans.EX ?? []).map(([a, b]) => src.responsePost.slice(a, b)).join('|'));
      assert.equal(row[11], String(preds[src.id].EX));
    }
    await send(p, { type: 'exported', v: 1, path: '/tmp/x.csv', rowCount: wrong.length });
    assert.match(await p.js<string>(`document.querySelector('.ew-status').textContent`), /Exported \d+ rows to \/tmp\/x\.csv/);
    // a bad dataset from the host: an error box, not a blank panel
    await send(p, { type: 'dataset', v: 1, dataset: { v: 1, name: 'broken', rows: [{ id: 1 }] } as never });
    assert.match(await p.js<string>(`document.querySelector('.ew-error').textContent`), /rows\[0\]\.id: expected a string/);

    const dark = await panel('datasetExplorer', 'dark');
    await send(dark, { type: 'dataset', v: 1, dataset });
    await send(dark, { type: 'predictions', v: 1, modelLabel: 'bi-encoder (test)', predictions: preds });
    await dark.page.waitForSelector('.ew-level-chart .main-svg');
    await dark.shot('dataset-explorer-dark', false);
  });

  it('Rationale Inspector: pick an example, gold vs predicted vs salience, live debounced re-scoring of edits', async () => {
    const r = gen.rationales({ items: 3 });
    const examples: InspectorExample[] = r.items.map((it) => ({ id: it.id, seekerPost: it.seekerPost, responsePost: it.responsePost,
      gold: Object.fromEntries(Object.entries(it.mechanisms).map(([m, v]) => [m, { level: v!.goldLevel ?? v!.level, spans: v!.goldSpans ?? [] }])) }));
    for (const theme of ['light', 'dark'] as Theme[]) {
      const p = await panel('rationaleInspector', theme, { 'data-debounce-ms': '120' });
      const scores = async () => (await posted<RationaleInspectorToHost>(p)).filter((m): m is Extract<RationaleInspectorToHost, { type: 'score' }> => m.type === 'score');
      const answer = async (req: Extract<RationaleInspectorToHost, { type: 'score' }>) =>
        send(p, { type: 'scored', v: 1, requestId: req.requestId, item: fakeScore(req.seekerPost, req.responsePost, req.salience), maxLen: 64, elapsedMs: 42 });

      assert.deepEqual((await posted<RationaleInspectorToHost>(p))[0], { type: 'ready', v: 1 });
      await send(p, { type: 'init', v: 1, examples, models: [{ id: 'm1', label: 'bi-encoder small' }, { id: 'm2', label: 'tagger' }], modelId: 'm1' });
      // the first example is selected and scored
      const first = await waitFor(async () => (await scores())[0], 'a score request');
      assert.equal(first.exampleId, 'item-1');
      assert.equal(first.salience, true);
      assert.equal(first.responsePost, examples[0].responsePost);
      await answer(first);
      assert.equal(await p.js(`__t.count('.ew-mech-row')`), 3);
      assert.equal(await p.js(`__t.count('.ew-mech-row .ew-card')`), 9, 'gold | predicted | salience per mechanism');
      assert.equal(await p.js(`__t.count('.ew-mech-row[data-mechanism=ER] .ew-gold-card mark.ew-span')`), 1, 'gold span shown');
      assert.equal(await p.js(`__t.count('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob] .ew-tok')`), gen.tokenize(examples[0].responsePost).length);
      assert.ok(await p.js<number>(`__t.count('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=salience] .ew-tok')`) > 0);
      assert.equal(await p.js(`__t.count('.ew-rationale-card[data-mode=salience] .ew-salience-note')`), 3, 'the salience column is captioned');
      assert.match(await p.js<string>(`document.querySelector('.ew-status').textContent`), /scored in 42 ms/);
      if (theme === 'light') {
        // edit the response: three quick keystrokes → one request after the debounce
        const before = (await scores()).length;
        // all three in one page turn, so no gap between them can outlast the debounce, whatever the load
        const burst = ['I am so sorry.', 'I am so sorry. What', 'I am so sorry. What happened next?'];
        await p.js(`${JSON.stringify(burst)}.forEach((t) => __t.set('textarea[data-control=response]', t))`);
        const edit = await waitFor(async () => { const s = await scores(); return s.length > before ? s[s.length - 1] : undefined; }, 'the debounced score');
        await p.js(`__t.sleep(300)`);
        assert.equal((await scores()).length, before + 1, 'debounced: one request for a burst of edits');
        assert.equal(edit.responsePost, 'I am so sorry. What happened next?');
        assert.equal(edit.exampleId, undefined, 'edited text is not the example any more');
        // an answer to an older request is ignored; the latest one re-renders the heatmaps
        await send(p, { type: 'scored', v: 1, requestId: first.requestId, item: fakeScore('x', 'stale text', true) });
        assert.doesNotMatch(await p.js<string>(`document.querySelector('.ew-results').textContent`), /stale text/);
        await answer(edit);
        assert.equal(await p.js(`document.querySelector('.ew-mech-row[data-mechanism=EX] .ew-rationale-card[data-mode=prob] .ew-heat').textContent`), 'I am so sorry. What happened next?');
        assert.equal(await p.js(`__t.attrs('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob] .ew-tok', 'data-shade').filter(x => +x > 0.5).length`), 1, '"sorry" lights up ER');
        assert.match(await p.js<string>(`document.querySelector('.ew-mech-row[data-mechanism=ER] .ew-gold-card').textContent`), /Edited text/);
        // host-side failures are shown
        await p.js(`__t.set('textarea[data-control=response]', 'How are you holding up?')`);
        const next = await waitFor(async () => { const s = await scores(); const last = s[s.length - 1]; return last.requestId > edit.requestId ? last : undefined; }, 'another score');
        await send(p, { type: 'scoreError', v: 1, requestId: next.requestId, message: 'model not loaded' });
        assert.match(await p.js<string>(`document.querySelector('.ew-status').textContent`), /scoring failed: model not loaded/);
        // picking another example and model
        await p.page.click('.ew-examples-list [data-id="item-2"]');
        const pick = await waitFor(async () => { const s = await scores(); const last = s[s.length - 1]; return last.exampleId === 'item-2' ? last : undefined; }, 'item-2 scored');
        await answer(pick);
        await p.js(`__t.set('vscode-single-select[data-control=model]', 'm2')`);
        assert.deepEqual((await posted<RationaleInspectorToHost>(p)).filter((m) => m.type === 'pickModel').pop(), { type: 'pickModel', v: 1, modelId: 'm2' });
        // filter the example list
        await p.js(`__t.set('vscode-textfield[data-control=exampleFilter]', 'muchísimo')`);
        assert.deepEqual(await p.js(`__t.attrs('.ew-examples-list [data-id]', 'data-id')`), ['item-2']);
        await p.js(`__t.set('vscode-textfield[data-control=exampleFilter]', '')`);
        await p.page.click('.ew-examples-list [data-id="item-1"]');
        const back = await waitFor(async () => { const s = await scores(); const last = s[s.length - 1]; return last.exampleId === 'item-1' && last.requestId > pick.requestId ? last : undefined; }, 'item-1 again');
        await answer(back);
      }
      await p.page.hover('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob] .ew-tok >> nth=1');
      await p.shot(`rationale-inspector-${theme}`);
    }
  });

  it('Rationale Inspector: keyboard only, no mouse event — reach the list, open an example, edit the response, read the levels', async () => {
    const r = gen.rationales({ items: 3 });
    const examples: InspectorExample[] = r.items.map((it) => ({ id: it.id, seekerPost: it.seekerPost, responsePost: it.responsePost }));
    const p = await panel('rationaleInspector', 'hc-dark', { 'data-debounce-ms': '120' });
    // every pointer event the page sees; a keyboard user produces none
    await p.js(`window.__mouse = 0; for (const t of ['mousedown', 'mouseup', 'mousemove', 'pointerdown', 'pointermove', 'wheel']) addEventListener(t, () => window.__mouse++, true)`);
    const scores = async () => (await posted<RationaleInspectorToHost>(p)).filter((m): m is Extract<RationaleInspectorToHost, { type: 'score' }> => m.type === 'score');
    const answer = (req: Extract<RationaleInspectorToHost, { type: 'score' }>) =>
      send(p, { type: 'scored', v: 1, requestId: req.requestId, item: fakeScore(req.seekerPost, req.responsePost, false), maxLen: 64, elapsedMs: 7 });
    await send(p, { type: 'init', v: 1, examples, models: [{ id: 'm1', label: 'bi-encoder small' }], modelId: 'm1' });
    await answer(await waitFor(async () => (await scores())[0], 'the first score'));
    const active = () => p.js<string>(`(document.activeElement.dataset.control || '') + '|' + document.activeElement.className`);
    async function tabTo(want: RegExp): Promise<void> {
      for (let i = 0; i < 25; i++) { if (want.test(await active())) return; await p.page.keyboard.press('Tab'); }
      assert.fail(`Tab never reached ${want} (at ${await active()})`);
    }
    // the examples list: reached by Tab, with a visible focus ring, ↓ opens the next example
    await tabTo(/ew-examples-list/);
    assert.notEqual(await p.js(`getComputedStyle(document.activeElement).outlineStyle`), 'none', 'focus ring');
    await p.page.keyboard.press('ArrowDown');
    const second = await waitFor(async () => (await scores()).find((s) => s.exampleId === 'item-2'), 'item-2 scored');
    await answer(second);
    assert.equal(await p.js(`document.querySelector('.ew-examples-list [aria-selected=true]').dataset.id`), 'item-2');
    assert.equal(await p.js(`document.getElementById(document.activeElement.getAttribute('aria-activedescendant')).dataset.id`), 'item-2', 'the focused list names the open example');
    // the response box: Tab, select all, type — the debounced score comes back
    await tabTo(/^response\|/);
    await p.page.keyboard.press('Control+A');
    await p.page.keyboard.type('I am so sorry, that sounds painful. What happened?');
    const edit = await waitFor(async () => { const s = await scores(); const last = s[s.length - 1]; return last.responsePost.endsWith('happened?') ? last : undefined; }, 'the edited text scored');
    await p.js(`__t.sleep(200)`);
    await answer((await scores()).pop()!);
    assert.equal(edit.exampleId, undefined);
    // the levels are text, and the likely rationale tokens say so to a screen reader and are underlined
    const er = `.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob]`;
    assert.match(await p.js<string>(`document.querySelector('${er} .ew-chip[data-level]').textContent`), /^pred: weak$/, '"sorry", "painful": two ER cues');
    assert.match(await p.js<string>(`document.querySelector('${er} .ew-probrow').textContent`), /weak80%/);
    assert.deepEqual(await p.js(`__t.attrs('${er} .ew-tok.ew-tok-hi', 'data-sr')`), [' (rationale, probability 0.90)', ' (rationale, probability 0.90)']);
    assert.equal(await p.js(`getComputedStyle(document.querySelector('${er} .ew-tok-hi')).textDecorationLine`), 'underline');
    assert.equal(await p.js<number>('window.__mouse'), 0, 'no mouse or pointer event');
  });

  it('Rationale Inspector: review with the keyboard only — levels, a span, a note, undo, progress and filters', async () => {
    const r = gen.rationales({ items: 3 });
    const examples: InspectorExample[] = r.items.map((it) => ({ id: it.id, seekerPost: it.seekerPost, responsePost: it.responsePost,
      gold: Object.fromEntries(Object.entries(it.mechanisms).map(([m, v]) => [m, { level: v!.goldLevel ?? v!.level, spans: v!.goldSpans ?? [] }])) }));
    const p = await panel('rationaleInspector', 'light', { 'data-debounce-ms': '120' });
    const all = () => posted<RationaleInspectorToHost>(p);
    const scores = async () => (await all()).filter((m): m is Extract<RationaleInspectorToHost, { type: 'score' }> => m.type === 'score');
    const drafts = async () => (await all()).filter((m): m is Extract<RationaleInspectorToHost, { type: 'review' }> => m.type === 'review').map((m) => m.draft);
    const key = (k: string) => p.page.keyboard.press(k);
    const view = (pairs: Record<string, unknown>, canUndo: boolean) => send(p, { type: 'review', v: 1, review: { file: '/data/dev.review.jsonl', reviewer: 'ana', pairs: pairs as never, problems: [], canUndo } });
    await send(p, { type: 'init', v: 1, examples, models: [{ id: 'm1', label: 'bi-encoder small' }], modelId: 'm1' });
    await view({}, false);
    const first = await waitFor(async () => (await scores())[0], 'a score request');
    const scored = fakeScore(first.seekerPost, first.responsePost, false);
    await send(p, { type: 'scored', v: 1, requestId: first.requestId, item: scored, maxLen: 64 });
    assert.match(await p.js<string>(`document.querySelector('[data-review-progress]').textContent`), /^0 of 3 reviewed \(ER\)$/);

    await key('1'); // ER level 1, with what the model showed
    assert.deepEqual((await drafts())[0], { pairId: 'item-1', mechanism: 'ER', kind: 'level', level: 1, modelLevel: scored.mechanisms.ER!.level });
    // select two tokens of the ER heatmap (no mouse: a DOM range), then s
    await p.js(`(() => { const t = document.querySelectorAll('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob] .ew-tok');
      const range = document.createRange(); range.setStart(t[0].firstChild, 0); range.setEnd(t[1].firstChild, t[1].firstChild.length);
      const s = getSelection(); s.removeAllRanges(); s.addRange(range); })()`);
    await key('s');
    const toks = scored.mechanisms.ER!.tokens;
    assert.deepEqual((await drafts())[1].span, [toks[0].start, toks[1].end]);
    await key('n');
    await view({}, false); // the host's answer to an earlier judgement redraws the bar: the note keeps its focus
    await p.page.keyboard.type('sarcasm?');
    await key('Enter');
    assert.deepEqual((await drafts())[2], { pairId: 'item-1', mechanism: 'ER', kind: 'note', note: 'sarcasm?', modelLevel: scored.mechanisms.ER!.level });
    await key('u'); // nothing of mine yet in the file the host sent
    assert.match(await p.js<string>(`document.querySelector('[data-review-status]').textContent`), /Nothing of yours to undo/);
    await view({ 'item-1': { ER: { level: 1, added: [[toks[0].start, toks[1].end]], removed: [], goldSuspect: false, notes: ['sarcasm?'] } } }, true);
    await key('u');
    assert.equal((await all()).filter((m) => m.type === 'undoReview').length, 1);
    assert.match(await p.js<string>(`document.querySelector('[data-review-progress]').textContent`), /^1 of 3 reviewed \(ER\)$/);
    assert.deepEqual(await p.js(`__t.attrs('.ew-examples-list [data-reviewed]', 'data-reviewed')`), ['✓1']);

    await key('j'); // next example, then EX strong
    const second = await waitFor(async () => (await scores()).find((s) => s.exampleId === 'item-2'), 'item-2 scored');
    await send(p, { type: 'scored', v: 1, requestId: second.requestId, item: fakeScore(second.seekerPost, second.responsePost, false), maxLen: 64 });
    await key('x');
    await key('2');
    assert.deepEqual((await drafts()).pop()!.pairId + ' ' + (await drafts()).pop()!.mechanism, 'item-2 EX');
    await key('g');
    assert.equal((await drafts()).pop()!.kind, 'gold-suspect');
    await key('e');
    await p.js(`__t.set('vscode-single-select[data-control=reviewFilter]', 'mine')`);
    assert.deepEqual(await p.js(`__t.attrs('.ew-examples-list [data-id]', 'data-id')`), ['item-1']);
    await p.js(`__t.set('vscode-single-select[data-control=reviewFilter]', 'disagrees')`);
    assert.equal((await all()).filter((m) => m.type === 'requestLevels').length, 1, 'model levels asked for once');
    await send(p, { type: 'levels', v: 1, predictions: { 'item-1': { ER: ((examples[0].gold!.ER!.level + 1) % 3) as Level }, 'item-2': { ER: examples[1].gold!.ER!.level } } });
    assert.deepEqual(await p.js(`__t.attrs('.ew-examples-list [data-id]', 'data-id')`), ['item-1']);
    await p.shot('rationale-inspector-review');
    // keys typed in the response box edit the text; they are not judgements
    const before = (await drafts()).length;
    await p.page.focus('textarea[data-control=response]');
    await key('1');
    assert.equal((await drafts()).length, before);
  });
});

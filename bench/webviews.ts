// Renderer responsiveness with large payloads, measured in headless Chromium (Debian's chromium via
// playwright-core): a 10k-row dataset table (render, filter, sort), a 10k-row generic table and
// 2k-step loss curves (1 and 3 runs), timed inside the page from render() to layout.
import { MIME } from '../kernel/protocol/mime';
import { Harness } from '../test/webviews/harness';
import { ACTIONS, openLargePayloadPage, timeAction, timeRender } from '../test/webviews/fixtures/largePayloads';

export interface WebviewTiming { what: string; ms: number }

export async function benchWebviews(log: (s: string) => void = () => {}): Promise<WebviewTiming[] | undefined> {
  if (!Harness.available()) {
    log('  chromium not found: renderer timings skipped');
    return undefined;
  }
  const hx = await Harness.launch();
  try {
    const p = await openLargePayloadPage(hx);
    const render = (blob: string, mime: string) => timeRender(p, blob, mime);
    const action = (js: string) => timeAction(p, js);
    const out: WebviewTiming[] = [];
    const rec = (what: string, ms: number) => { out.push({ what, ms }); log(`  ${what}: ${ms.toFixed(0)} ms`); };
    rec('dataset 10k rows: render (incl. level chart)', await render('dataset', MIME.dataset));
    rec('dataset 10k rows: two filter changes', await action(ACTIONS.filterIpWeak));
    rec('dataset 10k rows: clear filters + sort by text', await action(ACTIONS.clearAndSortByText));
    rec('table 10k rows: render', await render('table', MIME.table));
    rec('table 10k rows: numeric sort', await action(ACTIONS.sortTableByScore));
    rec('loss curve 2000 steps x 1 run: render', await render('loss1', MIME.lossCurve));
    rec('loss curve 2000 steps x 3 runs: render', await render('loss3', MIME.lossCurve));
    rec('loss curve 3 x 2000 steps: change smoothing', await p.js<number>(ACTIONS.smoothing));
    if (p.errors.length) throw new Error(`console errors during the renderer bench: ${p.errors.join('; ')}`);
    await p.close();
    return out;
  } finally {
    await hx.close();
  }
}

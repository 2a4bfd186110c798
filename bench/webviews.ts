// Renderer responsiveness with large payloads, measured in headless Chromium (Debian's chromium via
// playwright-core): a 10k-row dataset table (render, filter, sort), a 10k-row generic table and
// 2k-step loss curves (1 and 3 runs), timed inside the page from render() to layout.
import { MIME } from '../kernel/protocol/mime';
import { Harness } from '../test/webviews/harness';
import * as gen from '../test/webviews/fixtures/generate';

export interface WebviewTiming { what: string; ms: number }

export async function benchWebviews(log: (s: string) => void = () => {}): Promise<WebviewTiming[] | undefined> {
  if (!Harness.available()) {
    log('  chromium not found: renderer timings skipped');
    return undefined;
  }
  const hx = await Harness.launch();
  try {
    const table = { v: 1, columns: ['id', 'text', 'level', 'score', 'ok'],
      rows: Array.from({ length: 10_000 }, (_, i) => [`r${i}`, `invented row number ${i}`, i % 3, Math.sin(i), i % 7 === 0]) };
    const blobs: Record<string, unknown> = {
      dataset: gen.dataset(10_000, 99, 'invented-10k.csv'),
      table,
      loss1: gen.lossCurve({ runs: 1, steps: 2000, epochs: 4 }),
      loss3: gen.lossCurve({ runs: 3, steps: 2000, epochs: 4 }),
    };
    const body = Object.entries(blobs).map(([k, v]) => `<script type="application/json" id="${k}">${JSON.stringify(v).replace(/</g, '\\u003c')}</script>`).join('\n');
    const p = await hx.open({ bundle: 'report', plotly: 'inline', body });
    await p.page.waitForFunction('window.EmpathyWebviews && window.Plotly');
    const render = (blob: string, mime: string) => p.js<number>(`(async () => {
      const payload = JSON.parse(document.getElementById('${blob}').textContent);
      const el = document.createElement('div'); el.id = 'out-${blob}'; document.body.appendChild(el);
      const t0 = performance.now();
      await EmpathyWebviews.render(el, ${JSON.stringify(mime)}, payload);
      el.getBoundingClientRect();
      return performance.now() - t0;
    })()`);
    const action = (js: string) => p.js<number>(`(() => { const t0 = performance.now(); ${js}; document.body.getBoundingClientRect(); return performance.now() - t0; })()`);
    const out: WebviewTiming[] = [];
    const rec = (what: string, ms: number) => { out.push({ what, ms }); log(`  ${what}: ${ms.toFixed(0)} ms`); };
    rec('dataset 10k rows: render (incl. level chart)', await render('dataset', MIME.dataset));
    rec('dataset 10k rows: two filter changes', await action(`__t.set('#out-dataset vscode-single-select[data-control=mechanism]', 'IP'); __t.set('#out-dataset vscode-single-select[data-control=level]', '1')`));
    rec('dataset 10k rows: clear filters + sort by text', await action(`__t.set('#out-dataset vscode-single-select[data-control=level]', 'any'); __t.set('#out-dataset vscode-single-select[data-control=mechanism]', 'any'); document.querySelector('#out-dataset th[data-key=response]').click()`));
    rec('table 10k rows: render', await render('table', MIME.table));
    rec('table 10k rows: numeric sort', await action(`document.querySelector('#out-table th[data-key="3"]').click()`));
    rec('loss curve 2000 steps x 1 run: render', await render('loss1', MIME.lossCurve));
    rec('loss curve 2000 steps x 3 runs: render', await render('loss3', MIME.lossCurve));
    rec('loss curve 3 x 2000 steps: change smoothing', await p.js<number>(`(async () => { const t0 = performance.now(); __t.set('#out-loss3 input[data-control=smoothing]', '0.9'); await __t.frame(); return performance.now() - t0; })()`));
    if (p.errors.length) throw new Error(`console errors during the renderer bench: ${p.errors.join('; ')}`);
    await p.close();
    return out;
  } finally {
    await hx.close();
  }
}

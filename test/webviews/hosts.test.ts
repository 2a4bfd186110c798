// The other ways renderers are hosted: the VS Code notebook renderer (ES module activate() →
// renderOutputItem, plotly lazy-loaded from beside the module) and a report page without inlined plotly.
import { strict as assert } from 'node:assert';
import { MIME } from '../../kernel/protocol/mime';
import { useHarness, outputDiv, type TestPage } from './harness';
import * as gen from './fixtures/generate';

describe('webviews: hosts (notebook renderer module, lazy plotly)', function () {
  this.timeout(120_000);
  const suite = useHarness();
  const opened = suite.opened;

  it('notebook renderer: activate(ctx).renderOutputItem draws, remembers state via ctx, disposes plots', async () => {
    const p = await suite.hx.open({ bundle: 'report', body: '<div id="cell1"></div><div id="cell2"></div><div id="cell3"></div>' });
    opened.push(p);
    const loss = gen.lossCurve({ runs: 1, steps: 100 });
    const result = await p.js<{ plots: number; state: unknown; error: string | null; after: number; plotly: boolean }>(`(async () => {
      const mod = await import('http://empathy.test/out/webviews/renderer.js');
      let state;
      const api = mod.activate({ getState: () => state, setState: (s) => { state = s; }, workspace: { isTrusted: true } });
      const item = (id, mime, value) => ({ id, mime, json: () => value, text: () => JSON.stringify(value) });
      await api.renderOutputItem(item('a', ${JSON.stringify(MIME.lossCurve)}, ${JSON.stringify(loss)}), document.getElementById('cell1'));
      await api.renderOutputItem(item('b', ${JSON.stringify(MIME.confusion)}, { v: 9 }), document.getElementById('cell2'));
      await api.renderOutputItem(item('c', ${JSON.stringify(MIME.confusion)}, ${JSON.stringify({ v: 1, mechanisms: [] })}), document.getElementById('cell3'));
      document.querySelector('#cell3 vscode-checkbox').checked = false;
      document.querySelector('#cell3 vscode-checkbox').dispatchEvent(new Event('change'));
      const plots = document.querySelectorAll('#cell1 .js-plotly-plot').length;
      api.disposeOutputItem('a');
      return { plots, plotly: !!window.Plotly, state, error: document.querySelector('#cell2 .ew-error')?.textContent ?? null,
               after: document.querySelector('#cell1 .ew-loss-plot').children.length };
    })()`);
    assert.equal(result.plotly, true, 'plotly lazy-loaded from beside renderer.js');
    assert.equal(result.plots, 2, 'loss + dev plots');
    assert.match(result.error ?? '', /unsupported payload version 9/);
    assert.deepEqual(result.state, { 'confusion.normalised': false }, 'UI choices go to the renderer context state');
    assert.equal(result.after, 0, 'disposeOutputItem purges the plots');
    await p.shot('notebook-renderer');
  });

  it('report page without inlined plotly loads it from beside report.js (local origin only)', async () => {
    const p = await suite.hx.open({ bundle: 'report', plotly: 'lazy', body: outputDiv(MIME.lossCurve, gen.lossCurve({ runs: 1, steps: 50 })) });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    assert.equal(await p.js(`document.querySelectorAll('.ew-loss-plot .main-svg').length > 0`), true);
    assert.equal(await p.js(`Array.from(document.scripts).filter(s => s.src.endsWith('/out/webviews/plotly.min.js')).length`), 1);
  });

  it('lazy plotly still lands on window.Plotly when the host page has an AMD loader', async () => {
    const amd = `<script>window.define = function () { window.__amdUsed = true; }; window.define.amd = {};</script>`;
    const p = await suite.hx.open({ bundle: 'report', plotly: 'lazy', body: amd + outputDiv(MIME.lossCurve, gen.lossCurve({ runs: 1, steps: 30 })) });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    assert.equal(await p.js(`document.querySelectorAll('.ew-loss-plot .main-svg').length > 0`), true);
    assert.equal(await p.js(`window.__amdUsed === undefined && typeof window.define === 'function' && !!window.define.amd`), true, 'define hidden during the load, then restored');
  });

  it('charts follow a theme switch (VS Code changes body classes / the page its scheme)', async () => {
    const p = await suite.hx.open({ bundle: 'report', plotly: 'inline', theme: 'light', body: outputDiv(MIME.lossCurve, gen.lossCurve({ runs: 1, steps: 50 })) });
    opened.push(p);
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    assert.equal(await p.js(`document.querySelector('.ew-loss-plot').layout.font.color`), '#3b3b3b');
    await p.js(`document.documentElement.dataset.empathyTheme = 'dark'`);
    await p.page.waitForFunction(`document.querySelector('.ew-loss-plot').layout.font.color === '#cccccc'`);
    assert.equal(await p.js(`document.querySelector('.ew-loss-plot').layout.yaxis.gridcolor`), '#454545');
  });
});

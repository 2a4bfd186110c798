// Bad payloads never leave a blank output: each wrong version, missing field or wrong type shows a
// visible error box naming the field; unparseable JSON and unknown MIME types too.
import { strict as assert } from 'node:assert';
import { Harness, fixture, outputDiv, type TestPage } from './harness';
import { skipBecause } from '../support/skip';

interface BadCase { mime: string; payload: unknown; expect: string }

describe('webviews: bad payloads render a clear error box', function () {
  this.timeout(120_000);
  let hx: Harness;
  let p: TestPage | undefined;

  before(async function () {
    const why = Harness.unavailable();
    if (why) skipBecause(this, why);
    hx = await Harness.launch();
  });
  after(async () => { await p?.close(); await hx?.close(); });

  it('every broken payload, and unparseable JSON, becomes an error box naming the problem', async () => {
    const { cases } = fixture<{ cases: BadCase[] }>('bad-payloads.json');
    const body = cases.map((c, i) => outputDiv(c.mime, c.payload, `bad${i}`)).join('\n') +
      `<div class="empathy-output" id="badjson" data-mime="application/vnd.empathy.table+json"><script type="application/json">{"v": 1, "columns": [</script></div>`;
    p = await hx.open({ bundle: 'report', plotly: 'inline', body });
    await p.page.waitForFunction('document.documentElement.dataset.empathyRendered !== undefined');
    for (const [i, c] of cases.entries()) {
      const box = await p.js<{ text: string; visible: boolean } | null>(`(() => {
        const b = document.querySelector('#bad${i} .ew-error');
        if (!b) return null;
        const r = b.getBoundingClientRect();
        return { text: b.textContent, visible: r.width > 100 && r.height > 20 && getComputedStyle(b).visibility === 'visible' };
      })()`);
      assert.ok(box, `case ${i} (${c.mime}) shows an error box`);
      assert.ok(box.visible, `case ${i}: the box is visible`);
      assert.ok(box.text.includes(c.expect), `case ${i}: "${box.text}" should mention "${c.expect}"`);
    }
    assert.match(await p.js<string>(`document.querySelector('#badjson .ew-error').textContent`), /not valid JSON/);
    assert.equal(await p.js(`document.querySelectorAll('.ew-error').length`), cases.length + 1);
    assert.deepEqual(p.errors, [], 'bad payloads are reported in the page, not as console errors');
    await p.shot('error-boxes');
  });
});

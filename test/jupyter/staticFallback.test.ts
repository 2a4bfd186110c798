// The static renderings every workbench output gains for Jupyter and GitHub (kernel/report/fallback/):
// one per MIME type, the payload and text/plain kept, text escaped, nothing fetched or scripted; an
// exported .ipynb carries them and imports back to the same payloads.
import { strict as assert } from 'node:assert';
import { parseIpynb, serializeIpynb } from '../../kernel/notebook/format/ipynb';
import { MIME, type ConfusionPayload, type MetricsPayload, type MimeBundle, type RunsPayload, type TablePayload } from '../../kernel/protocol/mime';
import type { Notebook } from '../../kernel/notebook/format/notebook';
import { withStaticFallback } from '../../kernel/report/fallback/index';
import { fixture } from '../webviews/harness';
import * as gen from '../webviews/fixtures/generate';

const bundle = (mime: string, payload: unknown): MimeBundle => ({ 'text/plain': 'plain', [mime]: payload });

describe('jupyter: static fallbacks of the rich outputs', () => {
  const payloads: Array<[string, unknown, 'text/html' | 'image/svg+xml']> = [
    [MIME.lossCurve, gen.lossCurve({ runs: 2, steps: 30 }), 'image/svg+xml'],
    [MIME.confusion, fixture<ConfusionPayload>('confusion.json'), 'text/html'],
    [MIME.rationales, gen.rationales({ items: 2, maxLen: 40 }), 'text/html'],
    [MIME.dataset, gen.dataset(80, 3), 'text/html'],
    [MIME.metrics, fixture<MetricsPayload>('metrics.json'), 'text/html'],
    [MIME.runs, fixture<RunsPayload>('runs.json'), 'text/html'],
    [MIME.table, fixture<TablePayload>('table.json'), 'text/html'],
  ];

  it('each workbench MIME gains one self-contained rendering; payload and text/plain are kept', () => {
    for (const [mime, payload, kind] of payloads) {
      const out = withStaticFallback(bundle(mime, payload));
      assert.equal(out[mime], payload, mime);
      assert.equal(out['text/plain'], 'plain');
      assert.equal(typeof out[kind], 'string', `${mime} → ${kind}`);
      assert.doesNotMatch(out[kind] as string, /<script|<link|<iframe|src="http|href="http|url\(/i, `${mime}: no script, nothing fetched`);
    }
  });

  it('the numbers are the payload\'s: confusion counts and κ, metric values, the dataset capped at 50 rows', () => {
    const cm = fixture<ConfusionPayload>('confusion.json');
    const html = withStaticFallback(bundle(MIME.confusion, cm))['text/html'] as string;
    const er = cm.mechanisms[0];
    assert.ok(html.includes(`κ <b>${er.kappa.toFixed(3)}</b>`));
    assert.ok(html.includes(`data-gold="0" data-pred="0" style="display:block;background-color:rgba(33,113,181,`), 'cells carry gold/pred');
    const ds = withStaticFallback(bundle(MIME.dataset, gen.dataset(80, 3)))['text/html'] as string;
    assert.match(ds, /first 50 of 80 rows/);
    assert.equal((ds.match(/<tr>/g) ?? []).length, 51, 'header + 50 rows');
  });

  it('escapes the text it shows (a post is data, never markup)', () => {
    const p = gen.rationales({ items: 1, maxLen: 40 });
    p.items[0].seekerPost = '<img src=x onerror=alert(1)> & "quotes"';
    const html = withStaticFallback(bundle(MIME.rationales, p))['text/html'] as string;
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; &amp;'));
    assert.doesNotMatch(html, /<img/);
  });

  it('leaves alone bundles with their own HTML or image, plain values, and payloads it cannot read', () => {
    const own = { 'text/plain': 'x', 'text/html': '<b>mine</b>', [MIME.table]: { v: 1, columns: [], rows: [] } };
    assert.equal(withStaticFallback(own), own);
    const plain = { 'text/plain': '42' };
    assert.equal(withStaticFallback(plain), plain);
    const broken = bundle(MIME.confusion, { v: 1, mechanisms: 'not a list' });
    assert.deepEqual(withStaticFallback(broken), broken);
  });

  it('.ipynb export with the fallbacks (named in the output metadata); importing it back gives the bundle as it was', () => {
    const cm = fixture<ConfusionPayload>('confusion.json');
    const nb: Notebook = { format: 'empathy-notebook', version: 1, metadata: {}, cells: [
      { id: 'a', kind: 'code', language: 'typescript', source: 'display.confusion(report)', execution: { count: 1, status: 'ok', durationMs: 5 },
        outputs: [{ kind: 'display', bundle: bundle(MIME.confusion, cm) }] },
    ] };
    const ipynb = JSON.parse(serializeIpynb(nb, { enrich: withStaticFallback }));
    const data = ipynb.cells[0].outputs[0].data;
    assert.deepEqual(Object.keys(data).sort(), [MIME.confusion, 'text/html', 'text/plain']);
    assert.equal(ipynb.metadata.kernelspec.name, 'empathy-typescript');
    const back = parseIpynb(serializeIpynb(nb, { enrich: withStaticFallback }));
    const out = back.cells[0].outputs[0];
    assert.ok(out.kind === 'display');
    assert.deepEqual(out.bundle, bundle(MIME.confusion, cm), 'the added rendering is dropped on import');
    assert.deepEqual(ipynb.cells[0].outputs[0].metadata, { empathy: { fallback: ['text/html'] } });
  });
});

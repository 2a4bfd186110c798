// `empathy report`: recorded runs become one self-contained HTML page with loss curves, the run
// comparison, metric tables, confusion matrices and example rationale heatmaps (scored from the
// run's checkpoint), drawn in headless Chromium without errors or network requests.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { families } from '../../kernel/models/families';
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { RunStore } from '../../kernel/runs/store';
import { runsReportNotebook, writeRunsReport } from '../../kernel/report/runReport';
import type { RunRecord } from '../../kernel/runs/run';
import { MIME } from '../../kernel/protocol/mime';
import { browserTestsUnavailable, withLocalPage } from '../support/localPage';
import { skipBecause } from '../support/skip';

const repo = resolve(__dirname, '../../..');
const samples = join(repo, 'dataset', 'samples');
const files = ['emotional-reactions-sample.csv', 'interpretations-sample.csv', 'explorations-sample.csv'].map((f) => join(samples, f));

/** Payloads of one MIME type in a report page. */
function payloads(html: string, mime: string): unknown[] {
  const re = new RegExp(`<div class="empathy-output" data-mime="${mime.replace(/[+.]/g, '\\$&')}"><script type="application/json">(.*?)</script>`, 'g');
  return [...html.matchAll(re)].map((m) => JSON.parse(m[1]));
}

describe('empathy report (runs → HTML)', function () {
  this.timeout(120_000);
  let root: string;
  let store: RunStore;
  let trained: RunRecord;
  let bare: RunRecord;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'empathy-report-'));
    store = new RunStore(join(root, 'runs'));
    // A real training (the linear family: about a second), recorded event by event, its model saved in the run.
    const loaded = await loadLabeledFiles('train', files, { joint: true, siblings: false, cwd: repo });
    const train = loaded.pairs.slice(0, 18);
    const dev = loaded.pairs.slice(18);
    const rec = store.create({ label: 'linear on the samples', source: 'test', family: 'linear', config: { C: 1 }, seed: 12, data: files.map((path) => ({ role: 'dev' as const, path, rows: dev.length })) });
    const result = await families.linear!.train({ C: 1 }, { train, dev }, { onEvent: (e) => rec.onEvent(e) });
    const ckpt = join(rec.dir, 'model.safetensors');
    await result.model.save(ckpt);
    result.model.dispose();
    trained = rec.finish({ dev: result.dev, steps: result.steps, checkpointPath: ckpt });
    // A run without a checkpoint or metrics (e.g. stopped early): the report says so instead of failing.
    const other = store.create({ label: 'stopped run', source: 'test', family: 'bi-encoder', config: { lr: 2e-5 }, seed: 1, data: [] });
    bare = other.finish({ stopped: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('one run: config, loss curve, metrics, confusion matrix and scored example heatmaps', async () => {
    const { notebook, runs } = await runsReportNotebook(store, [trained.id], { examples: 3 });
    assert.deepEqual(runs.map((r) => r.id), [trained.id]);
    const mimes = notebook.cells.flatMap((c) => c.outputs.flatMap((o) => (o.kind === 'display' ? Object.keys(o.bundle) : [])));
    for (const m of [MIME.table, MIME.lossCurve, MIME.metrics, MIME.confusion, MIME.rationales]) assert.ok(mimes.includes(m), `report has ${m}`);
    assert.ok(!mimes.includes(MIME.runs), 'no comparison for a single run');

    const file = join(root, 'one.html');
    await writeRunsReport(file, store, [trained.id], { examples: 3 });
    const html = readFileSync(file, 'utf8');
    const heat = payloads(html, MIME.rationales) as Array<{ items: Array<{ id: string; mechanisms: Record<string, { goldLevel?: number; tokens: unknown[] }> }> }>;
    assert.equal(heat.length, 1);
    assert.equal(heat[0].items.length, 3, 'three dev examples scored with the checkpoint');
    assert.deepEqual(Object.keys(heat[0].items[0].mechanisms).sort(), ['ER', 'EX', 'IP']);
    assert.ok(heat[0].items.every((it) => it.mechanisms.ER.goldLevel !== undefined && it.mechanisms.ER.tokens.length > 0), 'gold levels and tokens');
    const conf = payloads(html, MIME.confusion) as Array<{ mechanisms: Array<{ matrix: number[][] }> }>;
    assert.equal(conf[0].mechanisms.length, 3);
    assert.equal(conf[0].mechanisms[0].matrix.flat().reduce((a, b) => a + b, 0), trained.dev!.mechanisms.ER!.n);
    assert.match(html, /<title>Run report: linear on the samples<\/title>/);
    assert.match(html, /\(unchanged\)/, 'data hashes checked against the files');
    assert.ok(!/https?:\/\/[^"' ]+\.(js|css)/.test(html.replace(/<script>[\s\S]*?<\/script>/g, '')), 'nothing loaded from the network');
    assert.ok(!html.includes('language-empathy-report'), 'output-only cells have no source box');
  });

  it('several runs: comparison, one loss chart, and a note where a run has nothing to score', async () => {
    const file = join(root, 'two.html');
    await writeRunsReport(file, store, [trained.id, bare.id.slice(0, 22)]);
    const html = readFileSync(file, 'utf8');
    const runsView = payloads(html, MIME.runs) as Array<{ runs: Array<{ id: string }> }>;
    assert.deepEqual(runsView[0].runs.map((r) => r.id), [trained.id, bare.id]);
    const tables = payloads(html, MIME.metrics) as Array<{ title?: string; columns: string[] }>;
    assert.deepEqual(tables.find((t) => t.title === 'Run comparison')?.columns, ['linear on the samples', 'stopped run']);
    assert.ok(payloads(html, MIME.lossCurve).length >= 2, 'combined and per-run loss curves');
    assert.match(html, /No example heatmaps: the run has no checkpoint/);
    assert.doesNotMatch(html, /The model was trained on these pairs/, 'examples come from the recorded dev files');
    assert.match(html, /recorded no dev or test evaluation/);
  });

  it('the CLI writes the page (--out, --runs_dir) and refuses unknown runs', () => {
    const out = join(root, 'cli', 'report.html');
    const bin = join(repo, 'bin', 'empathy.js');
    const ok = spawnSync(process.execPath, [bin, 'report', trained.id, '--runs_dir', store.root, '--out', out, '--examples', '2'], { encoding: 'utf8', cwd: root });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /wrote .*report\.html \(1 run/);
    assert.ok(existsSync(out));
    assert.equal((payloads(readFileSync(out, 'utf8'), MIME.rationales)[0] as { items: unknown[] }).items.length, 2);
    const missing = spawnSync(process.execPath, [bin, 'report', 'no-such-run', '--runs_dir', store.root, '--out', out], { encoding: 'utf8', cwd: root });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no run "no-such-run"/);
    const none = spawnSync(process.execPath, [bin, 'report', '--runs_dir', store.root], { encoding: 'utf8', cwd: root });
    assert.equal(none.status, 2);
  });

  it('opens in headless Chromium: every output drawn, plots rendered, no errors, no network', async function () {
    const why = browserTestsUnavailable();
    if (why) skipBecause(this, why);
    const file = join(root, 'two.html');
    if (!existsSync(file)) await writeRunsReport(file, store, [trained.id, bare.id]);
    await withLocalPage(file, async (page, problems) => {
      const total = await page.locator('.empathy-output').count();
      assert.ok(total >= 8, `outputs on the page: ${total}`);
      await page.waitForFunction(`document.querySelectorAll('.empathy-output[data-rendered]').length === ${total}`, undefined, { timeout: 60_000 });
      assert.ok(await page.locator('.js-plotly-plot').count() >= 2, 'loss curves drawn by plotly');
      assert.deepEqual(problems, []);
    }, /^(file|data|about|blob):/);
  });
});

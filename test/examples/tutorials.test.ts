// The tutorials run headless through the real `empathy run` on the shipped samples (and, when
// ../shared/epitome exists, 01 and 02 on the public CSVs capped by EMPATHY_MAX_ROWS): no errors, the
// expected rich outputs, every training recorded as a finished run with its model. Plus: two runs with
// the same config and seed agree on the same backend.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseNotebook, serializeNotebook, type Notebook } from '../../kernel/notebook/format/notebook';
import { MIME } from '../../kernel/protocol/mime';
import { RunStore } from '../../kernel/runs/store';
import { loadTutorialPairs, trainRun } from '../../kernel/api/tutorialData';
import { TUTORIALS } from './tutorialExpectations';
import { skipBecause } from '../support/skip';

const repo = resolve(__dirname, '../../..');
const examples = join(repo, 'examples');
const shared = resolve(repo, '..', 'shared', 'epitome');

/** `empathy run NOTEBOOK --out EXECUTED` in a child process (the real CLI), with extra env. */
function empathyRun(notebook: string, out: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'empathy.js'), 'run', notebook, '--out', out, '--quiet', '--timeout', '120'], {
      cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

/** Every rich output of an executed notebook: MIME type → payloads. */
function richOutputs(nb: Notebook): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const c of nb.cells) for (const o of c.outputs) {
    if (o.kind !== 'display' && o.kind !== 'result') continue;
    for (const [mime, payload] of Object.entries(o.bundle)) if (mime.startsWith('application/vnd.empathy.')) out.set(mime, [...(out.get(mime) ?? []), payload]);
  }
  return out;
}

function assertClean(nb: Notebook, name: string, stderr: string): void {
  for (const c of nb.cells.filter((x) => x.kind === 'code')) {
    assert.equal(c.execution?.status, 'ok', `${name} cell ${c.id}: ${c.execution?.status}\n${stderr.slice(-2000)}`);
    const err = c.outputs.find((o) => o.kind === 'error');
    assert.equal(err, undefined, `${name} cell ${c.id} has an error output`);
  }
  assert.doesNotMatch(stderr, /type error TS\d+/, `${name} has type errors:\n${stderr}`);
}

describe('tutorials (examples/*.empathy)', function () {
  this.timeout(240_000);
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'empathy-tutorials-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('are six stable, pretty-printed notebooks with empty outputs', () => {
    assert.deepEqual(readdirSync(examples).filter((f) => f.endsWith('.empathy')).sort(), Object.keys(TUTORIALS));
    for (const name of Object.keys(TUTORIALS)) {
      const text = readFileSync(join(examples, name), 'utf8');
      const nb = parseNotebook(text, name);
      assert.equal(serializeNotebook(nb), text, `${name} is in the serializer's stable form`);
      assert.ok(nb.cells.every((c) => c.outputs.length === 0 && c.execution === null), `${name} has no outputs`);
      assert.ok(typeof nb.metadata.title === 'string');
      assert.ok(nb.cells.filter((c) => c.kind === 'markdown').length >= 4, `${name} teaches in markdown`);
    }
    const intro = readFileSync(join(examples, '01-explore-the-data.empathy'), 'utf8');
    assert.match(intro, /Sharma, Miner, Atkins & Althoff/);
    assert.match(intro, /Copyright 2019-2020 University of Washington\. Developed in the Behavioral Data Science Group\./);
  });

  for (const [name, want] of Object.entries(TUTORIALS)) {
    it(`${name} runs headless on the samples with the expected outputs and runs`, async () => {
      const runsDir = join(tmp, name, 'runs');
      const out = join(tmp, name, 'executed.empathy');
      const { code, stderr } = await empathyRun(join(examples, name), out, { EMPATHY_RUNS_DIR: runsDir, EMPATHY_DATA_DIR: '', EMPATHY_MAX_ROWS: '' });
      assert.equal(code, 0, stderr.slice(-3000));
      const nb = parseNotebook(readFileSync(out, 'utf8'), out);
      assertClean(nb, name, stderr);
      const rich = richOutputs(nb);
      for (const m of want.mimes) assert.ok(rich.has(m), `${name} shows ${m} (has ${[...rich.keys()].join(', ')})`);
      for (const p of (rich.get(MIME.lossCurve) ?? []) as Array<{ live?: boolean; runs: Array<{ steps: unknown[] }> }>) {
        assert.ok(!p.live, 'loss curves end as finished (not live)');
        assert.ok(p.runs.every((r) => r.steps.length > 0), 'every curve has steps');
      }
      const { runs, problems } = new RunStore(runsDir).list();
      assert.deepEqual(problems, []);
      assert.equal(runs.length, want.runs, `${name} records ${want.runs} run(s)`);
      for (const r of runs) {
        assert.equal(r.status, 'finished');
        assert.equal(r.source, 'notebook');
        assert.ok(r.checkpointPath && existsSync(r.checkpointPath), `run ${r.id} has its model`);
        assert.ok(Object.keys(r.metrics).some((k) => k.endsWith('.macroF1')), `run ${r.id} has dev metrics`);
        assert.ok(r.data.length > 0 && r.data.every((d) => d.sha256.length === 64));
      }
    });
  }

  for (const name of ['01-explore-the-data.empathy', '02-train-emotional-reactions.empathy']) {
    it(`${name} runs on the public CSVs (../shared/epitome, EMPATHY_MAX_ROWS=40)`, async function () {
      if (!existsSync(shared)) skipBecause(this, `no EPITOME CSVs at ${shared}`);
      const runsDir = join(tmp, `public-${name}`, 'runs');
      const out = join(tmp, `public-${name}`, 'executed.empathy');
      const { code, stderr } = await empathyRun(join(examples, name), out, { EMPATHY_RUNS_DIR: runsDir, EMPATHY_DATA_DIR: shared, EMPATHY_MAX_ROWS: '40' });
      assert.equal(code, 0, stderr.slice(-3000));
      const nb = parseNotebook(readFileSync(out, 'utf8'), out);
      assertClean(nb, name, stderr);
      const streams = nb.cells.flatMap((c) => c.outputs.flatMap((o) => (o.kind === 'stream' ? [o.text] : []))).join('');
      assert.match(streams, /public EPITOME Reddit CSVs/);
      const rich = richOutputs(nb);
      if (name.startsWith('01')) {
        const ds = rich.get(MIME.dataset)![0] as { rows: unknown[] };
        assert.equal(ds.rows.length, 80, 'the capped train + dev pairs');
      } else {
        assert.match(streams, /40 training pairs, 40 dev pairs \(the dev files\)/);
        const conf = rich.get(MIME.confusion)![0] as { mechanisms: Array<{ mechanism: string; matrix: number[][] }> };
        assert.equal(conf.mechanisms[0].mechanism, 'ER');
        assert.equal(conf.mechanisms[0].matrix.flat().reduce((a, b) => a + b, 0), 40, 'scored on the 40 capped dev pairs');
        const [run] = new RunStore(runsDir).list().runs;
        assert.ok(run.data.some((d) => d.role === 'dev' && d.path.endsWith('emotional-reactions-reddit.dev.csv')));
      }
    });
  }
});

describe('runs are reproducible', function () {
  this.timeout(120_000);

  it('two runs with the same config and seed record the same losses and metrics (same backend)', async () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'empathy-repro-'));
    const saved = { data: process.env.EMPATHY_DATA_DIR, max: process.env.EMPATHY_MAX_ROWS };
    delete process.env.EMPATHY_DATA_DIR;
    delete process.env.EMPATHY_MAX_ROWS;
    try {
      const data = await loadTutorialPairs();
      const config = { preset: 'tiny', vocab_size: 400, lr: 1e-3, batch_size: 8, epochs: 2, seed_val: 7 };
      const a = await trainRun({ label: 'repro a', config, data, runsDir, lossCurve: false, save: false });
      const b = await trainRun({ label: 'repro b', config, data, runsDir, lossCurve: false, save: false });
      a.model.dispose();
      b.model.dispose();
      assert.equal(a.run.backend?.name, b.run.backend?.name);
      assert.ok(a.run.steps > 0);
      assert.deepEqual(b.run.config, a.run.config);
      assert.deepEqual(b.run.metrics, a.run.metrics);
      const store = new RunStore(runsDir);
      assert.deepEqual(store.events(b.run.id), store.events(a.run.id), 'every step loss identical');
      // A different seed is a different run.
      const c = await trainRun({ label: 'repro c', config: { ...config, seed_val: 8 }, data, runsDir, lossCurve: false, save: false });
      c.model.dispose();
      assert.notDeepEqual(store.events(c.run.id), store.events(a.run.id));
    } finally {
      if (saved.data !== undefined) process.env.EMPATHY_DATA_DIR = saved.data;
      if (saved.max !== undefined) process.env.EMPATHY_MAX_ROWS = saved.max;
      rmSync(runsDir, { recursive: true, force: true });
    }
  });
});

// The kernel as the .vsix ships it: bundled by extension/bundle.mjs into a temporary folder outside the
// repository (no node_modules and no unbundled out/ up the tree), started from there and driven
// through the kernel protocol with a working directory that holds only the tutorials. Every tutorial's
// code cells run on the samples the package ships: each cell ends ok without type errors or stray errors,
// the kernel stays up, the rich outputs each tutorial promises are there, its trainings are recorded and
// the engine's backend is reported. (The e2e suite does the same from the installed .vsix in VS Code.)
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { executeNotebook } from '../../kernel/notebook/execute';
import { parseNotebook, type Notebook } from '../../kernel/notebook/format/notebook';
import { KernelClient } from '../../kernel/process/client';
import type { CellDiagnostic, KernelEvent } from '../../kernel/protocol/kernel';
import { RunStore } from '../../kernel/runs/store';
import { TUTORIALS } from './tutorialExpectations';

const repo = resolve(__dirname, '../../..');

/** Every rich output of an executed notebook, by MIME type. */
function richMimes(nb: Notebook): Set<string> {
  const out = new Set<string>();
  for (const c of nb.cells) for (const o of c.outputs) {
    if (o.kind === 'display' || o.kind === 'result') for (const m of Object.keys(o.bundle)) if (m.startsWith('application/vnd.empathy.')) out.add(m);
  }
  return out;
}

const streams = (nb: Notebook, name: 'stdout' | 'stderr') =>
  nb.cells.flatMap((c) => c.outputs.flatMap((o) => (o.kind === 'stream' && o.name === name ? [o.text] : []))).join('');

describe('the packaged kernel (out/vsix, outside the repository) runs every tutorial', function () {
  this.timeout(240_000);
  let tmp: string;
  let kernelMain: string;
  let pkgRoot: string;
  let workspace: string;
  const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

  before(function () {
    this.timeout(300_000);
    // What `npm run package` zips (out/ must be built: `npm test` builds it first), staged outside the
    // repository (not in out/vsix, which a concurrent `npm run package` may be writing).
    tmp = mkdtempSync(join(tmpdir(), 'empathy-packaged-kernel-'));
    pkgRoot = join(tmp, 'extension');
    const r = spawnSync(process.execPath, ['extension/bundle.mjs'], { cwd: repo, encoding: 'utf8', env: { ...process.env, EMPATHY_VSIX_STAGE: pkgRoot } });
    assert.equal(r.status, 0, `node extension/bundle.mjs failed:\n${r.stdout}${r.stderr}`);
    kernelMain = join(pkgRoot, 'out', 'kernel', 'process', 'main.js');
    assert.ok(existsSync(kernelMain), 'the bundled kernel');
    assert.ok(!existsSync(join(pkgRoot, 'node_modules')), 'the package has no node_modules');
    // A user's folder: the tutorials and nothing else.
    workspace = join(tmp, 'workspace');
    mkdirSync(workspace);
    for (const f of readdirSync(join(repo, 'examples')).filter((x) => x.endsWith('.empathy'))) copyFileSync(join(repo, 'examples', f), join(workspace, f));
  });
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  for (const [name, want] of Object.entries(TUTORIALS)) {
    it(name, async () => {
      const events: KernelEvent[] = [];
      // The shipped samples (not the public CSVs a developer may point at), runs in the folder's runs/.
      const client = new KernelClient({
        kernelMain, cwd: workspace, onEvent: (e) => events.push(e),
        // Two wasm threads: the threaded build must start from the bundle's own files (wasmThreadWorker.js, wasm-out/).
        env: { EMPATHY_DATA_DIR: undefined, EMPATHY_MAX_ROWS: undefined, EMPATHY_RUNS_DIR: undefined, NODE_PATH: undefined, EMPATHY_WASM_THREADS: '2' },
      });
      const store = new RunStore(join(workspace, 'runs'));
      const runsBefore = new Set(store.list().runs.map((r) => r.id));
      const typeErrors: string[] = [];
      let result;
      try {
        const hello = await client.start();
        assert.equal(hello.versions.workbench, version, 'the bundled kernel reads the package version beside it');
        result = await executeNotebook(parseNotebook(readFileSync(join(workspace, name), 'utf8'), name), client, {
          cellTimeoutMs: 200_000,
          onDiagnostics: (_i, cell, diags: CellDiagnostic[]) => {
            for (const d of diags.filter((x) => x.severity === 'error')) typeErrors.push(`cell ${cell.id}:${d.line}:${d.column} TS${d.code}: ${d.message}`);
          },
        });
      } finally {
        await client.dispose();
      }
      const nb = result.notebook;
      const stderr = streams(nb, 'stderr');
      for (const c of nb.cells.filter((x) => x.kind === 'code')) {
        const err = c.outputs.find((o) => o.kind === 'error');
        assert.equal(c.execution?.status, 'ok', `cell ${c.id}: ${c.execution?.status}\n${err && err.kind === 'error' ? err.stack : ''}\n${stderr.slice(-3000)}`);
      }
      assert.equal(result.status, 'ok');
      assert.deepEqual(events.filter((e) => e.type === 'exit' || e.type === 'restarted'), [], 'the kernel stayed up');
      assert.doesNotMatch(stderr, /in background work|type check skipped/, 'no stray errors, cells type-checked');
      assert.deepEqual(typeErrors, []);
      assert.ok(streams(nb, 'stdout').includes(`the shipped samples in ${join(pkgRoot, 'dataset', 'samples')}`), 'data from the package');

      const rich = richMimes(nb);
      for (const m of want.mimes) assert.ok(rich.has(m), `${name} shows ${m} (has ${[...rich].join(', ')})`);
      const runs = store.list().runs.filter((r) => !runsBefore.has(r.id));
      assert.equal(runs.length, want.runs, `${name} records ${want.runs} run(s)`);
      for (const r of runs) assert.equal(r.status, 'finished', `run ${r.id}`);
      if (want.runs > 0) assert.ok(events.some((e) => e.type === 'backend'), 'the engine\'s backend was reported after training');
      for (const e of events) if (e.type === 'backend' && e.backend.name === 'wasm') assert.equal(e.backend.detail, 'wasm (SIMD, 2 threads)', 'the threaded wasm build started from the bundle');
    });
  }
});

// Every tutorial, exported to .ipynb as `empathy run --out X.ipynb` writes it, executed by the Jupyter
// project's nbclient (one Python process, as papermill would) on the kernelspec the export names,
// installed with `empathy jupyter install --prefix`: every cell ok, no type errors, each tutorial's rich
// outputs present with their workbench MIME, text/plain and a static rendering (HTML or SVG).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNELSPEC, serializeIpynb } from '../../kernel/notebook/format/ipynb';
import { parseNotebook } from '../../kernel/notebook/format/notebook';
import { skipBecause } from '../support/skip';
import { TUTORIALS } from '../examples/tutorialExpectations';
import { findJupyterPython, installTempKernelspec, REPO, runPythonJson } from './jupyterPython';

type Output = { output_type: string; name?: string; text?: string[]; data?: Record<string, unknown>; ename?: string; evalue?: string };
type Cell = { cell_type: string; source: string[]; outputs?: Output[] };

describe('jupyter: the six tutorials through nbclient', function () {
  // Six trainings on the samples, back to back, on a shared CPU: minutes, not seconds (README: Jupyter).
  this.timeout(45 * 60_000);
  let python = '';
  let spec: ReturnType<typeof installTempKernelspec>;
  let work: string;
  before(function () {
    const found = findJupyterPython();
    if ('missing' in found) skipBecause(this, found.missing);
    python = found.python;
    spec = installTempKernelspec();
    work = mkdtempSync(join(tmpdir(), 'empathy-nbclient-'));
  });
  after(() => {
    spec?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('all six run to the end with their rich outputs and static fallbacks', async () => {
    const names = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.empathy')).sort();
    assert.deepEqual(names, Object.keys(TUTORIALS));
    const files = names.map((name) => {
      const file = join(work, name.replace(/\.empathy$/, '.ipynb'));
      writeFileSync(file, serializeIpynb(parseNotebook(readFileSync(join(REPO, 'examples', name), 'utf8'), name)));
      return file;
    });
    const env = { ...spec.env, EMPATHY_RUNS_DIR: join(work, 'runs'), EMPATHY_DATA_DIR: '', EMPATHY_MAX_ROWS: '' };
    const { result } = await runPythonJson<Record<string, { seconds: number; error: string | null }>>(python, [join(REPO, 'test', 'jupyter', 'nbclientRun.py'), ...files], env, work);
    console.log(`      nbclient: ${Object.entries(result).map(([n, r]) => `${n.slice(0, 2)} ${r.seconds} s`).join(', ')}`);

    names.forEach((name, i) => {
      const ipynb = files[i].split('/').pop()!;
      assert.equal(result[ipynb]?.error, null, `${name}: ${result[ipynb]?.error}`);
      const nb = JSON.parse(readFileSync(files[i].replace(/\.ipynb$/, '.executed.ipynb'), 'utf8')) as { metadata: { kernelspec: { name: string } }; cells: Cell[] };
      assert.equal(nb.metadata.kernelspec.name, KERNELSPEC.name);
      const outputs = nb.cells.filter((c) => c.cell_type === 'code').flatMap((c) => c.outputs ?? []);
      assert.deepEqual(outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`), [], `${name}: error outputs`);
      const stderr = outputs.filter((o) => o.name === 'stderr').map((o) => (o.text ?? []).join('')).join('');
      assert.doesNotMatch(stderr, /type error TS\d+/, `${name}: type errors`);
      const rich = outputs.filter((o) => o.data && Object.keys(o.data).some((m) => m.startsWith('application/vnd.empathy.')));
      for (const mime of TUTORIALS[name].mimes) assert.ok(rich.some((o) => mime in o.data!), `${name}: a ${mime} output`);
      for (const o of rich) {
        assert.ok('text/plain' in o.data!, `${name}: text/plain beside ${Object.keys(o.data!)}`);
        assert.ok('text/html' in o.data! || 'image/svg+xml' in o.data!, `${name}: a static rendering beside ${Object.keys(o.data!)}`);
      }
    });
  });
});

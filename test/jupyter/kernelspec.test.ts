// `empathy jupyter install|list|uninstall` through the real CLI into a temp --prefix: kernel.json with
// absolute Node and kernel paths, interrupt_mode signal, the export's kernelspec name, real PNG logos;
// uninstall removes only what the workbench wrote; bad flags are one line before any work.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { kernelsDir } from '../../kernel/jupyter/kernelspec';
import { KERNELSPEC } from '../../kernel/notebook/format/ipynb';
import { REPO } from './jupyterPython';

function empathy(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'empathy.js'), 'jupyter', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('jupyter: kernelspec install, list, uninstall', () => {
  let prefix: string;
  beforeEach(() => { prefix = mkdtempSync(join(tmpdir(), 'empathy-kernelspec-')); });
  afterEach(() => rmSync(prefix, { recursive: true, force: true }));
  const kernels = () => join(prefix, 'share', 'jupyter', 'kernels');

  it('install --prefix writes kernel.json (absolute paths, signal interrupts) and the logos under the export\'s name', () => {
    const r = empathy(['install', '--prefix', prefix]);
    assert.equal(r.code, 0, r.err);
    const dir = join(kernels(), KERNELSPEC.name);
    assert.equal(KERNELSPEC.name, 'empathy-typescript');
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
    assert.equal(spec.argv.length, 4);
    assert.ok(isAbsolute(spec.argv[0]) && existsSync(spec.argv[0]), 'node, absolute');
    assert.equal(spec.argv[1], join(REPO, 'out', 'kernel', 'jupyter', 'main.js'));
    assert.deepEqual(spec.argv.slice(2), ['-f', '{connection_file}']);
    assert.equal(spec.interrupt_mode, 'signal');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.display_name, KERNELSPEC.display_name);
    assert.equal(spec.metadata.empathy.kernel, spec.argv[1]);
    for (const size of [32, 64]) {
      const png = readFileSync(join(dir, `logo-${size}x${size}.png`));
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [size, size], 'IHDR width × height');
    }
    assert.match(readFileSync(join(dir, 'logo-svg.svg'), 'utf8'), /^<svg /);
  });

  it('list finds it through JUPYTER_PATH; uninstall removes ours and leaves a foreign kernelspec of the same name', () => {
    assert.equal(empathy(['install', '--prefix', prefix, '--name', 'empathy-gpu']).code, 0);
    const env = { JUPYTER_PATH: join(prefix, 'share', 'jupyter'), JUPYTER_DATA_DIR: join(prefix, 'user') };
    assert.match(empathy(['list'], env).out, /^empathy-gpu {2}\S+empathy-gpu {2}\(node \//m);
    const foreign = join(prefix, 'user', 'kernels', 'empathy-gpu');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'kernel.json'), JSON.stringify({ argv: ['python3'], display_name: 'someone else', language: 'python' }));
    const r = empathy(['uninstall', '--name', 'empathy-gpu'], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(existsSync(join(kernels(), 'empathy-gpu')), false);
    assert.equal(existsSync(join(foreign, 'kernel.json')), true, 'not ours: kept');
    assert.equal(empathy(['uninstall', '--name', 'empathy-gpu'], env).code, 1, 'nothing left to remove');
  });

  it('the locations: --sys-prefix is the active environment, --user the Jupyter data folder', () => {
    assert.equal(kernelsDir({ kind: 'sys-prefix' }, { VIRTUAL_ENV: '/envs/lab' }), join('/envs/lab', 'share', 'jupyter', 'kernels'));
    assert.equal(kernelsDir({ kind: 'sys-prefix' }, { CONDA_PREFIX: '/conda/gpu' }), join('/conda/gpu', 'share', 'jupyter', 'kernels'));
    assert.equal(kernelsDir({ kind: 'user' }, { JUPYTER_DATA_DIR: '/data/jupyter' }), join('/data/jupyter', 'kernels'));
    assert.equal(kernelsDir({ kind: 'prefix', dir: '/opt/x' }), join('/opt/x', 'share', 'jupyter', 'kernels'));
  });

  it('bad flags: one line, nothing written', () => {
    const two = empathy(['install', '--user', '--prefix', prefix]);
    assert.equal(two.code, 2);
    assert.match(two.err, /choose one of --user, --sys-prefix, --prefix/);
    const name = empathy(['install', '--prefix', prefix, '--name', 'bad name/..']);
    assert.notEqual(name.code, 0);
    assert.match(name.err, /--name "bad name\/\.\.": a kernel name is letters, digits/);
    assert.equal(existsSync(join(prefix, 'share')), false);
  });
});

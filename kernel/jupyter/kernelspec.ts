// The kernelspec: kernel.json (absolute Node and kernel paths, interrupt_mode signal, metadata) and the
// logos, installed into the standard Jupyter data folders (user, sys-prefix, --prefix), found again
// (list) and removed (uninstall: only folders whose kernel.json this workbench wrote).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../dataset/atomicFile';
import { KERNELSPEC } from '../notebook/format/ipynb';
import { LOGO_SVG, logoPng } from './logo';

export const DEFAULT_KERNEL_NAME = KERNELSPEC.name;
const KERNEL_MAIN = path.join(__dirname, 'main.js');

export type Location = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

/** Jupyter's user data folder (jupyter_core's jupyter_data_dir). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(env.APPDATA ?? os.homedir(), 'jupyter');
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

/** The Python environment Jupyter runs in: an active venv or conda env, else `python3`'s sys.prefix. */
function sysPrefix(env: NodeJS.ProcessEnv): string {
  const active = env.VIRTUAL_ENV ?? env.CONDA_PREFIX;
  if (active) return active;
  const r = spawnSync(process.platform === 'win32' ? 'python' : 'python3', ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error('--sys-prefix: no active virtualenv/conda env and no python3 on PATH to ask for sys.prefix (use --prefix DIR)');
  return r.stdout.trim();
}

/** The `kernels` folder of a location. */
export function kernelsDir(loc: Location, env: NodeJS.ProcessEnv = process.env): string {
  switch (loc.kind) {
    case 'user': return path.join(userDataDir(env), 'kernels');
    case 'sys-prefix': return path.join(sysPrefix(env), 'share', 'jupyter', 'kernels');
    case 'prefix': return path.join(path.resolve(loc.dir), 'share', 'jupyter', 'kernels');
  }
}

export function checkKernelName(name: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new Error(`--name ${JSON.stringify(name)}: a kernel name is letters, digits, '.', '_' and '-' only`);
}

export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal';
  metadata: { empathy: { workbench: string; kernel: string; node: string }; debugger: false };
}

export function kernelJson(name: string, workbench: string, nodePath = process.execPath): KernelJson {
  return {
    argv: [nodePath, KERNEL_MAIN, '-f', '{connection_file}'],
    display_name: name === DEFAULT_KERNEL_NAME ? KERNELSPEC.display_name : `${KERNELSPEC.display_name} (${name})`,
    language: KERNELSPEC.language,
    interrupt_mode: 'signal',
    metadata: { empathy: { workbench, kernel: KERNEL_MAIN, node: nodePath }, debugger: false },
  };
}

/** Write the kernelspec folder; returns it. Each file is written whole or not at all. */
export function installKernelspec(loc: Location, name: string, workbench: string, env: NodeJS.ProcessEnv = process.env): string {
  checkKernelName(name);
  if (!fs.existsSync(KERNEL_MAIN)) throw new Error(`${KERNEL_MAIN}: the kernel is not built (run node build.mjs)`);
  const dir = path.join(kernelsDir(loc, env), name);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'logo-32x32.png'), logoPng(32));
  writeFileAtomic(path.join(dir, 'logo-64x64.png'), logoPng(64));
  writeFileAtomic(path.join(dir, 'logo-svg.svg'), LOGO_SVG);
  writeFileAtomic(path.join(dir, 'kernel.json'), JSON.stringify(kernelJson(name, workbench), null, 2) + '\n');
  return dir;
}

/** Every folder Jupyter searches for kernels, in its order (JUPYTER_PATH, user, env, system). */
export function searchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env.JUPYTER_PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'kernels'));
  dirs.push(path.join(userDataDir(env), 'kernels'));
  const active = env.VIRTUAL_ENV ?? env.CONDA_PREFIX;
  if (active) dirs.push(path.join(active, 'share', 'jupyter', 'kernels'));
  if (process.platform !== 'win32') dirs.push('/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels');
  return [...new Set(dirs)];
}

export interface FoundKernel { name: string; dir: string; spec: KernelJson; problems: string[] }

/** The kernelspecs this workbench wrote (metadata.empathy), with what no longer exists on disk. */
export function listKernelspecs(dirs: readonly string[]): FoundKernel[] {
  const found: FoundKernel[] = [];
  for (const kernels of dirs) {
    let names: string[];
    try { names = fs.readdirSync(kernels); } catch { continue; }
    for (const name of names.sort()) {
      let spec: KernelJson;
      try { spec = JSON.parse(fs.readFileSync(path.join(kernels, name, 'kernel.json'), 'utf8')) as KernelJson; } catch { continue; }
      if (!spec?.metadata?.empathy) continue;
      const problems = [spec.argv[0], spec.argv[1]].filter((p) => !fs.existsSync(p)).map((p) => `missing ${p}`);
      found.push({ name, dir: path.join(kernels, name), spec, problems });
    }
  }
  return found;
}

/** Remove the named kernelspecs this workbench wrote in `dirs`; returns the folders removed. */
export function uninstallKernelspec(name: string, dirs: readonly string[]): string[] {
  checkKernelName(name);
  const mine = listKernelspecs(dirs).filter((k) => k.name === name);
  for (const k of mine) fs.rmSync(k.dir, { recursive: true, force: true });
  return mine.map((k) => k.dir);
}

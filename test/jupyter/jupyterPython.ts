// The Python the Jupyter tests drive the kernel with: one that imports the Jupyter project's own clients
// (Debian: apt-get install -y python3-jupyter-client python3-nbclient python3-nbformat, as .ci/run does).
// $EMPATHY_JUPYTER_PYTHON first, then python3 on PATH, then the system's /usr/bin/python3 (a pyenv or
// venv python3 on PATH may not see Debian's packages). The kernelspec goes into a temp --prefix.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');
export const APT_PACKAGES = 'python3-jupyter-client python3-nbclient python3-nbformat';

/** A python3 that imports jupyter_client, nbclient and nbformat, or why there is none. */
export function findJupyterPython(): { python: string } | { missing: string } {
  const candidates = [process.env.EMPATHY_JUPYTER_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import jupyter_client, nbclient, nbformat'], { encoding: 'utf8' });
    if (r.status === 0) return { python };
  }
  return { missing: `no python3 with jupyter_client, nbclient and nbformat (tried ${candidates.join(', ')}; apt-get install -y ${APT_PACKAGES})` };
}

/** `empathy jupyter install --prefix` into a fresh temp folder; JUPYTER_PATH points the clients there. */
export function installTempKernelspec(): { prefix: string; env: NodeJS.ProcessEnv; dispose: () => void } {
  const prefix = mkdtempSync(join(tmpdir(), 'empathy-jupyter-'));
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'empathy.js'), 'jupyter', 'install', '--prefix', prefix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`empathy jupyter install --prefix failed: ${r.stderr}`);
  const env = { ...process.env, JUPYTER_PATH: join(prefix, 'share', 'jupyter'), JUPYTER_DATA_DIR: join(prefix, 'data'), JUPYTER_RUNTIME_DIR: join(prefix, 'runtime') };
  return { prefix, env, dispose: () => rmSync(prefix, { recursive: true, force: true }) };
}

/** Run a Python script; resolves with its stdout parsed as JSON, rejects with its stderr's tail. */
export function runPythonJson<T>(python: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ result: T; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(python, ['-u', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`${args[0]} exited ${code}:\n${stderr.slice(-4000)}`));
      try {
        done({ result: JSON.parse(stdout.trim().split('\n').pop()!) as T, stderr });
      } catch (e) {
        fail(new Error(`${args[0]}: no JSON on stdout (${(e as Error).message}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

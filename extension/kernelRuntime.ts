// Which Node runs the kernel process: `empathy.kernel.nodePath`, else a real Node (>= 20) found on PATH
// (so tfjs-node(-gpu) can load), else VS Code's own runtime (process.execPath with ELECTRON_RUN_AS_NODE)
// restricted to the wasm/cpu backends — and the reason is always reported to the user.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface KernelRuntime {
  /** Executable that runs kernel/process/main.js. */
  execPath: string;
  /** Extra environment for the kernel process. */
  env: Record<string, string>;
  /** 'node' = a real Node; 'vscode' = VS Code's bundled runtime (no native addons). */
  kind: 'node' | 'vscode';
  /** Node version string reported by the runtime (e.g. v20.19.0). */
  version: string;
  /** One line for the user: which runtime and why. */
  reason: string;
}

const MIN_NODE_MAJOR = 20;

function nodeVersion(exe: string): string | undefined {
  try {
    const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 5000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const v = r.stdout?.trim();
    return r.status === 0 && /^v\d+\./.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function major(v: string): number {
  return Number(/^v(\d+)/.exec(v)?.[1] ?? 0);
}

/** `node` on PATH, like `which node`. */
export function findNodeOnPath(pathVar = process.env.PATH ?? ''): string | undefined {
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/**
 * @param configuredPath the `empathy.kernel.nodePath` setting ('' = not set)
 * @param backendPref the `empathy.backend` setting; VS Code's runtime cannot load tfjs-node, so native
 *        choices are replaced by 'wasm' there.
 */
export function resolveKernelRuntime(configuredPath: string, backendPref: string): KernelRuntime {
  const problems: string[] = [];
  if (configuredPath) {
    const v = existsSync(configuredPath) ? nodeVersion(configuredPath) : undefined;
    if (v && major(v) >= MIN_NODE_MAJOR) {
      return { execPath: configuredPath, env: {}, kind: 'node', version: v, reason: `Node ${v} from empathy.kernel.nodePath (${configuredPath})` };
    }
    problems.push(`empathy.kernel.nodePath "${configuredPath}" ${v ? `is Node ${v}, older than ${MIN_NODE_MAJOR}` : 'is not a working Node executable'}`);
  }
  const onPath = findNodeOnPath();
  if (onPath) {
    const v = nodeVersion(onPath);
    if (v && major(v) >= MIN_NODE_MAJOR) {
      return { execPath: onPath, env: {}, kind: 'node', version: v, reason: `Node ${v} from PATH (${onPath})` };
    }
    problems.push(`node on PATH (${onPath}) ${v ? `is ${v}, older than ${MIN_NODE_MAJOR}` : 'does not run'}`);
  } else {
    problems.push('no node on PATH');
  }
  // VS Code's own runtime: always there, but native addons (tfjs-node, tfjs-node-gpu) cannot load in it.
  const native = backendPref === 'tensorflow' || backendPref === 'tensorflow-gpu' || backendPref === 'webgpu' || backendPref === 'auto' || backendPref === '';
  return {
    execPath: process.execPath,
    env: { ELECTRON_RUN_AS_NODE: '1', ...(native ? { EMPATHY_BACKEND: 'wasm' } : {}) },
    kind: 'vscode',
    version: process.version,
    reason: `${problems.join('; ')}: using VS Code's own runtime (${process.version}) with the wasm/cpu backend. ` +
      'Install Node >= 20 or set empathy.kernel.nodePath to use webgpu (GPU), tfjs-node (CPU) or tfjs-node-gpu (CUDA).',
  };
}

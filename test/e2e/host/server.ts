// Starts code-server (the real VS Code web workbench + Node extension host) on 127.0.0.1:<free port> in its
// own process group, marketplace and telemetry off, and stops that whole group afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ServerConfig {
  codeServerBin: string;
  /** Scratch folder for user data, extensions, config and the server log. */
  stateDir: string;
  /** Extra environment for the server (inherited by the extension host). */
  env: Record<string, string>;
  /** User settings written to settings.json. */
  settings: Record<string, unknown>;
  /** Extensions folder (default `<stateDir>/extensions`): pass one to test an installed .vsix. */
  extensionsDir?: string;
  /** Keep workspace trust on (the folder opens in Restricted Mode); default off (trusted). */
  workspaceTrust?: boolean;
}

export interface RunningServer {
  port: number;
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for every code-server invocation: no gallery, no telemetry, no update checks. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EXTENSIONS_GALLERY: '{}', // marketplace off: nothing is fetched from outside
    VSCODE_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

export async function startServer(cfg: ServerConfig): Promise<RunningServer> {
  const port = await freePort();
  const userData = join(cfg.stateDir, 'user-data');
  const extensions = cfg.extensionsDir ?? join(cfg.stateDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(cfg.settings, null, 2));
  const configFile = join(cfg.stateDir, 'config.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = join(cfg.stateDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const args = [
    cfg.codeServerBin,
    '--config', configFile,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(cfg.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--ignore-last-opened',
  ];
  // detached = setsid: the server, its extension hosts and the kernels they fork share one process group.
  const child: ChildProcess = spawn(process.execPath, args, {
    env: serverEnv(cfg.env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during startup; see ${logFile}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      killGroup(pid);
      throw new Error(`code-server not healthy after 30 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    port,
    url,
    pid,
    logFile,
    async stop() {
      killGroup(pid, 'SIGTERM');
      const until = Date.now() + 5_000;
      while (groupAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      killGroup(pid, 'SIGKILL');
      log.end();
    },
  };
}

/** Signals every process in the group led by `pgid` (extension hosts, kernels, ptys). */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

// Where a workspace's runs folder is: one folder per workspace, found the same way by notebooks, the CLI
// and the extension, from any folder inside the workspace.
//
// 1. `EMPATHY_RUNS_DIR` (the extension sets it for its kernels from `empathy.runsFolder`) wins.
// 2. Otherwise the workspace root is the nearest folder, from `start` upwards, that holds
//    - a `runs/` folder with at least one recorded run (`runs/<id>/run.json`), or
//    - `.vscode/settings.json` naming `empathy.runsFolder`, or
//    - a project marker: `package.json`, `.git`, or `.vscode/` (the home folder's own `~/.vscode`, where
//      VS Code keeps its extensions, does not count).
//    The runs folder is `empathy.runsFolder` from that root's `.vscode/settings.json` (relative to the
//    root unless absolute), else `<root>/runs`.
// 3. No marker up to the filesystem root: `<start>/runs` (the folder the command runs in).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface RunsLocation {
  /** The runs folder (absolute). */
  dir: string;
  /** The workspace root it belongs to (absolute), or undefined when no marker was found. */
  root?: string;
  /** Why this folder, in words (printed by `empathy runs list`). */
  reason: string;
}

export interface RunsLocationOptions {
  /** Environment to read EMPATHY_RUNS_DIR from (default process.env). */
  env?: Record<string, string | undefined>;
  /** The user's home folder, whose `.vscode/` is VS Code's own (default os.homedir()). */
  home?: string;
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** A `runs/` folder that holds at least one run record (an empty or unrelated `runs/` is no marker). */
function hasRecordedRuns(dir: string): boolean {
  const runs = join(dir, 'runs');
  if (!isDir(runs)) return false;
  try {
    return readdirSync(runs).some((n) => existsSync(join(runs, n, 'run.json')));
  } catch { return false; }
}

/** JSON with comments and trailing commas (VS Code's settings.json) → value; undefined when unreadable. */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  try { return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')); } catch { return undefined; }
}

/** `empathy.runsFolder` from `<root>/.vscode/settings.json`, if set there. */
export function workspaceRunsSetting(root: string): string | undefined {
  const file = join(root, '.vscode', 'settings.json');
  if (!existsSync(file)) return undefined;
  const v = (parseJsonc(readFileSync(file, 'utf8')) as Record<string, unknown> | undefined)?.['empathy.runsFolder'];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The nearest folder from `start` upwards that marks a workspace root (see the file comment), if any. */
export function findWorkspaceRoot(start: string, opts: RunsLocationOptions = {}): string | undefined {
  const home = resolve(opts.home ?? homedir());
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (hasRecordedRuns(dir) || workspaceRunsSetting(dir) !== undefined) return dir;
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return dir;
    if (dir !== home && isDir(join(dir, '.vscode'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The runs folder for a command started in `start` (see the file comment for the rules). */
export function locateRunsDir(start = process.cwd(), opts: RunsLocationOptions = {}): RunsLocation {
  const env = opts.env ?? process.env;
  const fromEnv = env.EMPATHY_RUNS_DIR?.trim();
  if (fromEnv) return { dir: resolve(start, fromEnv), reason: 'EMPATHY_RUNS_DIR' };
  const root = findWorkspaceRoot(start, opts);
  if (!root) return { dir: resolve(start, 'runs'), reason: `no workspace marker above ${resolve(start)}: ./runs` };
  const setting = workspaceRunsSetting(root);
  if (setting) return { dir: isAbsolute(setting) ? setting : resolve(root, setting), root, reason: `empathy.runsFolder in ${join(root, '.vscode', 'settings.json')}` };
  return { dir: join(root, 'runs'), root, reason: `workspace root ${root}` };
}

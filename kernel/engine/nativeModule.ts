// Where an optional native backend package (tfjs-node, tfjs-node-gpu) may be loaded from, and loading it
// so that a module that throws is reported with its error. A native package is code that runs as soon as
// it is required, so only two places count: the engine's own node_modules chain (the project checkout,
// or the extension's folder), searched first, and the folders named in EMPATHY_NATIVE_MODULE_PATH (the
// extension sets it to a trusted workspace's node_modules; a CLI user may set it). A copy reachable only
// through NODE_PATH or Node's global folders (e.g. a workspace's node_modules on NODE_PATH) is never
// loaded: it is reported, with its path and how to allow it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders (path-delimiter separated) whose packages may be loaded as native backends. */
import { NATIVE_MODULE_PATH_ENV } from '../protocol/kernel';
export { NATIVE_MODULE_PATH_ENV };

export interface NativeModuleSearch {
  /** The engine's own node_modules chain, nearest first (default: this module's `module.paths`). */
  ownPaths: readonly string[];
  /** Folders allowed beyond the own chain (default: EMPATHY_NATIVE_MODULE_PATH). */
  allowedPaths: readonly string[];
  /** Node's other lookup folders (NODE_PATH, ~/.node_modules, …): searched only to say what was refused. */
  otherPaths: readonly string[];
}

export type NativeModuleLocation =
  | { kind: 'missing' }
  /** Found, in `dir` (the package folder), `name` from its package.json. */
  | { kind: 'found'; dir: string; name: string; from: 'own' | 'allowed' }
  /** Found only where it may not be loaded from (NODE_PATH, a global folder). */
  | { kind: 'refused'; dir: string; reason: string };

function splitPathList(v: string | undefined): string[] {
  return (v ?? '').split(path.delimiter).filter((p) => p.trim() !== '').map((p) => path.resolve(p));
}

/** The default search: own chain, EMPATHY_NATIVE_MODULE_PATH, and (for reporting) NODE_PATH + Node's globals. */
export function defaultNativeModuleSearch(env: NodeJS.ProcessEnv = process.env): NativeModuleSearch {
  const ownPaths = [...module.paths];
  const globals = (require('node:module') as { globalPaths?: string[] }).globalPaths ?? [];
  return {
    ownPaths,
    allowedPaths: splitPathList(env[NATIVE_MODULE_PATH_ENV]),
    otherPaths: [...splitPathList(env.NODE_PATH), ...globals].filter((p) => !ownPaths.includes(p)),
  };
}

function packageIn(dir: string, pkg: string): { dir: string; name: string } | undefined {
  const pj = path.join(dir, pkg, 'package.json');
  if (!fs.existsSync(pj)) return undefined;
  let name: string | undefined;
  try {
    name = (JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: unknown }).name as string | undefined;
  } catch {
    name = undefined;
  }
  return { dir: path.dirname(pj), name: typeof name === 'string' ? name : '(unnamed)' };
}

/** Where `pkg` would be loaded from, without loading it. */
export function locateNativeModule(pkg: string, search: NativeModuleSearch = defaultNativeModuleSearch()): NativeModuleLocation {
  for (const [from, dirs] of [['own', search.ownPaths], ['allowed', search.allowedPaths]] as const) {
    for (const d of dirs) {
      const hit = packageIn(d, pkg);
      if (hit) return { kind: 'found', from, ...hit };
    }
  }
  for (const d of search.otherPaths) {
    const hit = packageIn(d, pkg);
    if (hit) {
      return {
        kind: 'refused', dir: hit.dir,
        reason: `${pkg} found only at ${hit.dir} (through NODE_PATH or a global folder), which is not loaded: ` +
          `code there runs on load. Install it in the project, or add its node_modules folder to ${NATIVE_MODULE_PATH_ENV} if you trust it`,
      };
    }
  }
  return { kind: 'missing' };
}

export type NativeLoad =
  | { ok: true; dir: string }
  /** `threw`: the package was there and allowed, but requiring it threw (`reason` carries its error). */
  | { ok: false; reason: string; threw: boolean; refused?: boolean };

/** Loads `pkg` from where locateNativeModule allows, and only from there. */
export function loadNativeModule(pkg: string, search: NativeModuleSearch = defaultNativeModuleSearch()): NativeLoad {
  const loc = locateNativeModule(pkg, search);
  if (loc.kind === 'missing') return { ok: false, reason: `${pkg} is not installed`, threw: false };
  if (loc.kind === 'refused') return { ok: false, reason: loc.reason, threw: false, refused: true };
  if (loc.name !== pkg) return { ok: false, reason: `${pkg} resolves to ${loc.name} (an alias, not the native binding)`, threw: false };
  try {
    require(loc.dir);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).split('\n')[0];
    return { ok: false, reason: `${pkg} (${loc.dir}) threw while loading: ${msg}`, threw: true };
  }
  return { ok: true, dir: loc.dir };
}

/**
 * Said once per package on stderr: a native backend that was found but refused, or that threw, is not a
 * silent "not installed" (the ladder goes on to the next backend, and its skip reason says the same).
 */
const warned = new Set<string>();
export function warnNativeModule(pkg: string, load: NativeLoad): void {
  if (load.ok || (!load.threw && !load.refused) || warned.has(pkg)) return;
  warned.add(pkg);
  process.stderr.write(`empathy: warning: backend ${load.reason}\n`);
}

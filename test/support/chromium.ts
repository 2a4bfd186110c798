// Where the browser tests' Chromium comes from, found the same way by `npm test`'s provisioning step
// (ensureChromium.ts) and by the tests: $EMPATHY_CHROMIUM, else `chromium` / `chromium-browser` on PATH.
// EMPATHY_SKIP_BROWSER_TESTS=1 skips the browser tests on purpose; the closing line then says so.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Program names looked up on PATH, in order (Debian's package is `chromium`, Ubuntu's older one `chromium-browser`). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser'];
/** The exact command that provides it on Debian/Ubuntu. */
export const INSTALL_COMMAND = 'sudo apt-get install -y chromium';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A program `name` on `PATH` (its full path), or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

export type ChromiumLookup =
  | { found: true; path: string; via: 'EMPATHY_CHROMIUM' | 'PATH' }
  | { found: false; problem: string };

/** Find Chromium: EMPATHY_CHROMIUM when set (it must then be an executable), else PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const set = env.EMPATHY_CHROMIUM;
  if (set) {
    return executable(set)
      ? { found: true, path: set, via: 'EMPATHY_CHROMIUM' }
      : { found: false, problem: `EMPATHY_CHROMIUM=${set} is not an executable file` };
  }
  for (const name of CHROMIUM_NAMES) {
    const file = onPath(name, env);
    if (file) return { found: true, path: file, via: 'PATH' };
  }
  return { found: false, problem: `no Chromium on PATH (looked for ${CHROMIUM_NAMES.join(', ')}) and EMPATHY_CHROMIUM is not set` };
}

/** Why the browser tests cannot run here (the reason their skip carries), or undefined when they can. */
export function browserTestsUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EMPATHY_SKIP_BROWSER_TESTS === '1') return 'browser tests off (EMPATHY_SKIP_BROWSER_TESTS=1)';
  const c = findChromium(env);
  return c.found ? undefined : `no Chromium: ${c.problem}`;
}

/** The Chromium the browser tests launch ('' when there is none: their skip says why). */
export const CHROMIUM = ((): string => {
  const c = findChromium();
  return c.found ? c.path : '';
})();

// `npm test`'s provisioning step for the browser tests (and, after it, Mesa for the webgpu tests: ensureMesa.ts): use a system Chromium when there is one;
// else, running as root with apt, install Debian's; else fail with the exact command to run.
// EMPATHY_SKIP_BROWSER_TESTS=1 lets the suite run without them (each is counted as skipped, with why).
import { spawnSync } from 'node:child_process';
import { INSTALL_COMMAND, findChromium, onPath } from './chromium';
import { ensureMesa } from './ensureMesa';

export interface EnsureResult {
  ok: boolean;
  /** What to print (one line on success, the explanation on failure). */
  message: string;
}

/** Provision Chromium in `env` (PATH, EMPATHY_CHROMIUM); `isRoot` decides whether apt-get may be run. */
export function ensureChromium(env: NodeJS.ProcessEnv = process.env, isRoot = process.getuid?.() === 0): EnsureResult {
  if (env.EMPATHY_SKIP_BROWSER_TESTS === '1') {
    return { ok: true, message: 'browser tests: off (EMPATHY_SKIP_BROWSER_TESTS=1); they will be counted as skipped' };
  }
  const first = findChromium(env);
  if (first.found) return { ok: true, message: `browser tests: Chromium ${first.path} (from ${first.via})` };
  const help = (why: string) => [
    `npm test: the browser tests (renderers, panels, reports) need Chromium, and ${why}.`,
    `  Install it:   ${INSTALL_COMMAND}`,
    '  or point to one:   EMPATHY_CHROMIUM=/path/to/chromium npm test',
    '  or run without them (counted as skipped):   EMPATHY_SKIP_BROWSER_TESTS=1 npm test',
  ].join('\n');
  if (env.EMPATHY_CHROMIUM) return { ok: false, message: help(first.problem) };
  const apt = onPath('apt-get', env);
  if (!isRoot || !apt) return { ok: false, message: help(`${first.problem}${!apt ? '; apt-get is not available here' : '; not root, so it is not installed automatically'}`) };
  process.stderr.write(`npm test: no Chromium found; installing Debian's: ${apt} install -y chromium\n`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(apt, ['update', '-qq'], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const install = update.status === 0 ? spawnSync(apt, ['install', '-y', '-qq', 'chromium'], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] }) : update;
  const after = findChromium(env);
  if (install.status === 0 && after.found) return { ok: true, message: `browser tests: Chromium ${after.path} (installed with apt-get)` };
  return { ok: false, message: help(`installing it with apt-get failed (exit ${install.status ?? install.signal})`) };
}

if (require.main === module) {
  const r = ensureChromium();
  (r.ok ? process.stdout : process.stderr).write(r.message + '\n');
  process.exitCode = r.ok ? 0 : 1;
  // The webgpu tests' software adapter (never fails the run: those tests skip and say why without it).
  if (r.ok) process.stdout.write(ensureMesa().message + '\n');
}

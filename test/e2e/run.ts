// The end-to-end suite in a real VS Code (`npm run test:e2e`): installs code-server 4.100.3 + playwright-core
// into a cache folder, runs the extension tests inside the real extension host (dev folder), answers their
// DOM questions from Chromium with screenshots, checks Restricted Mode (an untrusted folder), then installs
// the packaged .vsix into code-server and runs a smoke test against the installed copy, and every tutorial
// (Run All) plus the panels from the installed copy in a folder holding only the tutorials. Every process
// group it starts is stopped at the end.
// Closes with one line: `N passed, N failed`. A subset: EMPATHY_E2E_SESSIONS=vsix (sessions) and
// EMPATHY_E2E_GREP=webgpu (test titles), e.g. only the installed .vsix on webgpu.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultHostInstallConfig, ensureHost } from './host/install';
import { startServer, serverEnv, killGroup, type RunningServer } from './host/server';
import { chromiumPath, openWorkbench, serveQuestions, type BrowserSession } from './host/browser';

interface E2eConfig {
  repoRoot: string;
  outDir: string; // test-output/e2e: screenshots, logs, scratch state
  /** Per-session limit for the extension tests (the whole e2e run should stay under ~10 min). */
  sessionTimeoutMs: number;
  /** Limit for the session that runs every tutorial from the installed .vsix (they train models). */
  tutorialsTimeoutMs: number;
  /** Skip building/installing the .vsix (EMPATHY_E2E_SKIP_VSIX=1) for a faster inner loop. */
  skipVsix: boolean;
  /** Only these sessions (EMPATHY_E2E_SESSIONS=vsix,untrusted; names: dev, untrusted, vsix, vsix-tutorials); undefined = all. */
  sessions?: Set<string>;
}

interface CaseResult { title: string; state: 'passed' | 'failed' | 'pending'; error?: string; ms?: number }

const repoRoot = resolve(__dirname, '..', '..', '..');
const cfg: E2eConfig = {
  repoRoot,
  outDir: join(repoRoot, 'test-output', 'e2e'),
  sessionTimeoutMs: 900_000, // ~5 min on an idle machine; room for a loaded one (the dev suite has grown)
  tutorialsTimeoutMs: 900_000,
  skipVsix: process.env.EMPATHY_E2E_SKIP_VSIX === '1',
  sessions: process.env.EMPATHY_E2E_SESSIONS ? new Set(process.env.EMPATHY_E2E_SESSIONS.split(',').map((x) => x.trim()).filter(Boolean)) : undefined,
};
const wanted = (name: string) => !cfg.sessions || cfg.sessions.has(name);

const log = (line: string) => console.log(line);
const groups = new Set<number>();
const cleanups: Array<() => Promise<void>> = [];
const results: CaseResult[] = [];

function record(title: string, ok: boolean, error?: string) {
  results.push({ title, state: ok ? 'passed' : 'failed', error });
  log(`  ${ok ? '✓' : '✗'} ${title}${error ? `\n      ${error.split('\n').join('\n      ')}` : ''}`);
}

/** Records one extension test's result from a session and logs it. */
function report(r: CaseResult) {
  results.push(r);
  log(`  ${r.state === 'passed' ? '✓' : r.state === 'pending' ? '-' : '✗'} ${r.title}${r.error ? `\n      ${r.error.split('\n').slice(0, 8).join('\n      ')}` : ''}`);
}

async function stopAll() {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  for (const g of groups) killGroup(g);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => { void stopAll().finally(() => process.exit(130)); });
}

/** A workspace folder with the test fixtures and the tutorials (copied: tests may save notebooks). */
function prepareWorkspace(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(cfg.repoRoot, 'test', 'e2e', 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  const examples = join(cfg.repoRoot, 'examples');
  // The tutorials only (not runs a local session recorded beside them).
  if (existsSync(examples)) cpSync(examples, join(dir, 'examples'), { recursive: true, filter: (src) => !/[\\/]examples[\\/]runs([\\/]|$)/.test(src) });
  return dir;
}

/** A user's folder with the tutorials and nothing else (no fixtures, no repository around it). */
function tutorialsOnlyWorkspace(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const examples = join(cfg.repoRoot, 'examples');
  for (const f of readdirSync(examples).filter((x) => x.endsWith('.empathy'))) cpSync(join(examples, f), join(dir, f));
  return dir;
}

const settings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'notebook.experimental.remoteSave': false,
  'window.dialogStyle': 'custom',
  // Only language providers complete (so a completion test sees the kernel's items, not words in the file).
  'editor.wordBasedSuggestions': 'off',
};

/** Restricted Mode without prompts at start-up: the folder simply stays untrusted. */
const untrustedSettings = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

/** One code-server + Chromium session running an extension-tests module; returns its Mocha results. */
async function session(name: string, opts: { extensionsDir?: string; devPath?: string; testsModule: string; workspace: string; workspaceTrust?: boolean; timeoutMs?: number }): Promise<CaseResult[]> {
  const timeoutMs = opts.timeoutMs ?? cfg.sessionTimeoutMs;
  const stateDir = join(cfg.outDir, 'state', name);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const handshake = join(stateDir, 'handshake');
  const resultsFile = join(stateDir, 'results.json');
  const host = ensureHost(defaultHostInstallConfig(cfg.repoRoot), log);
  let server: RunningServer | undefined;
  let browser: BrowserSession | undefined;
  try {
    server = await startServer({
      codeServerBin: host.codeServerBin,
      stateDir,
      extensionsDir: opts.extensionsDir,
      workspaceTrust: opts.workspaceTrust,
      settings: opts.workspaceTrust ? { ...settings, ...untrustedSettings } : settings,
      env: {
        EMPATHY_E2E_HANDSHAKE: handshake,
        EMPATHY_E2E_RESULTS: resultsFile,
        EMPATHY_E2E_WORKSPACE: opts.workspace,
        EMPATHY_E2E_REPO: cfg.repoRoot,
        EMPATHY_E2E_GREP: process.env.EMPATHY_E2E_GREP ?? '',
      },
    });
    groups.add(server.pid);
    const srv = server;
    cleanups.push(() => srv.stop());
    log(`e2e: [${name}] code-server ${server.url} (pid group ${server.pid}, log ${server.logFile})`);
    const remote = (p: string) => `vscode-remote://127.0.0.1:${srv.port}${p}`;
    const payload: Array<[string, string]> = [];
    if (opts.devPath) payload.push(['extensionDevelopmentPath', remote(opts.devPath)]);
    payload.push(['extensionTestsPath', remote(opts.testsModule)]);
    const url = `${server.url}/?folder=${encodeURIComponent(opts.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const bcfg = {
      playwrightCoreDir: host.playwrightCoreDir,
      chromiumPath: chromiumPath(),
      screenshotDir: cfg.outDir,
      handshakeDir: handshake,
      log,
    };
    browser = await openWorkbench(bcfg, url);
    const b = browser;
    cleanups.push(() => b.close());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((r) => { timer = setTimeout(() => r(-1), timeoutMs); });
    const exit = Promise.race([browser.exitCode, timeout]);
    const serving = serveQuestions(bcfg, browser, exit);
    const code = await exit;
    clearTimeout(timer);
    await serving;
    if (code === -1) {
      await browser.page.screenshot({ path: join(cfg.outDir, `${name}-timeout.png`) }).catch(() => undefined);
    }
    const out: CaseResult[] = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : [];
    if (code === -1) out.push({ title: `[${name}] extension tests finished within ${timeoutMs / 1000} s`, state: 'failed', error: `timed out; see ${server.logFile}` });
    else if (out.length === 0 && !process.env.EMPATHY_E2E_GREP) out.push({ title: `[${name}] extension tests ran`, state: 'failed', error: `exit code ${code}, no results (see ${server.logFile})` });
    for (const u of browser.blocked) log(`e2e: [${name}] blocked outside request: ${u}`);
    return out.map((r) => ({ ...r, title: `[${name}] ${r.title}` }));
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

function buildAll() {
  const steps: Array<[string, string[]]> = [['node', ['build.mjs']]]; // the .vsix is bundled by `npm run package`
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: cfg.repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
}

function packageVsix(): string {
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: cfg.repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm run package failed:\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
  const vsix = readdirSync(cfg.repoRoot).filter((f) => f.endsWith('.vsix')).map((f) => join(cfg.repoRoot, f));
  if (vsix.length === 0) throw new Error('npm run package produced no .vsix');
  return vsix.sort().at(-1)!;
}

/** `code-server --install-extension X.vsix` into a fresh extensions folder, then list it. */
function installVsix(vsix: string, extensionsDir: string): void {
  const host = ensureHost(defaultHostInstallConfig(cfg.repoRoot), log);
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  const common = ['--extensions-dir', extensionsDir, '--user-data-dir', join(extensionsDir, '..', 'vsix-user-data')];
  const inst = spawnSync(process.execPath, [host.codeServerBin, ...common, '--install-extension', vsix],
    { env: serverEnv({}), encoding: 'utf8', timeout: 120_000 });
  if (inst.status !== 0) throw new Error(`--install-extension failed (${inst.status}): ${inst.stdout}${inst.stderr}`);
  const list = spawnSync(process.execPath, [host.codeServerBin, ...common, '--list-extensions', '--show-versions'],
    { env: serverEnv({}), encoding: 'utf8', timeout: 60_000 });
  const pkg = JSON.parse(readFileSync(join(cfg.repoRoot, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}@${pkg.version}`;
  if (!list.stdout.toLowerCase().includes(id.toLowerCase())) throw new Error(`--list-extensions does not show ${id}:\n${list.stdout}${list.stderr}`);
}

/**
 * The workbench runs extensionTestsPath only in extension-development mode, so the .vsix session loads
 * this empty extension as the development folder; the extension under test is the installed .vsix.
 */
function testDriverExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'empathy-e2e-driver', publisher: 'empathy-e2e', version: '0.0.0', engines: { vscode: '^1.100.0' },
  }, null, 2));
  return dir;
}

async function main() {
  const t0 = Date.now();
  mkdirSync(cfg.outDir, { recursive: true });
  for (const f of readdirSync(cfg.outDir)) if (f.endsWith('.png')) rmSync(join(cfg.outDir, f)); // no stale screenshots
  try {
    ensureHost(defaultHostInstallConfig(cfg.repoRoot), log);
    buildAll();
    const workspace = prepareWorkspace(join(cfg.outDir, 'state', 'workspace'));
    const suite = join(cfg.repoRoot, 'out', 'test', 'e2e', 'suite', 'index.js');
    if (wanted('dev')) {
      for (const r of await session('dev', { devPath: cfg.repoRoot, testsModule: suite, workspace })) {
        report(r);
      }
    }
    const untrusted = join(cfg.repoRoot, 'out', 'test', 'e2e', 'untrusted', 'index.js');
    if (wanted('untrusted')) {
      for (const r of await session('untrusted', { devPath: cfg.repoRoot, testsModule: untrusted, workspaceTrust: true, workspace: prepareWorkspace(join(cfg.outDir, 'state', 'workspace-untrusted')) })) {
        report(r);
      }
    }
    if (!cfg.skipVsix && (wanted('vsix') || wanted('vsix-tutorials'))) {
      const extensionsDir = join(cfg.outDir, 'state', 'vsix-extensions');
      let vsix: string | undefined;
      try {
        vsix = packageVsix();
        installVsix(vsix, extensionsDir);
        record('[vsix] npm run package builds a .vsix that code-server --install-extension installs', true);
      } catch (e) {
        record('[vsix] npm run package builds a .vsix that code-server --install-extension installs', false, String(e));
      }
      if (vsix) {
        const smoke = join(cfg.repoRoot, 'out', 'test', 'e2e', 'vsix', 'index.js');
        const driver = testDriverExtension(join(cfg.outDir, 'state', 'vsix-driver'));
        // Outside the repository, like a user's folder: no node_modules/@types up the tree to fall back on.
        if (wanted('vsix')) {
          for (const r of await session('vsix', { extensionsDir, devPath: driver, testsModule: smoke, workspace: prepareWorkspace(join(tmpdir(), 'empathy-e2e-workspace-vsix')) })) {
            report(r);
          }
        }
        // Every tutorial, Run All, from the installed copy in a folder holding only the tutorials.
        const tutorials = join(cfg.repoRoot, 'out', 'test', 'e2e', 'vsixTutorials', 'index.js');
        if (wanted('vsix-tutorials')) {
          for (const r of await session('vsix-tutorials', { extensionsDir, devPath: driver, testsModule: tutorials, timeoutMs: cfg.tutorialsTimeoutMs, workspace: tutorialsOnlyWorkspace(join(tmpdir(), 'empathy-e2e-tutorials')) })) {
            report(r);
          }
        }
      }
    }
  } catch (e) {
    record('e2e harness', false, String((e as Error)?.stack ?? e));
  } finally {
    await stopAll();
  }
  const shots = existsSync(cfg.outDir) ? readdirSync(cfg.outDir).filter((f) => f.endsWith('.png')) : [];
  if (shots.length) log(`e2e: screenshots in ${cfg.outDir}: ${shots.join(', ')}`);
  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.filter((r) => r.state === 'failed').length;
  const skipped = results.filter((r) => r.state === 'pending').length;
  log(`e2e: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

void main();

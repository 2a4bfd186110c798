// Installs the e2e test host (code-server 4.100.3 = VS Code 1.100.3, and playwright-core) into a cache
// folder outside the project's dependencies, offline-safe, and reuses it when already there.
// Recipe and its four fixes: ../shared/notes/vscode-host.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface HostInstallConfig {
  /** Where code-server and playwright-core live ($EMPATHY_E2E_CACHE, default ~/.cache/empathy-e2e). */
  cacheDir: string;
  /** The code-server release: 4.100.3 is the newest whose engines.node accepts Node 20. */
  codeServerVersion: string;
  /** playwright-core version (default: the project's devDependency version, else 1.56.0). */
  playwrightVersion: string;
  /** Debian's ripgrep 13.0.0, used to pre-seed @vscode/ripgrep's download cache. */
  systemRg: string;
}

export interface InstalledHost {
  codeServerBin: string;
  playwrightCoreDir: string;
}

export function defaultHostInstallConfig(repoRoot: string): HostInstallConfig {
  let playwrightVersion = '1.56.0';
  try {
    playwrightVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules/playwright-core/package.json'), 'utf8')).version;
  } catch { /* project deps not installed: use the default */ }
  return {
    cacheDir: process.env.EMPATHY_E2E_CACHE || join(homedir(), '.cache', 'empathy-e2e'),
    codeServerVersion: '4.100.3',
    playwrightVersion,
    systemRg: '/usr/bin/rg',
  };
}

function paths(cfg: HostInstallConfig) {
  const root = join(cfg.cacheDir, `code-server-${cfg.codeServerVersion}`);
  return {
    root,
    tmp: join(root, 'tmp'),
    codeServerBin: join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    codeServerPkg: join(root, 'node_modules', 'code-server'),
    playwrightCoreDir: join(root, 'node_modules', 'playwright-core'),
    marker: join(root, '.installed'),
  };
}

/** Reuses a complete install (marker file) or installs one; throws with the npm log tail on failure. */
export function ensureHost(cfg: HostInstallConfig, log: (line: string) => void): InstalledHost {
  const p = paths(cfg);
  if (existsSync(p.marker) && existsSync(p.codeServerBin) && existsSync(p.playwrightCoreDir)) {
    return { codeServerBin: p.codeServerBin, playwrightCoreDir: p.playwrightCoreDir };
  }
  log(`e2e: installing code-server@${cfg.codeServerVersion} + playwright-core@${cfg.playwrightVersion} into ${p.root} (first time ≈ 80 s)`);
  mkdirSync(p.tmp, { recursive: true });
  if (!existsSync(join(p.root, 'package.json'))) {
    writeFileSync(join(p.root, 'package.json'), JSON.stringify({ name: 'empathy-e2e-host', private: true }, null, 2));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_unsafe_perm: 'true', // fix 1: code-server's postinstall refuses root otherwise
    npm_config_yes: 'true', // fix 4: node-pty's `npx node-gyp` would stop at a prompt
    npm_config_nodedir: '/usr', // Node 20 headers from Debian: native builds stay offline
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    TMPDIR: p.tmp, // @vscode/ripgrep looks for its download cache under os.tmpdir()
  };
  const npm = (args: string[]) => {
    const r = spawnSync('npm', args, { cwd: p.root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    writeFileSync(join(p.root, `npm-${args[0]}.log`), out);
    if (r.status !== 0) {
      throw new Error(`npm ${args.join(' ')} failed (exit ${r.status}) in ${p.root}:\n${out.split('\n').slice(-40).join('\n')}`);
    }
  };
  // Step 1: fetch both packages without running scripts, so the ripgrep cache can be seeded first.
  npm(['install', '--ignore-scripts', '--no-save', `code-server@${cfg.codeServerVersion}`, `playwright-core@${cfg.playwrightVersion}`]);
  seedRipgrepCache(cfg, p.codeServerPkg, p.tmp, log);
  // Step 2: run every install script: argon2 builds from source; code-server's postinstall installs VS Code's
  // own node modules and builds node-pty and kerberos (fix 2: libkrb5-dev).
  npm(['rebuild']);
  if (!existsSync(p.codeServerBin)) throw new Error(`code-server entry point missing after install: ${p.codeServerBin}`);
  writeFileSync(p.marker, new Date().toISOString() + '\n');
  return { codeServerBin: p.codeServerBin, playwrightCoreDir: p.playwrightCoreDir };
}

/** Fix 3: @vscode/ripgrep downloads from GitHub; give it Debian's rg (also 13.0.0) as its cached tarball. */
function seedRipgrepCache(cfg: HostInstallConfig, codeServerPkg: string, tmp: string, log: (line: string) => void) {
  if (!existsSync(cfg.systemRg)) throw new Error(`${cfg.systemRg} missing: apt-get install ripgrep`);
  const versions = new Set<string>();
  // The exact versions VS Code's nested installs resolve, from their lock files (and ranges as a fallback).
  for (const dir of ['lib/vscode', 'lib/vscode/remote', 'lib/vscode/build', '.']) {
    for (const file of ['package-lock.json', 'npm-shrinkwrap.json', 'package.json']) {
      const f = join(codeServerPkg, dir, file);
      if (!existsSync(f)) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/"(?:node_modules\/)?@vscode\/ripgrep"\s*:\s*(?:\{[^}]*?"version"\s*:\s*)?"[\^~]?(\d+\.\d+\.\d+)"/g)) {
        versions.add(m[1]);
      }
    }
  }
  if (versions.size === 0) versions.add('1.15.11');
  const tarball = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
  for (const v of versions) {
    const dir = join(tmp, `vscode-ripgrep-cache-${v}`);
    mkdirSync(dir, { recursive: true });
    if (readdirSync(dir).includes(tarball)) continue;
    const r = spawnSync('tar', ['czf', join(dir, tarball), '-C', '/usr/bin', 'rg'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  }
  log(`e2e: seeded ripgrep cache for @vscode/ripgrep ${[...versions].join(', ')}`);
}

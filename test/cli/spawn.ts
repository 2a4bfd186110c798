// Test helper: run `node bin/empathy.js …` from the repository root and capture its output.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

export const REPO = path.resolve(__dirname, '../../..');
export const BIN = path.join(REPO, 'bin', 'empathy.js');
export const SAMPLES = path.join(REPO, 'dataset', 'samples');
export const SHARED_EPITOME = path.resolve(REPO, '..', 'shared', 'epitome');

/** Runs the CLI records during tests go to a scratch folder, not the checkout's ./runs. */
const TEST_RUNS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-test-runs-'));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI synchronously (no TTY: plain progress lines). */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', EMPATHY_RUNS_DIR: TEST_RUNS_DIR, ...opts.env }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI asynchronously (for Ctrl-C tests). */
export function cliAsync(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', EMPATHY_RUNS_DIR: TEST_RUNS_DIR } });
}

export function tmpDir(prefix = 'empathy-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The stderr lines that are the fatal error (exactly one expected). */
export function fatalLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.startsWith('empathy: '));
}

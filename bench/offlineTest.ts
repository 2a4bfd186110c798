// The offline default's scoring speed as a user meets it: `empathy test` (the CLI, the shipped model, its
// own process) on a synthetic CSV of N rows, rows/s and the process's peak RSS. The rows are built from the
// project's own samples (dataset/samples: every seeker post × every response post, then repeated), never
// from the public EPITOME files. Each run in a fresh child process; the input and output live in a temp dir.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsv } from '../dataset/csv';
import { csvLine } from '../dataset/csvField';

const REPO = resolve(__dirname, '../..');

export interface OfflineTestResult {
  rows: number;
  threads: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssGB: number;
  /** The CLI's own `inference = …` line (which engine scored). */
  inference: string;
}

/** `n` rows id,seeker_post,response_post from the samples' posts, deterministic. */
export function syntheticTestCsv(n: number): string {
  const table = parseCsv(readFileSync(join(REPO, 'dataset/samples/emotional-reactions-sample.csv'), 'utf8'), 'emotional-reactions-sample.csv');
  const head = table[0];
  const sp = [...new Set(table.slice(1).map((r) => r[head.indexOf('seeker_post')]))];
  const rp = [...new Set(table.slice(1).map((r) => r[head.indexOf('response_post')]))];
  const lines = ['id,seeker_post,response_post'];
  for (let i = 0; i < n; i++) {
    // a walk over the seeker × response grid that does not repeat a pair until it is exhausted
    const s = sp[i % sp.length];
    const r = rp[(i + Math.floor(i / sp.length)) % rp.length];
    lines.push(csvLine([`row${i}`, s, r]).trimEnd());
  }
  return lines.join('\n') + '\n';
}

/** One `empathy test` run with the shipped model on `rows` synthetic rows, `threads` threads everywhere. */
export function benchOfflineTest(rows: number, threads: number, timeoutS = 1800): OfflineTestResult {
  const dir = mkdtempSync(join(tmpdir(), 'empathy-bench-test-'));
  try {
    const input = join(dir, 'in.csv');
    writeFileSync(input, syntheticTestCsv(rows));
    // The CLI in this process's child; its peak RSS printed by an exit hook of the same process.
    const script = `process.on('exit', () => process.stderr.write('\\nMAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));
      process.argv = [process.argv[0], ${JSON.stringify(join(REPO, 'bin/empathy.js'))}, 'test', '--input_path', ${JSON.stringify(input)}, '--output_path', ${JSON.stringify(join(dir, 'out.csv'))}];
      require(${JSON.stringify(join(REPO, 'bin/empathy.js'))});`;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: REPO, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20,
      env: { ...process.env, EMPATHY_BACKEND: '', EMPATHY_WASM_THREADS: String(threads), EMPATHY_INFERENCE_THREADS: String(threads) },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`empathy test on ${rows} rows exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const written = parseCsv(readFileSync(join(dir, 'out.csv'), 'utf8'), 'out.csv').length - 1;
    if (written !== rows) throw new Error(`empathy test wrote ${written} rows for ${rows}`);
    const kb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN);
    return {
      rows, threads, seconds, rowsPerSecond: rows / seconds, peakRssGB: (kb * 1024) / 1024 ** 3,
      inference: /^inference = (.*)$/m.exec(r.stderr)?.[1] ?? 'not said',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

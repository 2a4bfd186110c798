// `empathy process-data` streams its input: peak memory (the child's maxRSS, reported by a preloaded
// hook at exit) stays flat from 6,000 to 60,000 synthetic rows. It held every row, processed row and
// output line before (481 MB at 20,000 rows, 3.9 GB at 200,000; now 95 MB and 115 MB).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, REPO, tmpDir } from './spawn';

/** A raw EPITOME file of `rows` generated rows (seeded, never real data): ~550 bytes a row. */
function syntheticCsv(file: string, rows: number): void {
  const words = ['I', 'feel', 'so', 'alone', 'today', 'and', 'nobody', 'cares', 'about', 'what', 'happened', 'at', 'work', 'sorry', 'that', 'sounds', 'hard', 'have', 'you', 'talked', 'to', 'anyone', '?', '.', ','];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const fd = fs.openSync(file, 'w');
  let buf = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';
  for (let i = 0; i < rows; i++) {
    const response = text(20 + Math.floor(rnd() * 40));
    const level = Math.floor(rnd() * 3);
    const rationale = level === 0 ? '' : response.split(' ').slice(2, 6).join(' ');
    buf += `s${i % 5000},r${i},"${text(30 + Math.floor(rnd() * 60))}","${response}",${level},"${rationale}"\n`;
    if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** Run process-data on `input`; its peak resident memory in MB, read by a hook preloaded into the child. */
function peakMb(dir: string, input: string): number {
  const hook = path.join(dir, 'maxrss.js');
  const report = path.join(dir, `${path.basename(input)}.maxrss`);
  fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)));\n`);
  const r = spawnSync(process.execPath, ['--require', hook, BIN, 'process-data', '--input_path', input, '--output_path', path.join(dir, `out-${path.basename(input)}`)], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /processed \d+ rows/);
  return Number(fs.readFileSync(report, 'utf8')) / 1024; // maxRSS is in kilobytes
}

describe('cli: process-data memory does not grow with the rows', function () {
  this.timeout(600_000);
  const dir = tmpDir('empathy-process-memory-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('6,000 and 60,000 rows peak within 64 MB of each other, both under 256 MB', () => {
    const small = path.join(dir, 'small.csv');
    const large = path.join(dir, 'large.csv');
    syntheticCsv(small, 6_000);
    syntheticCsv(large, 60_000);
    const a = peakMb(dir, small);
    const b = peakMb(dir, large);
    assert.ok(b < 256, `60,000 rows peaked at ${b.toFixed(0)} MB (6,000 rows: ${a.toFixed(0)} MB)`);
    assert.ok(b - a < 64, `peak grew ${(b - a).toFixed(0)} MB from 6,000 to 60,000 rows (${a.toFixed(0)} → ${b.toFixed(0)} MB)`);
    // Every row came out (the header plus one line each: the generated posts hold no newlines).
    const lines = fs.readFileSync(path.join(dir, 'out-large.csv'), 'utf8').split('\n').length - 1;
    assert.equal(lines, 60_001);
  });
});

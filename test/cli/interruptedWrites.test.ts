// Issue 22, item 5: Ctrl-C stops `process-data` and `split` the way it stops `test` — exit 130, the
// previous output whole, the rows written so far in OUT.partial.csv with exactly the count printed —
// and temp files a killed writer left (.NAME.<pid>.<hex>.tmp) go with the next write there.
// No test waits on time: a real SIGINT is sent while the command is blocked reading a FIFO that the
// test holds open, and the mid-write cases abort at the command's own first progress line.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { main } from '../../kernel/cli/main';
import { cli, cliAsync, sha, tmpDir } from './spawn';

const HEADER = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';

/** A raw EPITOME file of `n` rows, seeker posts in groups of two (split keeps a group together). */
function rawRows(n: number): string {
  let text = HEADER;
  for (let i = 0; i < n; i++) text += `s${i >> 1},r${i},"I feel low today, number ${i}.","That sounds hard, I'm sorry. What happened?",${i % 3},sounds hard\n`;
  return text;
}

/** A writable stream that keeps its text and calls `on` with everything written so far. */
function sink(on: (text: string) => void = () => {}) {
  const s = { text: '' };
  const stream = { write: (x: string) => ((s.text += x), on(s.text), true) } as unknown as NodeJS.WritableStream;
  return Object.assign(s, { stream });
}

/** Run the CLI in this process, aborting (as the first Ctrl-C does) once stderr matches `when`. */
async function runAbortingAt(args: string[], when: RegExp) {
  const ctl = new AbortController();
  const out = sink();
  const err = sink((t) => when.test(t) && ctl.abort(new Error('interrupted')));
  const code = await main(args, { out: out.stream, err: err.stream, signal: ctl.signal, tty: false });
  return { code, stdout: out.text, stderr: err.text };
}

/**
 * Spawn the CLI reading `fifo`, feed it `text` but keep the FIFO open, send one SIGINT, wait for the
 * CLI to say it is stopping, then close the FIFO: the command cannot have finished before the signal.
 */
async function sigintWhileReading(args: string[], fifo: string, text: string) {
  const child = cliAsync(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const stopping = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/interrupted — stopping/.test(stderr)) resolve();
    }),
  );
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
  const early = closed.then(([c]) => new Error(`the CLI ended (exit ${c}) before it was interrupted:\n${stdout}\n${stderr}`));
  const fh = await Promise.race([fs.promises.open(fifo, 'w'), early]); // opens once the CLI opened it for reading
  if (fh instanceof Error) throw fh;
  await fh.write(text);
  child.kill('SIGINT');
  const ended = await Promise.race([stopping, early]);
  if (ended instanceof Error) throw ended;
  await fh.close();
  const [code, sig] = await closed;
  return { code, sig, stdout, stderr };
}

describe('cli: Ctrl-C in process-data and split (issue 22, item 5)', function () {
  this.timeout(120_000);
  const dir = tmpDir('empathy-interrupted-');
  const big = path.join(dir, 'emotional-reactions-big.csv');
  const temps = (d = dir) => fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));
  before(() => fs.writeFileSync(big, rawRows(3000)));

  it('process-data: the rows written go to OUT.partial.csv, exactly as many as it says; OUT stays whole', async () => {
    const out = path.join(dir, 'big.processed.csv');
    fs.writeFileSync(out, 'a previous complete output\n');
    const before = sha(out);
    // Ctrl-C once the first chunk's rows are written (process-data streams: it stops before or after a chunk).
    const r = await runAbortingAt(['process-data', '--input_path', big, '--output_path', out], /processing [1-9]\d*\/3000 rows/);
    assert.equal(r.code, 130, r.stderr);
    const m = /^interrupted: wrote the first (\d+) of 3000 rows to (.*) \((.*) left as it was\)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const partial = path.join(dir, 'big.processed.partial.csv');
    assert.equal(m[2], partial);
    assert.equal(m[3], out);
    assert.equal(sha(out), before);
    const rows = parseCsv(fs.readFileSync(partial, 'utf8'), partial);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) < 3000, m[1]);
    assert.equal(rows.length - 1, Number(m[1]), 'the count printed is the count of rows in the partial file');
    assert.deepEqual(rows.slice(1).map((row) => row[0]), Array.from({ length: Number(m[1]) }, (_, i) => `s${i >> 1}_r${i}`));
    assert.match(r.stderr, new RegExp(`processing: ${m[1]}/3000 rows in`), 'the progress totals say the same count');
    assert.doesNotMatch(r.stdout, /^processed /m);
    assert.deepEqual(temps(), []);
  });

  it('split: every part written so far goes to its partial file; no output is replaced', async () => {
    const outDir = path.join(dir, 'parts');
    const outs = ['train', 'dev', 'test'].map((p) => path.join(outDir, `emotional-reactions-big.${p}.csv`));
    fs.mkdirSync(outDir);
    outs.forEach((o) => fs.writeFileSync(o, `previous ${o}\n`));
    const before = outs.map(sha);
    const r = await runAbortingAt(['split', '--input_path', big, '--out_dir', outDir], /writing 0\/3000 rows/);
    assert.equal(r.code, 130, r.stderr);
    assert.deepEqual(outs.map(sha), before, 'no output replaced');
    const said = [...r.stdout.matchAll(/^interrupted: wrote the first (\d+) of (\d+) rows to (.*) \(.* left as it was\)$/gm)];
    assert.ok(said.length >= 1, r.stdout);
    for (const [, n, , partial] of said) {
      const rows = parseCsv(fs.readFileSync(partial, 'utf8'), partial);
      assert.equal(rows.length - 1, Number(n), partial);
    }
    assert.ok(said.reduce((s, x) => s + Number(x[1]), 0) < 3000);
    assert.deepEqual(temps(outDir), []);
  });

  it('a real SIGINT: process-data stops at once with 130 and writes nothing over OUT (one Ctrl-C is enough)', async () => {
    const fifo = path.join(dir, 'emotional-reactions-fifo.csv');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const out = path.join(dir, 'fifo.processed.csv');
    fs.writeFileSync(out, 'a previous complete output\n');
    const before = sha(out);
    const r = await sigintWhileReading(['process-data', '--input_path', fifo, '--output_path', out], fifo, rawRows(50));
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    assert.equal(sha(out), before);
    // process-data streams: the 50 rows may have been read (and written aside) before the signal was seen.
    const partial = path.join(dir, 'fifo.processed.partial.csv');
    const wrote = /^interrupted: wrote the first (\d+) rows to .*fifo\.processed\.partial\.csv \(.*fifo\.processed\.csv left as it was\)$/m.exec(r.stdout);
    if (wrote) {
      assert.equal(parseCsv(fs.readFileSync(partial, 'utf8'), partial).length - 1, Number(wrote[1]), 'the count printed is the rows in the partial file');
      fs.rmSync(partial);
    } else {
      assert.match(r.stdout, /interrupted before any row was written; .*fifo\.processed\.csv not written \(left as it was\)/);
      assert.equal(fs.existsSync(partial), false);
    }
    assert.deepEqual(temps(), []);
    fs.rmSync(fifo);
  });

  it('a real SIGINT: split stops with 130 and leaves every output as it was', async () => {
    const fifo = path.join(dir, 'emotional-reactions-fifo2.csv');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const outDir = path.join(dir, 'fifo-parts');
    fs.mkdirSync(outDir);
    const train = path.join(outDir, 'emotional-reactions-fifo2.train.csv');
    fs.writeFileSync(train, 'previous\n');
    const r = await sigintWhileReading(['split', '--input_path', fifo, '--out_dir', outDir], fifo, rawRows(50));
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(fs.readdirSync(outDir), [path.basename(train)]);
    assert.equal(fs.readFileSync(train, 'utf8'), 'previous\n');
    fs.rmSync(fifo);
  });

  it("the next write removes a killed writer's temp files, never a live writer's", async () => {
    const out = path.join(dir, 'small.processed.csv');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a process that has ended
    const alive = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const deadTemp = path.join(dir, `.small.processed.csv.${dead}.0a1b2c3d.tmp`);
      const liveTemp = path.join(dir, `.small.processed.csv.${alive.pid}.4e5f6a7b.tmp`);
      const otherFile = path.join(dir, `.other.csv.${dead}.0a1b2c3d.tmp`);
      for (const t of [deadTemp, liveTemp, otherFile]) fs.writeFileSync(t, 'half a file');
      const r = cli(['process-data', '--input_path', big, '--output_path', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fs.existsSync(deadTemp), false, "the dead writer's temp file is gone");
      assert.equal(fs.existsSync(liveTemp), true, "a live writer's temp file stays");
      assert.equal(fs.existsSync(otherFile), true, 'temp files of other outputs are not this write’s business');
      for (const t of [liveTemp, otherFile]) fs.rmSync(t);
    } finally {
      alive.kill();
    }
  });
});

// Issue 22, items 1–4, end to end through the CLI: a write is whole or absent on a full disk (a small
// tmpfs, as root), the shipped model is an input like any other, devices / FIFOs / stdout links are
// written in place and never replaced, and every output path is checked before any work is done.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, cliAsync, fatalLines, REPO, SAMPLES, sha, tmpDir } from './spawn';
import { skipBecause } from '../support/skip';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
const SHIPPED = path.join(REPO, 'dataset', 'models', 'offline-default.safetensors');
const SMALL_NB = path.join(REPO, 'test', 'kernel', 'fixtures', 'small.empathy');

/** Mount a tmpfs of `size` at `dir` (root only); the reason it cannot be done, or undefined when mounted. */
function mountTmpfs(dir: string, opts: string): string | undefined {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root (the injected short-write/ENOSPC unit tests in test/dataset/atomicFile.test.ts cover the writer)';
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `mount -t tmpfs failed: ${(r.stderr || String(r.error)).trim()}`;
}

function umount(dir: string): void {
  spawnSync('umount', [dir]);
}

const tempFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('cli: whole or absent, never misplaced (issue 22, items 1–4)', function () {
  this.timeout(180_000);
  const dir = tmpDir('empathy-write-targets-');
  const model = path.join(dir, 'er.pth');
  const runsDir = path.join(dir, 'runs');
  let runId = '';

  before(() => {
    const r = cli(['train', '--model', 'linear', '--train_path', ER, '--save_model_path', model, '--runs_dir', runsDir, '--run_label', 'disk']);
    assert.equal(r.code, 0, r.stderr);
    runId = /run (\S+) → /.exec(r.stderr)![1];
  });

  describe('1: a full disk', () => {
    const disk = path.join(dir, 'disk');
    let mounted = false;
    before(function () {
      const why = mountTmpfs(disk, 'size=1m');
      if (why) skipBecause(this, why);
      mounted = true;
    });
    after(() => mounted && umount(disk));

    const fullDisk = (args: string[], out: string) => {
      fs.writeFileSync(out, 'the previous good file\n');
      const r = cli(args, { cwd: dir });
      assert.equal(r.code, 1, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.equal(fatalLines(r).length, 1, r.stderr);
      assert.match(fatalLines(r)[0], new RegExp(`${path.basename(out)}: no space left on the device \\(ENOSPC\\); nothing written \\(a previous ${path.basename(out)} is unchanged\\)$`));
      assert.doesNotMatch(r.stderr + r.stdout, /^wrote /m);
      assert.equal(fs.readFileSync(out, 'utf8'), 'the previous good file\n');
      assert.deepEqual(tempFiles(disk), []);
    };

    it('report --out (a 5 MB page on a 1 MiB disk) fails in one line naming the file; the previous report stays whole', () => {
      fullDisk(['report', runId, '--runs_dir', runsDir, '--out', path.join(disk, 'report.html')], path.join(disk, 'report.html'));
    });

    it('run --html (a 5 MB page) the same', () => {
      fs.copyFileSync(SMALL_NB, path.join(dir, 'small.empathy'));
      fullDisk(['run', 'small.empathy', '--html', path.join(disk, 'small.html'), '--no-typecheck'], path.join(disk, 'small.html'));
    });
  });

  describe('2: the shipped model is an input', () => {
    const backup = path.join(dir, 'shipped.backup');
    let before0 = '';
    before(() => {
      fs.copyFileSync(SHIPPED, backup); // the old code overwrote it: put it back whatever happens
      before0 = sha(SHIPPED);
    });
    afterEach(() => {
      if (sha(SHIPPED) !== before0) fs.copyFileSync(backup, SHIPPED);
    });

    it('test --output_path over the shipped model (no --model_path) is refused before any work', () => {
      const r = cli(['test', '--input_path', ER, '--output_path', path.relative(dir, SHIPPED)], { cwd: dir });
      assert.equal(sha(SHIPPED), before0, 'the shipped model was overwritten');
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(fatalLines(r), [`empathy: ${path.relative(dir, SHIPPED)}: refusing to write over an input file (--output_path is the shipped model, read when no --model_path is given, ${SHIPPED}); choose another --output_path`]);
      assert.doesNotMatch(r.stderr, /models: |inference = /, 'no model was loaded');
      assert.equal(r.stdout, '');
    });

    it('with --model_path given, the shipped model is not read, and run --html over it is refused', () => {
      const other = path.join(dir, 'out-with-model.csv');
      assert.equal(cli(['test', '--input_path', ER, '--output_path', other, '--model_path', model]).code, 0);
      const r = cli(['run', SMALL_NB, '--html', SHIPPED, '--no-typecheck']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(fatalLines(r)[0], /--html is the shipped model/);
      assert.equal(sha(SHIPPED), before0);
    });
  });

  describe('3: devices, FIFOs and stdout links are written in place, never replaced', () => {
    it('--output_path /dev/null: /dev/null is still the character device', () => {
      const r = cli(['test', '--input_path', ER, '--output_path', '/dev/null', '--model_path', model]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote 24 rows → \/dev\/null/);
      const st = fs.statSync('/dev/null');
      assert.ok(st.isCharacterDevice(), '/dev/null is no longer a character device');
      assert.equal(fs.readFileSync('/dev/null', 'utf8'), '');
      assert.deepEqual(fs.readdirSync('/dev').filter((f) => f.startsWith('.null.') || f.startsWith('null.')), []);
    });

    it('a FIFO gets the CSV through the pipe and stays a FIFO', async () => {
      const fifo = path.join(dir, 'rows.fifo');
      const mk = spawnSync('mkfifo', [fifo]);
      assert.equal(mk.status, 0, `mkfifo: ${mk.stderr}`);
      const child = cliAsync(['process-data', '--input_path', ER, '--output_path', fifo]);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const read = new Promise<string>((resolve, reject) => {
        let text = '';
        fs.createReadStream(fifo, 'utf8').on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject);
      });
      const [code] = await Promise.all([new Promise<number | null>((r) => child.on('close', r)), read]);
      assert.equal(code, 0, stderr);
      const text = await read;
      assert.match(text, /^"id",seeker_post,response_post/);
      assert.equal(text.trim().split('\n').length, 25, 'header + 24 rows');
      assert.ok(fs.lstatSync(fifo).isFIFO(), 'the FIFO was replaced');
      assert.deepEqual(tempFiles(dir), []);
    });

    it('/proc/self/fd/1 and /dev/stdout: the rows (and train --log_jsonl) go to the process\'s stdout', function () {
      if (!fs.existsSync('/proc/self/fd')) skipBecause(this, 'no /proc/self/fd on this system');
      for (const link of ['/proc/self/fd/1', '/dev/stdout']) {
        const r = cli(['process-data', '--input_path', ER, '--output_path', link]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^"id",seeker_post,response_post/);
        assert.match(r.stdout, new RegExp(`processed 24 rows → ${link}`));
      }
      const t = cli(['train', '--model', 'linear', '--train_path', ER, '--no_run', '--log_jsonl', '/dev/stdout']);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^\{"time":"[^"]+","type":"start"/m, 'the training log went to stdout');
      assert.ok(fs.lstatSync('/dev/stdout').isSymbolicLink());
    });
  });

  describe('4: output paths are checked before any work', () => {
    const beforeTraining = (args: string[], flag: string, why: RegExp) => {
      const r = cli(args, { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(fatalLines(r).length, 1, r.stderr);
      assert.match(fatalLines(r)[0], new RegExp(`--${flag} `));
      assert.match(fatalLines(r)[0], why);
      assert.doesNotMatch(r.stdout, /=====Args|total_steps/, 'training started');
      assert.doesNotMatch(r.stderr, /run \S+ → /, 'a run was recorded');
    };
    const train = ['train', '--model', 'linear', '--train_path', ER, '--runs_dir', runsDir, '--save_model'];

    it('train --save_model_path: a folder, a trailing /, a file on the way, a broken link', () => {
      fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
      beforeTraining([...train, '--save_model_path', 'models'], 'save_model_path', /is a folder, not a file/);
      beforeTraining([...train, '--save_model_path', 'newdir/'], 'save_model_path', /ends in '\/', so it names a folder/);
      assert.equal(fs.existsSync(path.join(dir, 'newdir')), false);
      fs.writeFileSync(path.join(dir, 'plain.txt'), 'x');
      beforeTraining([...train, '--save_model_path', 'plain.txt/m.pth'], 'save_model_path', /plain\.txt is a file, not a folder/);
      fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
      beforeTraining([...train, '--save_model_path', 'dangling/m.pth'], 'save_model_path', /dangling is a broken link/);
      beforeTraining([...train, '--save_model_path', 'ok.pth', '--log_jsonl', 'models'], 'log_jsonl', /is a folder, not a file/);
    });

    it('train --save_model_path on a read-only file system', function () {
      const ro = path.join(dir, 'ro');
      const why = mountTmpfs(ro, 'size=64k,ro');
      if (why) skipBecause(this, why);
      try {
        beforeTraining([...train, '--save_model_path', path.join(ro, 'm.pth')], 'save_model_path', /not writable \(a read-only file system\)/);
      } finally {
        umount(ro);
      }
    });

    it('split and download-data --out_dir on a file: refused before anything is read or fetched', () => {
      fs.writeFileSync(path.join(dir, 'afile'), 'x');
      for (const args of [['split', '--input_path', ER, '--out_dir', 'afile'], ['download-data', '--out_dir', 'afile', '--base_url', 'http://127.0.0.1:9', '--timeout', '1']]) {
        const r = cli(args, { cwd: dir });
        assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
        assert.match(fatalLines(r)[0], /--out_dir cannot be created: .*afile is a file, not a folder$/, args[0]);
        assert.doesNotMatch(r.stderr, /downloading/);
        assert.equal(fs.readFileSync(path.join(dir, 'afile'), 'utf8'), 'x');
      }
    });

    it('--output_path newdir/ names a folder in every command, never a file called newdir', () => {
      const cases: string[][] = [
        ['test', '--input_path', ER, '--model_path', model, '--output_path', 'newdir/'],
        ['process-data', '--input_path', ER, '--output_path', 'newdir/'],
        ['evaluate', '--gold', ER, '--model_path', model, '--output_path', 'newdir/'],
        ['cv', '--data', ER, '--model', 'linear', '--json', 'newdir/'],
        ['report', runId, '--runs_dir', runsDir, '--out', 'newdir/'],
        ['run', SMALL_NB, '--html', 'newdir/', '--no-typecheck'],
      ];
      for (const args of cases) {
        const r = cli(args, { cwd: dir });
        assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
        assert.match(fatalLines(r)[0], /newdir\/: --\S+ ends in '\/', so it names a folder, not a file/, args[0]);
        assert.equal(fs.existsSync(path.join(dir, 'newdir')), false, `${args[0]} created newdir`);
      }
    });
  });
});

// Issue 22, items 1 and 3, at the writer: short writes are looped until every byte is out, a full disk
// (injected, and a real 64 KiB tmpfs as root) is one line naming the file with the previous file whole,
// and devices / FIFOs / descriptor links are written in place, never replaced by a regular file.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFile, liveTempFiles, writeFileAtomic, writeFileAtomicAsync, writeTarget } from '../../dataset/atomicFile';
import { writeCsvAtomic } from '../../dataset/csv';
import { skipBecause } from '../support/skip';

type WriteSync = (fd: number, data: string | Uint8Array, ...rest: unknown[]) => number;
const nodeFs = require('node:fs') as { writeSync: WriteSync }; // the module object itself (patchable)

/** Run `fn` with fs.writeSync replaced by `fake` (which gets the real one), restoring it after. */
function withWriteSync<T>(fake: (real: WriteSync, fd: number, data: string | Uint8Array, rest: unknown[]) => number, fn: () => T): T {
  const real = nodeFs.writeSync;
  nodeFs.writeSync = (fd, data, ...rest) => fake(real, fd, data, rest);
  try {
    return fn();
  } finally {
    nodeFs.writeSync = real;
  }
}

/** A write that takes at most 3 bytes (what a nearly full disk or a signal can do): returns the count. */
const shortWrite = (real: WriteSync, fd: number, data: string | Uint8Array, rest: unknown[]) => {
  if (typeof data === 'string') return real(fd, Buffer.from(data).subarray(0, 3));
  const [off = 0, len = data.byteLength - (off as number)] = rest as [number?, number?];
  return real(fd, data, off, Math.min(3, len));
};

const enospcAfter = (limit: number, code = 'ENOSPC') => {
  let written = 0;
  return (real: WriteSync, fd: number, data: string | Uint8Array, rest: unknown[]) => {
    if (written >= limit) throw Object.assign(new Error(`${code}: no space left on device, write`), { code, errno: -28, syscall: 'write' });
    const n = shortWrite(real, fd, data, rest);
    written += n;
    return n;
  };
};

describe('dataset/atomicFile: short writes, a full disk, devices and FIFOs (issue 22)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-targets-'));
  const noTemps = () => {
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
    assert.deepEqual(liveTempFiles(), []);
  };

  it('a short write is looped until every byte is out (text with multi-byte characters, bytes, CSV rows)', () => {
    const text = 'héllo — 😀 wörld\n'.repeat(50);
    const f = path.join(dir, 'short.txt');
    withWriteSync(shortWrite, () => writeFileAtomic(f, text));
    assert.equal(fs.readFileSync(f, 'utf8'), text);
    const bytes = new Uint8Array(1000).map((_, i) => i % 251);
    withWriteSync(shortWrite, () => writeFileAtomic(f, bytes));
    assert.deepEqual(new Uint8Array(fs.readFileSync(f)), bytes);
    const csv = path.join(dir, 'short.csv');
    withWriteSync(shortWrite, () => writeCsvAtomic(csv, ['id', 'text'], [['1', 'ünïcode, with a comma'], ['2', 'plain']]));
    assert.equal(fs.readFileSync(csv, 'utf8'), '"id",text\n1,"ünïcode, with a comma"\n2,plain\n');
    noTemps();
  });

  it('ENOSPC / EDQUOT midway: one line naming the file, the previous file whole, no temp file', () => {
    const f = path.join(dir, 'full.json');
    fs.writeFileSync(f, '{"previous": true}\n');
    for (const code of ['ENOSPC', 'EDQUOT']) {
      assert.throws(
        () => withWriteSync(enospcAfter(10, code), () => writeFileAtomic(f, JSON.stringify({ big: 'x'.repeat(5000) }))),
        (e: Error) => {
          const what = code === 'ENOSPC' ? 'no space left on the device \\(ENOSPC\\)' : 'disk quota exceeded \\(EDQUOT\\)';
          assert.match(e.message, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${what}; nothing written \\(a previous full\\.json is unchanged\\)$`));
          return true;
        },
      );
      assert.equal(fs.readFileSync(f, 'utf8'), '{"previous": true}\n');
      noTemps();
    }
  });

  it('a write that makes no progress is ENOSPC, not an endless loop', () => {
    const f = path.join(dir, 'stuck.txt');
    assert.throws(() => withWriteSync(() => 0, () => writeFileAtomic(f, 'abc')), /stuck\.txt: no space left on the device \(ENOSPC\)/);
    assert.equal(fs.existsSync(f), false);
    noTemps();
  });

  describe('a real full disk: a 64 KiB tmpfs', () => {
    const disk = path.join(dir, 'disk');
    let mounted = false;
    before(function () {
      if (process.platform !== 'linux') skipBecause(this, `tmpfs needs Linux (this is ${process.platform}); the injected ENOSPC tests above cover the writer`);
      if (process.getuid?.() !== 0) skipBecause(this, 'mounting a tmpfs needs root; the injected ENOSPC tests above cover the writer');
      fs.mkdirSync(disk);
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { encoding: 'utf8' });
      if (r.status !== 0) skipBecause(this, `mount -t tmpfs failed: ${(r.stderr || String(r.error)).trim()}`);
      mounted = true;
    });
    after(() => mounted && spawnSync('umount', [disk]));

    it('writeFileAtomic and writeFileAtomicAsync of 200 KB fail naming the file; the previous file stays whole', async () => {
      const f = path.join(disk, 'page.html');
      fs.writeFileSync(f, '<p>previous</p>\n');
      const big = '<p>' + 'x'.repeat(200_000) + '</p>\n';
      assert.throws(() => writeFileAtomic(f, big), /page\.html: no space left on the device \(ENOSPC\); nothing written/);
      assert.equal(fs.readFileSync(f, 'utf8'), '<p>previous</p>\n');
      await assert.rejects(writeFileAtomicAsync(f, new TextEncoder().encode(big)), /page\.html: no space left on the device \(ENOSPC\)/);
      assert.equal(fs.readFileSync(f, 'utf8'), '<p>previous</p>\n');
      assert.deepEqual(fs.readdirSync(disk), ['page.html']);
      assert.deepEqual(liveTempFiles(), []);
    });
  });

  it('/dev/null is written in place and stays a character device (sync, async, streamed)', async function () {
    if (!fs.existsSync('/dev/null')) skipBecause(this, 'no /dev/null on this system');
    assert.deepEqual(writeTarget('/dev/null'), { kind: 'stream', append: false });
    writeFileAtomic('/dev/null', 'discarded\n');
    await writeFileAtomicAsync('/dev/null', new Uint8Array(10));
    const w = new AtomicFile('/dev/null');
    assert.equal(w.inPlace, true);
    assert.equal(w.tmp, '', 'no temp file beside /dev/null');
    w.write('a\n');
    assert.equal(w.commit(path.join(dir, 'never.partial.csv')), '/dev/null', 'a stream has no partial file');
    assert.equal(fs.existsSync(path.join(dir, 'never.partial.csv')), false);
    new AtomicFile('/dev/null').abort(); // never unlinks it
    assert.ok(fs.statSync('/dev/null').isCharacterDevice());
    assert.deepEqual(liveTempFiles(), []);
  });

  it('a FIFO gets the bytes through the pipe and is never replaced or unlinked', async function () {
    const fifo = path.join(dir, 'out.fifo');
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) skipBecause(this, `mkfifo is not available: ${String(mk.error ?? mk.stderr)}`);
    // A reader in another process: the writer's open waits for it (as `cmd > fifo` does).
    const cat = spawn('cat', [fifo]);
    let got = '';
    cat.stdout.on('data', (d) => (got += d));
    writeFileAtomic(fifo, 'row 1\nrow 2\n');
    await new Promise((r) => cat.on('close', r));
    assert.equal(got, 'row 1\nrow 2\n');
    assert.ok(fs.lstatSync(fifo).isFIFO());
    const cat2 = spawn('cat', [fifo]);
    let got2 = '';
    cat2.stdout.on('data', (d) => (got2 += d));
    await writeFileAtomicAsync(fifo, 'async\n');
    await new Promise((r) => cat2.on('close', r));
    assert.equal(got2, 'async\n');
    assert.ok(fs.lstatSync(fifo).isFIFO());
    noTemps();
  });

  it('classifies targets: a new path is a file, a folder or a block device is refused, /proc/self/fd/N is this process\'s descriptor', () => {
    assert.deepEqual(writeTarget(path.join(dir, 'new.csv')), { kind: 'file' });
    assert.equal(writeTarget(dir).kind, 'refused');
    assert.throws(() => writeFileAtomic(dir, 'x'), /is a folder, not a file/);
    if (fs.existsSync('/proc/self/fd')) {
      assert.deepEqual(writeTarget('/proc/self/fd/2'), { kind: 'stream', append: true, fd: 2 });
      assert.deepEqual(writeTarget('/dev/stdout'), { kind: 'stream', append: true, fd: 1 });
    }
    const block = ['/dev/loop0', '/dev/sda', '/dev/vda', '/dev/nvme0n1'].find((b) => fs.existsSync(b) && fs.statSync(b).isBlockDevice());
    if (block) assert.match((writeTarget(block) as { reason: string }).reason, /block device/);
  });
});

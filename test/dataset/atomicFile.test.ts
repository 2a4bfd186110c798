// The one atomic writer: the destination is the old file or the new one, whole; temp files never stay
// (thrown errors, commit to another path, the signal handlers exist only while a temp file is live).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFile, liveTempFiles, writeFileAtomic, writeFileAtomicAsync } from '../../dataset/atomicFile';
import { writeCsvAtomic } from '../../dataset/csv';

describe('dataset/atomicFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));

  it('replaces a file whole and leaves no temp file', () => {
    const f = path.join(dir, 'sub', 'a.txt');
    writeFileAtomic(f, 'old');
    writeFileAtomic(f, new TextEncoder().encode('new'));
    assert.equal(fs.readFileSync(f, 'utf8'), 'new');
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ['a.txt']);
    assert.deepEqual(liveTempFiles(), []);
  });

  it('a thrown error midway keeps the old file whole and removes the temp file', () => {
    const f = path.join(dir, 'b.csv');
    writeCsvAtomic(f, ['id'], [['1'], ['2']]);
    const before = fs.readFileSync(f, 'utf8');
    function* rows() {
      yield ['3'];
      throw new Error('boom');
    }
    assert.throws(() => writeCsvAtomic(f, ['id'], rows()), /boom/);
    assert.equal(fs.readFileSync(f, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
    assert.deepEqual(liveTempFiles(), []);
  });

  it('a failing async write (the folder is a file) leaves nothing behind', async () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'x');
    await assert.rejects(writeFileAtomicAsync(path.join(blocker, 'c.bin'), new Uint8Array(4)));
    assert.deepEqual(liveTempFiles(), []);
  });

  it('fsyncs the file and its folder before and after the rename', () => {
    const nodeFs = require('node:fs') as { fsyncSync: (fd: number) => void }; // the module object itself (patchable)
    const real = nodeFs.fsyncSync;
    const synced: number[] = [];
    nodeFs.fsyncSync = (fd: number) => {
      synced.push(fd);
      real(fd);
    };
    try {
      writeFileAtomic(path.join(dir, 'd.txt'), 'x');
    } finally {
      nodeFs.fsyncSync = real;
    }
    assert.equal(synced.length, 2, 'file and folder');
  });

  it('streams, commits to another path (OUT.partial.csv) and installs signal handlers only while a temp file lives', () => {
    const f = path.join(dir, 'e.csv');
    fs.writeFileSync(f, 'complete\n');
    const term = process.listenerCount('SIGTERM');
    const w = new AtomicFile(f);
    assert.equal(process.listenerCount('SIGTERM'), term + 1);
    assert.deepEqual(liveTempFiles(), [w.tmp]);
    w.write('partial\n');
    w.commit(path.join(dir, 'e.partial.csv'));
    assert.equal(process.listenerCount('SIGTERM'), term);
    assert.equal(fs.readFileSync(f, 'utf8'), 'complete\n');
    assert.equal(fs.readFileSync(path.join(dir, 'e.partial.csv'), 'utf8'), 'partial\n');
    const a = new AtomicFile(f);
    a.abort();
    a.abort(); // idempotent
    assert.equal(fs.existsSync(a.tmp), false);
    assert.deepEqual(liveTempFiles(), []);
  });

  it('a process killed by SIGTERM while writing removes its temp file and still dies of SIGTERM', async () => {
    const f = path.join(dir, 'killed.csv');
    const mod = path.resolve(__dirname, '../../dataset/atomicFile.js');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', `const {AtomicFile}=require(${JSON.stringify(mod)}); const w=new AtomicFile(${JSON.stringify(f)}); w.write('x'); console.log(w.tmp); setInterval(()=>{}, 1000);`]);
    let out = '';
    const tmp = await new Promise<string>((resolve) => child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.trim()); }));
    assert.ok(fs.existsSync(tmp));
    child.kill('SIGTERM');
    const [code, sig] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    assert.equal(sig, 'SIGTERM', `exit code ${code}`);
    assert.equal(fs.existsSync(tmp), false);
    assert.equal(fs.existsSync(f), false);
  });
});

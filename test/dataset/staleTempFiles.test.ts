// Issue 22, item 5: the temp files of a writer that was killed are recognised by the name the atomic
// writer gives them, and removed only when their writer's pid is gone.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFile } from '../../dataset/atomicFile';
import { processAlive } from '../../dataset/processAlive';
import { removeStaleTempFiles, tempFileWriterPid } from '../../dataset/staleTempFiles';

describe('dataset/staleTempFiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-temp-'));

  it("reads the writer's pid from the name AtomicFile gives its temp file, and nothing else", () => {
    const f = new AtomicFile(path.join(dir, 'out.csv'));
    try {
      assert.equal(tempFileWriterPid(path.basename(f.tmp), 'out.csv'), process.pid);
      assert.equal(tempFileWriterPid(path.basename(f.tmp), 'out'), undefined, 'another file’s temp file');
      assert.equal(tempFileWriterPid('.out.csv.12.nothex!.tmp', 'out.csv'), undefined);
      assert.equal(tempFileWriterPid('out.csv', 'out.csv'), undefined);
    } finally {
      f.abort();
    }
  });

  it('removes the temp files of ended processes, keeps its own and live ones, and ignores folders', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    assert.equal(processAlive(dead), false);
    assert.equal(processAlive(process.pid), true);
    const dest = path.join(dir, 'model.pth');
    const deadTemp = path.join(dir, `.model.pth.${dead}.00ff00ff.tmp`);
    const deadFolder = path.join(dir, `.model.pth.${dead}.11ff11ff.tmp`);
    fs.writeFileSync(deadTemp, 'half');
    fs.mkdirSync(deadFolder);
    const mine = new AtomicFile(dest); // its constructor already cleaned: make another dead one after it
    fs.writeFileSync(deadTemp, 'half');
    try {
      assert.deepEqual(removeStaleTempFiles(dest), [deadTemp]);
      assert.equal(fs.existsSync(mine.tmp), true, 'a live writer’s (this process’s) temp file stays');
      assert.equal(fs.existsSync(deadFolder), true, 'only regular files are removed');
    } finally {
      mine.abort();
    }
  });
});

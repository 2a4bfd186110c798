// One atomic writer: product code (kernel, dataset, extension, bench) renames a temp file into place only
// through dataset/atomicFile.ts, so every whole-or-absent write gets its fsyncs, unique temp names and
// cleanup on signals. A hand-written temp-and-rename elsewhere fails here, naming the file and line.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, repoFiles } from '../support/repoFiles';

const repo = REPO_ROOT;

const tsFiles = (dir: string): string[] => repoFiles(dir, /\.ts$/);

/**
 * Renames that are not a whole write of data the process holds, each with its reason: download-weights
 * keeps a resumable `.incomplete` across runs in the Hugging Face cache's own layout and swaps symlinks.
 */
const NOT_WRITERS: Record<string, string> = {
  'kernel/engine/hfDownload.ts': 'a resumable download published from its .incomplete (the HF cache layout), and a symlink swap',
};

describe('dataset/atomicFile.ts is the one temp-and-rename writer', () => {
  it('no other product file renames a file into place', () => {
    const files = ['kernel', 'dataset', 'extension', 'bench'].flatMap(tsFiles).filter((f) => f !== 'dataset/atomicFile.ts' && !NOT_WRITERS[f]);
    assert.ok(files.length > 150, `read ${files.length} files`);
    const found: string[] = [];
    for (const f of files) {
      fs.readFileSync(path.join(repo, f), 'utf8').split('\n').forEach((line, i) => {
        if (/\brename(Sync)?\s*\(/.test(line) && !/^\s*(\/\/|\*)/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
  });
});

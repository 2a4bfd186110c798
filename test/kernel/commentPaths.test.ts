// Comments that name a file of this repository name one that exists: a moved file leaves no stale
// pointer behind (kernel/runs/location.ts, kernel/notebook/format/ and the layer rule's test once pointed
// at files that had moved). Paths rooted at a top-level folder are checked; globs and `out/` are not.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, repoFiles } from '../support/repoFiles';

const repo = REPO_ROOT;
const ROOTS = ['kernel', 'dataset', 'extension', 'webviews', 'bench', 'test', 'examples', 'bin'];
const SOURCE = /\.(ts|mjs|cjs|js)$/;
/** A repo path in a comment: a top-level folder, then path segments, ending in a file extension; not part of a longer path. */
const PATH_IN_TEXT = new RegExp(`(?<![\\w./-])(?:${ROOTS.join('|')})/[\\w.@-]+(?:/[\\w.@-]+)*\\.(?:ts|js|mjs|cjs|json|md|csv|safetensors|empathy|html)(?![\\w/-])`, 'g');

const sourceFiles = (dir: string): string[] => repoFiles(dir, SOURCE);

/** The text of a file's comments (line and block), string literals and code left out. */
export function commentText(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/[^\n]*/g)) out.push(m[0]);
  return out;
}

/** A path exists as named, or (a `.js` path: the built file under out/) as its TypeScript source. */
function exists(p: string): boolean {
  return fs.existsSync(path.join(repo, p)) || (p.endsWith('.js') && fs.existsSync(path.join(repo, p.replace(/\.js$/, '.ts'))));
}

describe('comments name files that exist', () => {
  it('finds the paths in comments (the checker itself)', () => {
    const found = commentText("const a = 'x'; // see kernel/runs/location.ts and out/test/a.test.js\n/* dataset/schema.ts */ const u = 'http://x/y.ts';")
      .flatMap((c) => c.match(PATH_IN_TEXT) ?? []);
    assert.deepEqual(found, ['kernel/runs/location.ts', 'dataset/schema.ts']);
  });

  it('every repo path in a comment of the sources, tests, benches and the layer rule exists', () => {
    const files = [...ROOTS.filter((r) => fs.existsSync(path.join(repo, r))).flatMap(sourceFiles), '.dependency-cruiser.cjs', 'build.mjs'];
    assert.ok(files.length > 300, `read ${files.length} files`);
    const stale: string[] = [];
    for (const f of files) {
      for (const c of commentText(fs.readFileSync(path.join(repo, f), 'utf8'))) {
        for (const p of c.match(PATH_IN_TEXT) ?? []) if (!exists(p)) stale.push(`${f}: ${p}`);
      }
    }
    assert.deepEqual(stale, [], 'comments naming files that do not exist');
  });
});

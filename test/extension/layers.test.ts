// The layering rule, enforced: only extension/ imports 'vscode'; kernel/, dataset/ and webviews/ never do.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORTS_VSCODE = /(?:from\s+|require\(\s*|import\(\s*)['"]vscode['"]/;

describe('layers', () => {
  for (const dir of ['kernel', 'dataset', 'webviews']) {
    it(`${dir}/ never imports 'vscode'`, () => {
      const files = tsFiles(join(repo, dir));
      assert.ok(files.length > 0, `${dir}/ has sources`);
      const offenders = files.filter((f) => IMPORTS_VSCODE.test(readFileSync(f, 'utf8'))).map((f) => f.slice(repo.length + 1));
      assert.deepEqual(offenders, []);
    });
  }

  it("extension/ is where 'vscode' is imported", () => {
    assert.ok(tsFiles(join(repo, 'extension')).some((f) => IMPORTS_VSCODE.test(readFileSync(f, 'utf8'))));
  });
});

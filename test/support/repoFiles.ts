// The repository's own files under a folder (node_modules and dot-folders left out), as repo-relative
// paths: what the source-scanning tests (one writer, comment paths) read.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Files under `dir` (repo-relative) whose name matches `name`, depth first. */
export function repoFiles(dir: string, name: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(REPO_ROOT, dir))) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const rel = `${dir}/${entry}`;
    if (fs.statSync(path.join(REPO_ROOT, rel)).isDirectory()) out.push(...repoFiles(rel, name));
    else if (name.test(entry)) out.push(rel);
  }
  return out;
}

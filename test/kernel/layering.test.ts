// Layers are enforced, not just documented: nothing in kernel/ or dataset/ imports `vscode` (or the
// browser-only webviews), so the engine, CLI and kernel process run in plain Node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

describe('kernel/layering', () => {
  it('kernel/ and dataset/ import no vscode and nothing from webviews/ or extension/', () => {
    const files = ['kernel', 'dataset'].flatMap((d) => sources(path.join(repo, d)));
    assert.ok(files.length > 20, `scanned ${files.length} files`);
    const offenders: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1];
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : '';
        if (spec === 'vscode' || spec.startsWith('vscode/') || resolved.startsWith(path.join(repo, 'webviews')) || resolved.startsWith(path.join(repo, 'extension'))) {
          offenders.push(`${path.relative(repo, f)}: ${spec}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the scan would catch one (the pattern matches every import form)', () => {
    const forms = ["import * as vscode from 'vscode'", "import { window } from 'vscode';", "const v = require('vscode')", "await import('vscode')", "import type { Uri } from 'vscode'"];
    for (const f of forms) assert.deepEqual([...f.matchAll(IMPORT)].map((m) => m[1]), ['vscode'], f);
  });
});

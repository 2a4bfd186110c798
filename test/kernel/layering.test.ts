// Layers are enforced by a maintained tool, not a grep: dependency-cruiser runs the rules in
// .dependency-cruiser.cjs (dataset at the bottom; a headless kernel; webviews on kernel/protocol only;
// the extension reaches the kernel only through kernel/process and kernel/protocol; no cycles between files
// or between kernel/ folders; a folder's index.ts is its surface) over the repository, and over small
// planted trees to show that each rule really fires.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const config = path.join(repo, '.dependency-cruiser.cjs');
const depcruise = path.join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation { from: string; to: string; rule: { name: string; severity: string } }

function cruise(cwd: string, dirs: string[], outputType: 'err' | 'json'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [depcruise, '--config', config, '--output-type', outputType, ...dirs], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kernel/layering (dependency-cruiser)', () => {
  it('the repository keeps its layers and has no import cycles', () => {
    const dirs = ['kernel', 'dataset', 'extension', 'webviews', 'bench', 'test'].filter((d) => fs.existsSync(path.join(repo, d)));
    const r = cruise(repo, dirs, 'err');
    assert.equal(r.status, 0, `dependency-cruiser found layer violations:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /no dependency violations found \((\d+) modules/);
    const modules = Number(/\((\d+) modules/.exec(r.stdout)![1]);
    assert.ok(modules > 150, `cruised ${modules} modules`);
  });

  describe('on a planted tree, every rule fires', () => {
    let root = '';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-layers-'));
      const files: Record<string, string> = {
        // dataset reaching up into the engine
        'dataset/leaf.ts': "import { x } from '../kernel/engine/thing';\nexport const leaf = x;\n",
        // a kernel file importing vscode and the extension (and so closing a cycle with the planted extension host below)
        'kernel/engine/thing.ts': "import * as vscode from 'vscode';\nimport { y } from '../../extension/host';\nexport const x = [vscode, y];\n",
        // the extension deep-importing the engine
        'extension/host.ts': "import { x } from '../kernel/engine/thing';\nexport const y = x;\n",
        // allowed: the extension on kernel/process and kernel/protocol
        'extension/fine.ts': "import { p } from '../kernel/protocol/ok';\nimport { c } from '../kernel/process/client';\nexport const fine = [p, c];\n",
        // a webview deep-importing the engine (bad) and the protocol (fine)
        'webviews/view.ts': "import { x } from '../kernel/engine/thing';\nimport { p } from '../kernel/protocol/ok';\nexport const v = [x, p];\n",
        'kernel/protocol/ok.ts': 'export const p = 1;\n',
        'kernel/process/client.ts': "import { p } from '../protocol/ok';\nexport const c = p;\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    });
    after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

    it('reports exactly the planted violations, and fails', () => {
      const r = cruise(root, ['dataset', 'kernel', 'extension', 'webviews'], 'json');
      const { summary } = JSON.parse(r.stdout) as { summary: { violations: Violation[]; error: number } };
      const violations = summary.violations;
      // (the json reporter exits 0; the `err` reporter the repository test uses exits with the error count)
      assert.equal(summary.error, 6, 'every planted violation is an error');
      const got = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      assert.deepEqual(got, [
        'dataset-is-the-bottom: dataset/leaf.ts → kernel/engine/thing.ts',
        'extension-reaches-kernel-through-process-and-protocol: extension/host.ts → kernel/engine/thing.ts',
        'kernel-is-headless: kernel/engine/thing.ts → extension/host.ts',
        'kernel-is-headless: kernel/engine/thing.ts → vscode',
        'no-cycles: extension/host.ts → kernel/engine/thing.ts', // the cycle, reported once
        'webviews-see-only-the-protocol: webviews/view.ts → kernel/engine/thing.ts',
      ]);
    });
  });
  describe('on a planted folder cycle with no file cycle', () => {
    let root = '';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-folder-cycle-'));
      const files: Record<string, string> = {
        // alpha → beta through one pair of files, beta → alpha through another: no file is in a cycle.
        'kernel/alpha/a1.ts': "import { b1 } from '../beta/b1';\nexport const a1 = b1;\n",
        'kernel/alpha/a2.ts': 'export const a2 = 2;\n',
        'kernel/beta/b1.ts': 'export const b1 = 1;\n',
        'kernel/beta/b2.ts': "import { a2 } from '../alpha/a2';\nexport const b2 = a2;\n",
        // a file reaching past a folder's index.ts
        'kernel/api/display/index.ts': "export { inner } from './inner';\n",
        'kernel/api/display/inner.ts': 'export const inner = 1;\n',
        'kernel/session/uses.ts': "import { inner } from '../api/display/inner';\nimport { inner as ok } from '../api/display/index';\nexport const u = [inner, ok];\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    });
    after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

    it('no-folder-cycles and index-is-the-public-surface fire; no-cycles does not', () => {
      const r = cruise(root, ['kernel'], 'err');
      assert.notEqual(r.status, 0, 'the err reporter fails the run');
      const json = cruise(root, ['kernel'], 'json');
      const { summary } = JSON.parse(json.stdout) as { summary: { violations: Violation[] } };
      const got = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      assert.deepEqual(got, [
        'index-is-the-public-surface: kernel/session/uses.ts → kernel/api/display/inner.ts',
        'no-folder-cycles: kernel/alpha → kernel/beta',
        'no-folder-cycles: kernel/beta → kernel/alpha',
      ]);
      process.stdout.write(`      (dependency-cruiser on the planted tree)\n${r.stdout.split('\n').filter((l) => l.trim()).map((l) => `      ${l}`).join('\n')}\n`);
    });
  });

  describe('on a planted tree with index.ts files, code outside a folder goes through its index', () => {
    let root = '';
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-index-surface-'));
      const files: Record<string, string> = {
        // kernel/shelf/ has an index; kernel/shelf/drawer/ (inside it) has its own
        'kernel/shelf/index.ts': "export { book } from './book';\nexport { item } from './drawer/index';\n",
        'kernel/shelf/book.ts': "import { page } from './page';\nimport { item } from './drawer/item';\nexport const book = [page, item];\n",
        'kernel/shelf/page.ts': 'export const page = 1;\n',
        'kernel/shelf/drawer/index.ts': "export { item } from './item';\n",
        'kernel/shelf/drawer/item.ts': 'export const item = 2;\n',
        // outside kernel/shelf/: through the index (fine, both spellings), past it (not), and into the nested index (not)
        'kernel/reader/fine.ts': "import { book } from '../shelf/index';\nimport { item } from '../shelf';\nexport const fine = [book, item];\n",
        'kernel/reader/deep.ts': "import { page } from '../shelf/page';\nexport const deep = page;\n",
        'kernel/reader/nested.ts': "import { item } from '../shelf/drawer/index';\nexport const nested = item;\n",
        // tests and benches may open a folder's files
        'test/shelf.test.ts': "import { page } from '../kernel/shelf/page';\nexport const t = page;\n",
        'bench/shelf.ts': "import { item } from '../kernel/shelf/drawer/item';\nexport const b = item;\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    });
    after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

    it('reports the deep imports (a nested index counts on its own), and only those', () => {
      const r = cruise(root, ['kernel', 'test', 'bench'], 'err');
      assert.notEqual(r.status, 0, 'the err reporter fails the run');
      const json = cruise(root, ['kernel', 'test', 'bench'], 'json');
      const { summary } = JSON.parse(json.stdout) as { summary: { violations: Violation[] } };
      const got = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      assert.deepEqual(got, [
        // inside kernel/shelf/, kernel/shelf/drawer/ is still reached through its own index
        'index-is-the-public-surface: kernel/shelf/book.ts → kernel/shelf/drawer/item.ts',
        'index-is-the-public-surface: kernel/reader/deep.ts → kernel/shelf/page.ts',
        // outside kernel/shelf/, even the nested index is past the folder's own index
        'index-is-the-public-surface: kernel/reader/nested.ts → kernel/shelf/drawer/index.ts',
      ].sort());
      process.stdout.write(`      (dependency-cruiser on the planted tree)\n${r.stdout.split('\n').filter((l) => l.trim()).map((l) => `      ${l}`).join('\n')}\n`);
    });
  });
});

// The folder indexes stay cheap to import: kernel/engine/index.ts and kernel/models/index.ts re-export the
// modules that load tfjs (or protobufjs) lazily (kernel/engine/lazyExport.ts), so the CLI's start (which
// imports the model registry through kernel/models/index.ts) loads no package; and every name an index
// declares lazily is really there once read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lazyExport } from '../../kernel/engine/lazyExport';

const repo = path.resolve(__dirname, '../../..');
const out = path.join(repo, 'out');

/** Run `script` in a fresh node (nothing loaded yet) and return what it printed as JSON. */
function fresh<T>(script: string): T {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** The packages (node_modules) a fresh node has loaded after requiring `modules`. */
function packagesLoadedBy(...modules: string[]): string[] {
  return fresh<string[]>(`${modules.map((m) => `require(${JSON.stringify(path.join(out, m))});`).join('')}
    const pk = Object.keys(require.cache).filter((k) => k.includes('node_modules')).map((k) => k.split('node_modules/').pop().split('/').slice(0, k.includes('node_modules/@') ? 2 : 1).join('/'));
    console.log(JSON.stringify([...new Set(pk)]));`);
}

describe('kernel/engine/lazyExport and the folder indexes', () => {
  it('lazyExport loads the module on the first read of a name, once', () => {
    const target = {};
    let loads = 0;
    lazyExport(target, () => { loads++; return { a: 1, b: 'two' }; }, ['a', 'b']);
    assert.equal(loads, 0, 'nothing loaded before a read');
    assert.deepEqual(Object.keys(target), ['a', 'b'], 'the names are enumerable exports');
    assert.equal((target as { a: number }).a, 1);
    assert.equal((target as { b: string }).b, 'two');
    assert.equal(loads, 1);
  });

  it('importing the engine and models indexes, or the CLI, loads no package (tfjs waits for first use)', () => {
    assert.deepEqual(packagesLoadedBy('kernel/engine/index.js', 'kernel/models/index.js'), []);
    assert.deepEqual(packagesLoadedBy('kernel/cli/main.js'), []);
  });

  it('reading a lazy name loads its module (and tfjs with it)', () => {
    const loaded = fresh<string[]>(`const e = require(${JSON.stringify(path.join(out, 'kernel/engine/index.js'))});
      const before = Object.keys(require.cache).some((k) => k.includes('@tensorflow/tfjs-core'));
      const ok = typeof e.initBackend === 'function';
      const after = Object.keys(require.cache).some((k) => k.includes('@tensorflow/tfjs-core'));
      console.log(JSON.stringify([String(before), String(ok), String(after)]));`);
    assert.deepEqual(loaded, ['false', 'true', 'true']);
  });

  for (const index of ['kernel/engine/index.ts', 'kernel/models/index.ts', 'kernel/api/index.ts']) {
    it(`every name ${index} declares lazily is defined`, () => {
      const declared = [...fs.readFileSync(path.join(repo, index), 'utf8').matchAll(/^export declare const (\w+):/gm)].map((m) => m[1]);
      if (!declared.length) return assert.ok(!/lazyExport\(/.test(fs.readFileSync(path.join(repo, index), 'utf8')), 'no declarations, no lazy exports');
      const missing = fresh<string[]>(`const m = require(${JSON.stringify(path.join(out, index.replace(/[.]ts$/, '.js')))});
        console.log(JSON.stringify(${JSON.stringify(declared)}.filter((n) => m[n] === undefined)));`);
      assert.deepEqual(missing, [], `declared in ${index} but undefined at run time`);
    });
  }
});

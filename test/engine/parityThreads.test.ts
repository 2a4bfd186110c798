// The wasm parity suites (parity.test.ts: both fixture sets, forward, gradients, five AdamW steps) once per
// thread count, each in its own mocha process, since the wasm module starts once per process with the
// count of its first start. parity.test.ts itself checks that the backend runs with the count asked for.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASM_THREADS_ENV } from '../../kernel/engine/wasmThreads';

const REPO = path.resolve(__dirname, '../../..');
const PARITY = path.join(__dirname, 'parity.test.js');
const FIXTURES = path.resolve(REPO, 'test/fixtures/bi-encoder-tiny'); // as parity.test.ts

describe('engine parity on wasm with 1 and 2 threads (one process each)', function () {
  this.timeout(600_000);
  before(function () {
    for (const dir of [FIXTURES, path.join(FIXTURES, 'init_std_0.2')]) {
      assert.ok(fs.existsSync(path.join(dir, 'weights.safetensors')), `the parity fixtures are part of the repository and missing at ${dir}`);
    }
  });
  for (const threads of ['1', '2']) {
    it(`${WASM_THREADS_ENV}=${threads}: every wasm parity test passes`, function () {
      const r = spawnSync(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '300000', '--exit', '--reporter', 'dot', '--grep', 'PyTorch fixtures \\(std [0-9.]+, wasm\\)', PARITY], {
        cwd: REPO, encoding: 'utf8', env: { ...process.env, EMPATHY_BACKEND: '', EMPATHY_PARITY_REPORT: '', [WASM_THREADS_ENV]: threads },
      });
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.status, 0, out.slice(-4000));
      // Both fixture sets ran, every test of each.
      assert.match(r.stdout, /\b8 passing\b/, out.slice(-2000));
      assert.doesNotMatch(r.stdout, /pending/, out.slice(-2000));
    });
  }
});

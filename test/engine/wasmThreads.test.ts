// Threads for the wasm backend (kernel/engine/wasmThreads.ts): how the count is chosen, and, each in its
// own process (the wasm module starts once per process), that 1 thread is tfjs's single-threaded build,
// 2 threads the threaded build computing the same numbers, a threaded build that cannot start falls back
// to one thread with the reason, and neither the engine nor the CLI is kept alive by the pool's workers.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { physicalCores, resolveWasmThreads, WASM_MAX_THREADS, WASM_THREADS_ENV } from '../../kernel/engine/wasmThreads';
import { cli, SAMPLES, tmpDir } from '../cli/spawn';

const BACKEND_JS = path.resolve(__dirname, '../../kernel/engine/backend.js');

/** /proc/cpuinfo of one socket with two cores, each with two hardware threads. */
const SMT_CPUINFO = [0, 1, 2, 3].map((i) => `processor\t: ${i}\nphysical id\t: 0\ncore id\t\t: ${i % 2}\n`).join('\n');

/**
 * Run `script` in a fresh Node (no --exit: it must end on its own) with the engine's backend module as
 * `engine` and `tf` (after `first`), and EMPATHY_WASM_THREADS set or removed; the last stdout line is
 * its JSON result.
 */
function inChild(script: string, threads: string | undefined, first = ''): { status: number | null; result: Record<string, unknown>; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, EMPATHY_BACKEND: '' };
  if (threads === undefined) delete env[WASM_THREADS_ENV]; else env[WASM_THREADS_ENV] = threads;
  const prelude = `${first}\nconst engine = require(${JSON.stringify(BACKEND_JS)}); const tf = require('@tensorflow/tfjs');`;
  const r = spawnSync(process.execPath, ['-e', `${prelude}\n(async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); });`], {
    cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', env, timeout: 180_000,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, result: last.startsWith('{') ? JSON.parse(last) as Record<string, unknown> : {}, stderr: r.stderr };
}

/** A small product computed on the backend just started, as plain numbers. */
const MATMUL = `
  const a = tf.tensor2d(Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i)), [64, 48]);
  const b = tf.tensor2d(Array.from({ length: 48 * 32 }, (_, i) => Math.cos(i)), [48, 32]);
  const y = Array.from(tf.matMul(a, b).dataSync());
`;

describe('engine/wasmThreads: choosing the count', function () {
  const saved = process.env[WASM_THREADS_ENV];
  beforeEach(() => { delete process.env[WASM_THREADS_ENV]; });
  after(() => { if (saved === undefined) delete process.env[WASM_THREADS_ENV]; else process.env[WASM_THREADS_ENV] = saved; });

  it('counts physical cores from /proc/cpuinfo (hardware threads of one core count once)', () => {
    assert.deepEqual(physicalCores(SMT_CPUINFO), { cores: 2, from: '/proc/cpuinfo' });
    const twoSockets = SMT_CPUINFO + '\n' + SMT_CPUINFO.replace(/physical id\t: 0/g, 'physical id\t: 1');
    assert.equal(physicalCores(twoSockets).cores, 4);
  });

  it('without core ids (no /proc/cpuinfo, some ARM kernels) it counts what os.availableParallelism() gives', () => {
    assert.deepEqual(physicalCores('processor\t: 0\nBogoMIPS\t: 50.00\n'), { cores: os.availableParallelism(), from: 'os.availableParallelism()' });
    assert.equal(physicalCores('').from, 'os.availableParallelism()');
  });

  it('defaults to the physical cores, capped at the build\'s pool of 8', () => {
    const { cores, from } = physicalCores();
    const c = resolveWasmThreads();
    assert.equal(c.source, 'default');
    assert.equal(c.coresFrom, from);
    assert.equal(c.threads, Math.min(cores, WASM_MAX_THREADS));
  });

  it('takes the option, and EMPATHY_WASM_THREADS over it (as EMPATHY_BACKEND over --backend)', () => {
    assert.deepEqual(resolveWasmThreads(3), { threads: 3, source: 'option' });
    assert.deepEqual(resolveWasmThreads(1, { [WASM_THREADS_ENV]: '2' }), { threads: 2, source: 'env' });
    assert.deepEqual(resolveWasmThreads(undefined, { [WASM_THREADS_ENV]: ' 16 ' }), { threads: WASM_MAX_THREADS, source: 'env', asked: 16 });
  });

  it('rejects a count that is not a whole number ≥ 1, naming where it came from', () => {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      assert.throws(() => resolveWasmThreads(undefined, { [WASM_THREADS_ENV]: bad }), new RegExp(`${WASM_THREADS_ENV} must be a whole number ≥ 1, got "${bad.replace('.', '\\.')}"`));
    }
    assert.throws(() => resolveWasmThreads(0), /threads must be a whole number ≥ 1, got 0/);
    assert.throws(() => resolveWasmThreads(2.5), /threads must be a whole number ≥ 1, got 2\.5/);
  });
});

describe('engine/wasmThreads: the wasm backend with 1 and 2 threads (one process each)', function () {
  this.timeout(240_000);

  it('1 thread is the single-threaded SIMD build; 2 threads the threaded one, with the same product; both processes end by themselves', () => {
    const script = `${MATMUL}
      const info = await engine.initBackend('wasm', 'flag');
      const { getThreadsCount } = require('@tensorflow/tfjs-backend-wasm');
      console.log(JSON.stringify({ detail: info.detail, pool: getThreadsCount(), y }));`;
    const one = inChild(script, '1');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.result.detail, 'wasm (SIMD, 1 thread)');
    assert.equal(one.result.pool, 1);
    const two = inChild(script, '2');
    assert.equal(two.status, 0, two.stderr);
    assert.equal(two.result.detail, 'wasm (SIMD, 2 threads)');
    assert.equal(two.result.pool, 2, "XNNPACK's pool has 2 threads");
    assert.deepEqual(two.result.y, one.result.y);
  });

  it('the option sets the count; a later start asking another count reuses the running module and says so', () => {
    const r = inChild(`
      const first = await engine.initBackend('wasm', 'flag', { threads: 2 });
      const again = await engine.initBackend('wasm', 'flag');
      const other = await engine.initBackend('wasm', 'flag', { threads: 3 });
      console.log(JSON.stringify({ first: first.detail, again: again.detail, other: other.detail }));`, undefined);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.result, {
      first: 'wasm (SIMD, 2 threads)',
      again: 'wasm (SIMD, 2 threads)',
      other: 'wasm (SIMD, 2 threads; 3 asked: the wasm module starts once per process)',
    });
  });

  it('a threaded build whose workers cannot start falls back to one thread, with the reason, and still computes', () => {
    // Every worker the pool creates runs a script that throws (as a broken install would).
    const broken = path.join(tmpDir('empathy-wasm-threads-'), 'broken-worker.js');
    fs.writeFileSync(broken, 'throw new Error("this worker cannot start");\n');
    const patch = `const wt = require('node:worker_threads'); const Real = wt.Worker;
      wt.Worker = class extends Real { constructor(_file, opts) { super(${JSON.stringify(broken)}, opts); } };`;
    const r = inChild(`${MATMUL}
      const info = await engine.initBackend('wasm', 'flag');
      console.log(JSON.stringify({ detail: info.detail, n: y.length }));`, '2', patch);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.result.detail, 'wasm (SIMD, 1 thread; the threaded build failed to start: this worker cannot start)');
    assert.equal(r.result.n, 64 * 32);
  });

  it('empathy test on the shipped samples with --threads 2 ends by itself, with the same output as --threads 1', () => {
    const dir = tmpDir('empathy-wasm-threads-');
    const out = (n: number) => path.join(dir, `predictions-${n}.csv`);
    const env = { EMPATHY_BACKEND: '', [WASM_THREADS_ENV]: '' };
    for (const n of [1, 2]) {
      const r = cli(['test', '--input_path', path.join(SAMPLES, 'sample_test_input.csv'), '--output_path', out(n), '--backend', 'wasm', '--threads', String(n)], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^backend = wasm \\(SIMD, ${n} threads?\\)( · matmul: [^\\n]*)? on CPU \\[flag`, 'm'));
    }
    assert.equal(fs.readFileSync(out(2), 'utf8'), fs.readFileSync(out(1), 'utf8'));
  });
});

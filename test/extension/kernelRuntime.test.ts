// Which Node runs the kernel: the setting, else a real Node on PATH, else VS Code's own runtime on wasm.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findNodeOnPath, resolveKernelRuntime } from '../../extension/kernelRuntime';

describe('kernel runtime', () => {
  const savedPath = process.env.PATH;
  afterEach(() => { process.env.PATH = savedPath; });

  it('uses empathy.kernel.nodePath when it is a working Node >= 20', () => {
    const r = resolveKernelRuntime(process.execPath, 'auto');
    assert.equal(r.kind, 'node');
    assert.equal(r.execPath, process.execPath);
    assert.equal(r.version, process.version);
    assert.deepEqual(r.env, {});
    assert.match(r.reason, /empathy\.kernel\.nodePath/);
  });

  it('falls back to node on PATH when the setting points nowhere', () => {
    const r = resolveKernelRuntime('/nonexistent/node', 'auto');
    assert.equal(r.kind, 'node');
    assert.match(r.reason, /from PATH/);
  });

  it('finds node on PATH like `which`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'empathy-path-'));
    const fake = join(dir, 'node');
    writeFileSync(fake, '#!/bin/sh\necho v20.0.0\n');
    chmodSync(fake, 0o755);
    assert.equal(findNodeOnPath(['/nonexistent', dir].join(delimiter)), fake);
    assert.equal(findNodeOnPath('/nonexistent'), undefined);
  });

  it("without any Node, runs on VS Code's own runtime with the wasm backend and explains why", () => {
    process.env.PATH = '/nonexistent';
    const r = resolveKernelRuntime('', 'tensorflow-gpu');
    assert.equal(r.kind, 'vscode');
    assert.equal(r.execPath, process.execPath);
    assert.equal(r.env.ELECTRON_RUN_AS_NODE, '1');
    assert.equal(r.env.EMPATHY_BACKEND, 'wasm', 'native backends cannot load in VS Code\'s runtime');
    assert.match(r.reason, /no node on PATH/);
    assert.match(r.reason, /empathy\.kernel\.nodePath/);
  });

  it('keeps an explicit wasm/cpu choice on the fallback runtime', () => {
    process.env.PATH = '/nonexistent';
    assert.equal(resolveKernelRuntime('', 'cpu').env.EMPATHY_BACKEND, undefined);
  });

  it('rejects a Node older than 20 with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'empathy-old-'));
    const old = join(dir, 'node');
    writeFileSync(old, '#!/bin/sh\necho v18.19.0\n');
    chmodSync(old, 0o755);
    process.env.PATH = '/nonexistent';
    const r = resolveKernelRuntime(old, 'auto');
    assert.equal(r.kind, 'vscode');
    assert.match(r.reason, /v18\.19\.0, older than 20/);
  });
});

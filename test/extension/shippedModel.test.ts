// Where the panels find the shipped offline-default model: under the extension's own folder, in the
// development layout (the repository) and in the packaged one (what extension/bundle.mjs stages for the
// .vsix), where the bundled kernel loads it and the Inspector's queries (loadModel, score) get levels and spans;
// the packaged kernel predicts through the onnxruntime binary staged beside it (this platform's only).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { SHIPPED_MODEL_NOTE, SHIPPED_MODEL_RELATIVE, shippedModelIn } from '../../extension/shippedModel';
import { SHIPPED_MODEL_FILE, shippedModelPath } from '../../kernel/models/shipped';
import { KernelClient } from '../../kernel/process/client';
import { loadOrt } from '../../kernel/engine/onnx/runtime';
import { skipBecause } from '../support/skip';

const repo = resolve(__dirname, '../../..');

describe('extension: the shipped model for the panels', function () {
  this.timeout(300_000);

  it('is the kernel\'s shipped checkpoint in the development folder, and absent elsewhere', () => {
    assert.equal(SHIPPED_MODEL_RELATIVE.at(-1), SHIPPED_MODEL_FILE);
    assert.equal(shippedModelIn(repo), shippedModelPath());
    const empty = mkdtempSync(join(tmpdir(), 'empathy-no-model-'));
    try { assert.equal(shippedModelIn(empty), undefined); } finally { rmSync(empty, { recursive: true, force: true }); }
    assert.match(SHIPPED_MODEL_NOTE, /offline-default.*research and teaching, not a clinical or screening tool/);
  });

  it('is carried by the packaged extension, whose kernel loads it and scores a pair with levels and spans', async () => {
    assert.match(readFileSync(join(repo, '.vscodeignore'), 'utf8'), /^!dataset\/models\/\*\*$/m, '.vscodeignore keeps dataset/models');
    const tmp = mkdtempSync(join(tmpdir(), 'empathy-packaged-model-'));
    const pkgRoot = join(tmp, 'extension');
    let client: KernelClient | undefined;
    try {
      const r = spawnSync(process.execPath, ['extension/bundle.mjs'], { cwd: repo, encoding: 'utf8', env: { ...process.env, EMPATHY_VSIX_STAGE: pkgRoot } });
      assert.equal(r.status, 0, `node extension/bundle.mjs failed:\n${r.stdout}${r.stderr}`);
      const model = shippedModelIn(pkgRoot);
      assert.ok(model, 'the staged package has dataset/models/offline-default.safetensors');
      assert.equal(statSync(model).size, statSync(shippedModelPath()).size);
      client = new KernelClient({ kernelMain: join(pkgRoot, 'out', 'kernel', 'process', 'main.js'), cwd: tmp, env: { NODE_PATH: undefined } });
      await client.start();
      // The Inspector's queries (rationaleInspectorPanel.ts: loadModel, then score with its handle).
      const info = await client.query('loadModel', { path: model });
      assert.deepEqual([...info.mechanisms].sort(), ['ER', 'EX', 'IP']);
      const pair = { id: 'p', seekerPost: 'I failed my driving test again.', responsePost: "I'm so sorry, that sounds frustrating. What happened?" };
      const a = await client.query('score', { handle: info.handle, pair, salience: false });
      for (const m of ['ER', 'IP', 'EX'] as const) {
        const mp = a.item.mechanisms[m]!;
        assert.ok([0, 1, 2].includes(mp.level), `${m} level`);
        assert.ok(mp.tokens.length > 0 && mp.tokens.every((t) => t.prob >= 0 && t.prob <= 1), `${m} token probabilities`);
      }
      assert.equal(a.healthNote, undefined, 'the shipped model has learned');
    } finally {
      await client?.dispose();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('is scored through onnxruntime in the packaged kernel, which carries only this platform\'s binary', async function () {
    // This machine's platform as the .vsix target (EMPATHY_VSIX_TARGET), so the staged binary can load here.
    const target = `${process.platform}-${process.arch}`;
    assert.match(readFileSync(join(repo, '.vscodeignore'), 'utf8'), /^!out\/kernel\/process\/node_modules\/\*\*$/m, '.vscodeignore keeps the kernel\'s node_modules');
    const ortHere = loadOrt();
    if ('error' in ortHere) skipBecause(this, `onnxruntime-node does not load in this checkout either: ${ortHere.error}`);
    const tmp = mkdtempSync(join(tmpdir(), 'empathy-packaged-ort-'));
    const pkgRoot = join(tmp, 'extension');
    let client: KernelClient | undefined;
    try {
      const r = spawnSync(process.execPath, ['extension/bundle.mjs'], { cwd: repo, encoding: 'utf8', env: { ...process.env, EMPATHY_VSIX_STAGE: pkgRoot, EMPATHY_VSIX_TARGET: target } });
      assert.equal(r.status, 0, `node extension/bundle.mjs failed:\n${r.stdout}${r.stderr}`);
      const modules = join(pkgRoot, 'out', 'kernel', 'process', 'node_modules');
      // Every staged onnxruntime binary is this platform's: bin/napi-v<N>/<os>/<arch>/, the binding and the
      // CPU runtime library it links (no other platform, no DirectML / WebGPU / CUDA provider libraries).
      const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
      const bins = files(join(modules, 'onnxruntime-node', 'bin')).map((f) => relative(join(modules, 'onnxruntime-node'), f).split(/[\\/]/).join('/'));
      const arch = `${process.platform}/${process.arch}`;
      assert.ok(bins.some((b) => new RegExp(`^bin/napi-v\\d+/${arch}/onnxruntime_binding\\.node$`).test(b)), `the binding for ${arch} (staged: ${bins.join(', ')})`);
      for (const b of bins) assert.match(b, new RegExp(`^bin/napi-v\\d+/${arch}/(onnxruntime_binding\\.node|libonnxruntime\\.so\\.1|libonnxruntime\\.1\\.dylib|onnxruntime\\.dll)$`), 'only this platform\'s binding and CPU runtime');
      assert.match(r.stdout, new RegExp(`bundle: onnxruntime-node for ${target}`));
      assert.ok(existsSync(join(modules, 'onnxruntime-common', 'dist', 'cjs', 'index.js')), 'onnxruntime-common beside it');

      // The kernel from the staged folder (no node_modules up its tree, none on NODE_PATH): a notebook's
      // predict with the shipped model says what ran it (the ensemble's tagger infers through the ONNX export).
      const model = shippedModelIn(pkgRoot)!;
      client = new KernelClient({ kernelMain: join(pkgRoot, 'out', 'kernel', 'process', 'main.js'), cwd: tmp, env: { NODE_PATH: undefined, EMPATHY_NATIVE_MODULE_PATH: undefined, EMPATHY_INFERENCE: undefined } });
      await client.start();
      const code = [
        "import { loadModel, predict } from 'empathy';",
        `const m: any = await loadModel(${JSON.stringify(model)});`,
        "await predict(m, [{ id: 'p', seekerPost: 'I failed my driving test again.', responsePost: 'I am so sorry. What happened?' }]);",
        "console.log('inference=' + JSON.stringify(m.tagger.inference));",
      ].join('\n');
      const ex = client.execute('ort', code, { typecheck: false });
      const done = await ex.done;
      const out = ex.events.flatMap((e) => (e.type === 'stream' ? [e.text] : [])).join('');
      assert.equal(done.status, 'ok', `the cell: ${JSON.stringify(ex.events.filter((e) => e.type === 'error'))}\n${out}`);
      const line = /inference=(.*)/.exec(out)?.[1];
      assert.ok(line, `the cell printed the tagger's InferenceInfo:\n${out}`);
      const info = JSON.parse(line) as { engine: string; version?: string; reason?: string };
      assert.equal(info.engine, 'onnxruntime', `the packaged kernel infers through onnxruntime (${info.reason ?? ''})`);
      assert.equal(info.version, ortHere.version, 'the staged onnxruntime-node is the checkout\'s version');
      // The Inspector's query, with onnxruntime required (EMPATHY_INFERENCE=onnx throws when it does not load).
      await client.dispose();
      client = new KernelClient({ kernelMain: join(pkgRoot, 'out', 'kernel', 'process', 'main.js'), cwd: tmp, env: { NODE_PATH: undefined, EMPATHY_NATIVE_MODULE_PATH: undefined, EMPATHY_INFERENCE: 'onnx' } });
      await client.start();
      const loaded = await client.query('loadModel', { path: model });
      const a = await client.query('score', { handle: loaded.handle, pair: { id: 'p', seekerPost: 'I failed my driving test again.', responsePost: 'I am so sorry. What happened?' }, salience: false });
      assert.deepEqual(Object.keys(a.item.mechanisms).sort(), ['ER', 'EX', 'IP']);
    } finally {
      await client?.dispose();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

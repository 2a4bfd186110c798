// Where the panels find the shipped offline-default model: under the extension's own folder, in the
// development layout (the repository) and in the packaged one (what extension/bundle.mjs stages for the
// .vsix), where the bundled kernel loads it and the Inspector's queries (loadModel, score) get levels and spans.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHIPPED_MODEL_NOTE, SHIPPED_MODEL_RELATIVE, shippedModelIn } from '../../extension/shippedModel';
import { SHIPPED_MODEL_FILE, shippedModelPath } from '../../kernel/models/shipped';
import { KernelClient } from '../../kernel/process/client';

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
});

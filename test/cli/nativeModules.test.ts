// A native backend package is code that runs when loaded: one planted in a folder on NODE_PATH (as a
// workspace's node_modules used to be) is never loaded by the CLI, and the refusal is said; one the user
// allows (EMPATHY_NATIVE_MODULE_PATH) that throws is reported with its error, not skipped silently.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNativeModule, locateNativeModule, NATIVE_MODULE_PATH_ENV } from '../../kernel/engine/nativeModule';
import { cli, SAMPLES, tmpDir } from './spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
const TINY = ['--preset', 'tiny', '--vocab_size', '300', '--epochs', '1', '--batch_size', '8', '--limit', '8'];

/** node_modules/@tensorflow/<pkg> under `root` whose index.js runs `body`. */
function plant(root: string, pkg: string, body: string): string {
  const dir = path.join(root, 'node_modules', '@tensorflow', pkg);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `@tensorflow/${pkg}`, version: '4.22.0', main: 'index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), body);
  return path.join(root, 'node_modules');
}

describe('native backend modules: where they load from', function () {
  this.timeout(300_000);
  const dir = tmpDir('empathy-native-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('locate: the own chain first, then allowed folders; NODE_PATH-only copies are refused; aliases are named', () => {
    const own = plant(path.join(dir, 'own'), 'tfjs-node', '');
    const other = plant(path.join(dir, 'other'), 'tfjs-node', '');
    const search = (o: Partial<{ ownPaths: string[]; allowedPaths: string[]; otherPaths: string[] }>) => ({ ownPaths: [], allowedPaths: [], otherPaths: [], ...o });
    assert.deepEqual(locateNativeModule('@tensorflow/tfjs-node', search({ ownPaths: [own], otherPaths: [other] })),
      { kind: 'found', from: 'own', dir: path.join(own, '@tensorflow', 'tfjs-node'), name: '@tensorflow/tfjs-node' });
    assert.equal((locateNativeModule('@tensorflow/tfjs-node', search({ allowedPaths: [other] })) as { from: string }).from, 'allowed');
    const refused = locateNativeModule('@tensorflow/tfjs-node', search({ otherPaths: [other] }));
    assert.equal(refused.kind, 'refused');
    assert.match((refused as { reason: string }).reason, new RegExp(`found only at .*other.*${NATIVE_MODULE_PATH_ENV}`));
    assert.deepEqual(locateNativeModule('@tensorflow/tfjs-node-gpu', search({ ownPaths: [own], otherPaths: [other] })), { kind: 'missing' });
    const alias = path.join(dir, 'alias', 'node_modules', '@tensorflow', 'tfjs-node');
    fs.mkdirSync(alias, { recursive: true });
    fs.writeFileSync(path.join(alias, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs' }));
    assert.deepEqual(loadNativeModule('@tensorflow/tfjs-node', search({ ownPaths: [path.join(dir, 'alias', 'node_modules')] })),
      { ok: false, threw: false, reason: '@tensorflow/tfjs-node resolves to @tensorflow/tfjs (an alias, not the native binding)' });
  });

  it('train with a fake tfjs-node-gpu on NODE_PATH: the module never runs, and stderr says why', () => {
    const marker = path.join(dir, 'planted-ran.txt');
    const nodePath = plant(path.join(dir, 'workspace'), 'tfjs-node-gpu', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const r = cli(['train', '--train_path', ER, '--save_model_path', path.join(dir, 'a.pth'), ...TINY], { env: { NODE_PATH: nodePath, EMPATHY_BACKEND: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.existsSync(marker), false, 'the planted module ran');
    assert.match(r.stderr, /warning: backend @tensorflow\/tfjs-node-gpu found only at .*workspace.*through NODE_PATH.*not loaded/);
  });

  it('an allowed tfjs-node-gpu that throws is reported with its error, and training goes on with the next backend', () => {
    const allowed = plant(path.join(dir, 'allowed'), 'tfjs-node-gpu', "throw new Error('planted failure: libcudart.so.11.0 missing');\n");
    const r = cli(['train', '--train_path', ER, '--save_model_path', path.join(dir, 'b.pth'), ...TINY], { env: { [NATIVE_MODULE_PATH_ENV]: allowed, EMPATHY_BACKEND: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: backend @tensorflow\/tfjs-node-gpu \(.*allowed.*\) threw while loading: planted failure: libcudart\.so\.11\.0 missing/);
    assert.match(r.stdout, /backend = (wasm|cpu)/);
  });
});

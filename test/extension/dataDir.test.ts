// empathy.dataDir -> the kernels' EMPATHY_DATA_DIR (extension/dataDir.ts), which the tutorials' data
// loader reads; and the setting is a restricted configuration that says so.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirFor } from '../../extension/dataDir';
import { tutorialData } from '../../kernel/api/tutorialData';

const repo = resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

describe('extension: empathy.dataDir', () => {
  it('is absolute as given, relative to the workspace folder otherwise, and unset when empty', () => {
    assert.equal(dataDirFor('/data/epitome', '/ws'), '/data/epitome');
    assert.equal(dataDirFor('data/epitome', '/ws'), '/ws/data/epitome');
    assert.equal(dataDirFor(' ../shared/epitome ', '/ws/project'), '/ws/shared/epitome');
    assert.equal(dataDirFor('', '/ws'), undefined);
    assert.equal(dataDirFor('   ', '/ws'), undefined);
    assert.equal(dataDirFor(undefined, '/ws'), undefined);
    assert.equal(dataDirFor('data', undefined), undefined, 'a relative path without a workspace folder');
  });

  it('is what the tutorials read (EMPATHY_DATA_DIR), and a missing folder is named', () => {
    const samples = join(repo, 'dataset', 'samples');
    const dir = dataDirFor('dataset/samples', repo)!;
    assert.equal(dir, samples);
    const saved = process.env.EMPATHY_DATA_DIR;
    try {
      process.env.EMPATHY_DATA_DIR = dataDirFor('no-such-folder', repo);
      assert.throws(() => tutorialData(), /EMPATHY_DATA_DIR .*no-such-folder does not exist/);
      delete process.env.EMPATHY_DATA_DIR;
      assert.equal(tutorialData().source, 'samples');
    } finally {
      if (saved === undefined) delete process.env.EMPATHY_DATA_DIR; else process.env.EMPATHY_DATA_DIR = saved;
    }
  });

  it('is a restricted configuration whose description names EMPATHY_DATA_DIR and loadTutorialPairs', () => {
    assert.ok((pkg.capabilities.untrustedWorkspaces.restrictedConfigurations as string[]).includes('empathy.dataDir'));
    const d: string = pkg.contributes.configuration.properties['empathy.dataDir'].markdownDescription;
    assert.match(d, /EMPATHY_DATA_DIR/);
    assert.match(d, /loadTutorialPairs/);
    assert.match(d, /Relative to the workspace folder/);
  });
});

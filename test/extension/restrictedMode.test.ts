// Restricted Mode, the parts testable without VS Code: every setting that names a program or a path is a
// restricted configuration (a workspace cannot point the kernel at its own executable), and the panels'
// read-only data comes from the pure CSV loaders, not from a kernel. (The e2e suite checks the rest.)
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOnlyDataset, RESTRICTED_KERNEL, RESTRICTED_PANEL } from '../../extension/restrictedMode';

const REPO = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

describe('extension/restrictedMode', () => {
  it('every free-text setting (a program or a path) is a restricted configuration, nodePath first of all', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { type: string; enum?: unknown[] }>;
    const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
    assert.ok(restricted.includes('empathy.kernel.nodePath'));
    const freeText = Object.entries(props).filter(([, p]) => p.type === 'string' && !p.enum).map(([k]) => k);
    assert.ok(freeText.length > 0);
    assert.deepEqual(freeText.filter((k) => !restricted.includes(k)), []);
    for (const k of restricted) assert.ok(k in props, `${k} is a contributed setting`);
  });

  it('the panels read the data without a kernel and say why nothing is scored', async () => {
    const ds = await readOnlyDataset([path.join(REPO, 'dataset', 'samples', 'emotional-reactions-sample.csv')], { name: 'ER sample', limit: 5 });
    assert.equal(ds.name, 'ER sample');
    assert.equal(ds.rows.length, 5);
    assert.ok(ds.rows.every((r) => typeof r.responsePost === 'string' && r.levels.ER !== undefined));
    assert.match(RESTRICTED_PANEL, /Restricted Mode.*read-only.*trust the workspace/);
    assert.match(RESTRICTED_KERNEL, /Restricted Mode.*no Empathy kernel starts/);
  });
});

// A Jupyter server runs notebooks from any folder: there, the type checker still finds the types of the
// packages the workbench ships for cells (danfojs-node), as the runtime finds the packages. (It reported
// TS2307 "Cannot find module 'danfojs-node'" on every tutorial nbclient ran outside the repository.)
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../kernel/session/session';

describe('jupyter: a notebook outside the repository', function () {
  this.timeout(60_000);
  let dir: string;
  let session: Session;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'empathy-outside-'));
    session = new Session({ cwd: dir });
  });
  after(() => {
    session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks imports of the shipped packages (and still reports real type errors)', async () => {
    const r = await session.execute("import type { DataFrame } from 'danfojs-node'\nconst columns = (f: DataFrame): string[] => f.columns\nconst n: number = 'one'");
    assert.deepEqual(r.diagnostics.map((d) => d.message), ["Type 'string' is not assignable to type 'number'."]);
  });
});

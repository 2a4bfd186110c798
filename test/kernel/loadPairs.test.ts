// The notebook API's loadPairs: several files (one per mechanism) load as one joint dataset, and its
// errors speak the notebook's language (loadPairs options), not the CLI's flags.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPairs } from '../../kernel/api/index';
import { SAMPLES } from '../cli/spawn';

const ER = join(SAMPLES, 'emotional-reactions-sample.csv');
const IP = join(SAMPLES, 'interpretations-sample.csv');
const EX = join(SAMPLES, 'explorations-sample.csv');

describe('loadPairs (notebook API)', () => {
  it('three files, one per mechanism, give joint pairs labelled for ER, IP and EX', async () => {
    const pairs = await loadPairs([ER, IP, EX], { quiet: true });
    assert.ok(pairs.length > 0);
    const labelled = pairs.filter((p) => p.labels.ER && p.labels.IP && p.labels.EX);
    assert.ok(labelled.length > 0, 'some pairs carry all three labels');
    assert.deepEqual(new Set(pairs.flatMap((p) => Object.keys(p.labels))), new Set(['ER', 'IP', 'EX']));
  });

  it('errors name loadPairs options, never CLI flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'empathy-loadpairs-'));
    try {
      const odd = join(dir, 'pairs.csv');
      copyFileSync(ER, odd);
      const noFlag = (e: unknown) => { const m = (e as Error).message; assert.doesNotMatch(m, /--\w/, m); return true; };
      await assert.rejects(loadPairs(odd), (e) => noFlag(e) && /\{ mechanism: 'ER' \}/.test((e as Error).message));
      await assert.rejects(loadPairs([ER, IP], { joint: false }), (e) => noFlag(e) && /several mechanisms \(ER, IP\)/.test((e as Error).message));
      await assert.rejects(loadPairs([ER, ER]), (e) => noFlag(e) && /two files for ER/.test((e as Error).message));
      await assert.rejects(loadPairs([]), (e) => noFlag(e) && /at least one CSV/.test((e as Error).message));
      assert.equal((await loadPairs(odd, { mechanism: 'IP', quiet: true }))[0].labels.IP !== undefined, true);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

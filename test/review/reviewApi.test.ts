// From a notebook: loadReview(path) is a flat table of every line (retracted ones marked), and
// display.review(await reviewStatsOf(path, gold)) shows the same numbers as `empathy review stats`.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendReviewLines } from '../../dataset/reviewFile';
import { installKernelContext } from '../../kernel/api/context';
import { display } from '../../kernel/api/display/index';
import { loadReview, reviewStatsOf } from '../../kernel/api/review';
import { MIME, type MimeBundle, type TablePayload } from '../../kernel/protocol/mime';

const ER = path.resolve(__dirname, '../../../dataset/samples/emotional-reactions-sample.csv');

describe('api/review', () => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-review-api-')), 'dev.review.jsonl');
  const [, wrong] = appendReviewLines(f, [
    { pair_id: 'sp001_rp001', mechanism: 'ER', kind: 'level', level: 2, reviewer: 'ana', model_level: 2 },
    { pair_id: 'sp002_rp002', mechanism: 'ER', kind: 'level', level: 2, reviewer: 'ana', model_level: 0 },
  ]);
  appendReviewLines(f, [
    { pair_id: 'sp002_rp002', mechanism: 'ER', kind: 'retract', of: wrong.id, reviewer: 'ana' },
    { pair_id: 'sp002_rp002', mechanism: 'ER', kind: 'level', level: 0, reviewer: 'ana', model_level: 0 },
  ]);

  it('loadReview: one record a line, flat, retracted lines and retractions not in force', () => {
    const rows = loadReview(f);
    assert.deepEqual(rows.map((r) => [r.kind, r.level, r.in_force]), [['level', 2, true], ['level', 2, false], ['retract', null, false], ['level', 0, true]]);
    assert.ok(rows.every((r) => Object.values(r).every((v) => v === null || typeof v !== 'object')));
  });

  it('display.review: a table with one row per mechanism, from the same stats as the CLI', async () => {
    const stats = await reviewStatsOf(f, ER);
    assert.equal(stats.ER!.reviewed, 2);
    assert.equal(stats.ER!.model_accuracy, 1);
    assert.equal(stats.ER!.kappa_gold, 1);
    const got: MimeBundle[] = [];
    installKernelContext({ publish: (b) => got.push(b), signal: () => undefined });
    try {
      display.review(stats);
    } finally {
      installKernelContext(undefined);
    }
    const t = got[0][MIME.table] as TablePayload;
    assert.equal(t.rows.length, 1);
    assert.deepEqual(t.rows[0].slice(0, 5), ['ER', 2, 'ana', '1.000', '1.000']);
    assert.match(got[0]['text/plain'] as string, /^mechanism\s+reviewed/);
  });
});

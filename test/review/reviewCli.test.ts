// `empathy review stats|apply|add` on the shipped ER sample: two reviewers, the model's levels as the
// Inspector records them, a span judgement; the numbers below are worked out by hand in the comments.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendReviewLines, readReviewFile, type NewReviewLine } from '../../dataset/reviewFile';
import { loadLabeledCsv } from '../../dataset/labeled';
import { cli, SAMPLES, tmpDir } from '../cli/spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
// Gold levels of sp001_rp001 … sp006_rp006 in the sample: 2 0 0 1 2 0.
const ids = [1, 2, 3, 4, 5, 6].map((i) => `sp00${i}_rp00${i}`);
const level = (reviewer: string, i: number, l: 0 | 1 | 2, model?: 0 | 1 | 2): NewReviewLine =>
  ({ pair_id: ids[i], mechanism: 'ER', kind: 'level', level: l, reviewer, ...(model !== undefined ? { model_level: model } : {}) });

function reviewFile(): string {
  const f = path.join(tmpDir('empathy-review-cli-'), 'er-dev.review.jsonl');
  const ana = [2, 0, 1, 1, 2, 0] as const;
  const model = [2, 0, 0, 0, 2, 1] as const;
  appendReviewLines(f, ana.map((l, i) => level('ana', i, l, model[i])));
  appendReviewLines(f, [level('ben', 0, 2), level('ben', 1, 0), level('ben', 2, 0)]);
  appendReviewLines(f, [{ pair_id: ids[3], mechanism: 'ER', kind: 'span', span: [0, 11], reviewer: 'ana' }]); // "That sounds"
  return f;
}

describe('cli/review', () => {
  it('stats --json: counts, κ with gold pooled over both reviewers, model accuracy, inter-reviewer κ, token-F1', () => {
    const r = cli(['review', 'stats', reviewFile(), '--gold', ER, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout).ER;
    assert.equal(s.reviewed, 6);
    assert.equal(s.judgements, 9);
    assert.deepEqual(s.reviewers, ['ana', 'ben']);
    // reviewers 2 0 1 1 2 0 | 2 0 0 against gold 2 0 0 1 2 0 | 2 0 0: agreement 8/9, chance 31/81 → κ = 41/50.
    assert.ok(Math.abs(s.kappa_gold - 0.82) < 1e-12);
    assert.ok(Math.abs(s.agreement_gold - 8 / 9) < 1e-12);
    // ana's levels against the model's as shown (2 0 0 0 2 1): 3 of 6.
    assert.equal(s.model_accuracy, 0.5);
    // ana 2 0 1 and ben 2 0 0 on the three pairs they share: agreement 2/3, chance 1/3 → κ = 0.5.
    assert.deepEqual(s.inter_reviewer.map((x: { a: string; b: string; n: number }) => [x.a, x.b, x.n]), [['ana', 'ben', 3]]);
    assert.ok(Math.abs(s.kappa_reviewers - 0.5) < 1e-12);
    // gold rationale "That sounds really hard." (5 word tokens) against ana's "That sounds" (2): F1 = 4/7.
    assert.ok(Math.abs(s.token_f1_gold - 4 / 7) < 1e-12);
    assert.equal(s.token_f1_model, null);
  });

  it('apply --reviewer writes a corrected copy that the loaders read; the data file is untouched', async () => {
    const review = reviewFile();
    const out = path.join(path.dirname(review), 'emotional-reactions-corrected.csv');
    const before = fs.readFileSync(ER);
    const r = cli(['review', 'apply', review, '--data', ER, '--out', out, '--reviewer', 'ana']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /24 rows, 2 changed/);
    assert.deepEqual(fs.readFileSync(ER), before);
    const { rows } = await loadLabeledCsv(out);
    assert.equal(rows.length, 24);
    assert.equal(rows[2].level, 1); // sp003: 0 → 1 by ana
    assert.deepEqual(rows[3].rationales, ['That sounds']);
    assert.equal(rows[0].level, 2);
  });

  it('apply without --reviewer leaves a pair the reviewers disagree on as it was, and says why', () => {
    const review = reviewFile();
    const out = path.join(path.dirname(review), 'emotional-reactions-corrected.csv');
    const r = cli(['review', 'apply', review, '--data', ER, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 changed, 1 left as they were \(reviewers disagree; pass --reviewer\)/);
    assert.match(fs.readFileSync(out, 'utf8'), /reviewers disagree \(ana: 1, ben: 0\): unchanged/);
  });

  it('apply refuses to write over the data or a review file, before any work', () => {
    const review = reviewFile();
    const r = cli(['review', 'apply', review, '--data', ER, '--out', review]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to write over an input file \(--out is the file given to REVIEW /);
    assert.equal(readReviewFile(review).lines.length, 10);
  });

  it('report --review adds a Review section with the same numbers (no run needed)', () => {
    const review = reviewFile();
    const out = path.join(path.dirname(review), 'review.html');
    const r = cli(['report', '--review', review, '--gold', ER, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 runs, review section/);
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /<h2>Review<\/h2>/);
    assert.match(html, /compared with the gold labels of <code>emotional-reactions-sample\.csv<\/code>/);
    assert.ok(html.includes('"rows":[["ER",6,"ana, ben","0.500","0.820"'), 'the table payload carries κ gold 0.820');
  });

  it('add appends a judgement and prints its id; a retraction by that id takes it back', () => {
    const f = path.join(tmpDir('empathy-review-add-'), 'x.review.jsonl');
    const a = cli(['review', 'add', f, '--pair_id', 'sp004_rp004', '--mechanism', 'ER', '--kind', 'level', '--level', '2', '--reviewer', 'cy']);
    assert.equal(a.code, 0, a.stderr);
    const id = a.stdout.trim();
    assert.equal(cli(['review', 'add', f, '--pair_id', 'sp004_rp004', '--mechanism', 'ER', '--kind', 'retract', '--of', id, '--reviewer', 'cy']).code, 0);
    const s = JSON.parse(cli(['review', 'stats', f, '--json']).stdout);
    assert.deepEqual(s, {});
    const bad = cli(['review', 'add', f, '--pair_id', 'p', '--mechanism', 'ER', '--kind', 'level']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--level must be 0, 1 or 2/);
  });
});

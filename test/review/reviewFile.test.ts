// The review file: append-only JSON lines, retractions instead of edits, whole lines under concurrent
// appends from two processes, and a truncated or bad line reported with its number, skipped, never lost.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendReviewLines, readReviewFile } from '../../dataset/reviewFile';
import { judgements, judgementKey, reviewerSpans } from '../../dataset/reviewJudgements';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-review-')), 'dev.review.jsonl');

describe('dataset/reviewFile', () => {
  it('appends whole lines with id, time, version and reviewer; the latest level counts', () => {
    const f = tmp();
    appendReviewLines(f, [{ pair_id: 'sp1_rp1', mechanism: 'ER', kind: 'level', level: 2, reviewer: 'ana' }]);
    appendReviewLines(f, [{ pair_id: 'sp1_rp1', mechanism: 'ER', kind: 'level', level: 1, reviewer: 'ana' }]);
    const { lines, problems } = readReviewFile(f);
    assert.deepEqual(problems, []);
    assert.equal(lines.length, 2);
    assert.equal(lines[0].v, 1);
    assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(judgements(lines).get(judgementKey('ana', 'ER', 'sp1_rp1'))!.level, 1);
  });

  it('undo appends a retraction: the earlier level counts again, and nothing was edited', () => {
    const f = tmp();
    appendReviewLines(f, [{ pair_id: 'p', mechanism: 'IP', kind: 'level', level: 0, reviewer: 'ana' }]);
    const [second] = appendReviewLines(f, [{ pair_id: 'p', mechanism: 'IP', kind: 'level', level: 2, reviewer: 'ana' }]);
    const before = fs.readFileSync(f, 'utf8');
    const [undo] = appendReviewLines(f, [{ pair_id: 'p', mechanism: 'IP', kind: 'retract', of: second.id, reviewer: 'ana' }]);
    assert.ok(fs.readFileSync(f, 'utf8').startsWith(before));
    assert.equal(judgements(readReviewFile(f).lines).get(judgementKey('ana', 'IP', 'p'))!.level, 0);
    appendReviewLines(f, [{ pair_id: 'p', mechanism: 'IP', kind: 'retract', of: undo.id, reviewer: 'ana' }]); // redo
    assert.equal(judgements(readReviewFile(f).lines).get(judgementKey('ana', 'IP', 'p'))!.level, 2);
  });

  it('spans: the model\'s rationale as shown, less the spans marked wrong, plus those added', () => {
    const f = tmp();
    appendReviewLines(f, [
      { pair_id: 'p', mechanism: 'ER', kind: 'span', span: [20, 30], remove: true, reviewer: 'ana', model_level: 1, model_spans: [[0, 10], [20, 30]] },
      { pair_id: 'p', mechanism: 'ER', kind: 'span', span: [40, 45], reviewer: 'ana' },
    ]);
    const j = judgements(readReviewFile(f).lines).get(judgementKey('ana', 'ER', 'p'))!;
    assert.deepEqual(reviewerSpans(j), [[0, 10], [40, 45]]);
    assert.equal(j.modelLevel, 1);
  });

  it('keeps unknown fields, and refuses a judgement that is not valid before writing anything', () => {
    const f = tmp();
    appendReviewLines(f, [{ pair_id: 'p', mechanism: 'EX', kind: 'note', note: 'sarcasm?', reviewer: 'ana', confidence: 'low' }]);
    assert.equal(readReviewFile(f).lines[0].confidence, 'low');
    assert.throws(() => appendReviewLines(f, [{ pair_id: 'p', mechanism: 'EX', kind: 'level', level: 3 as 0, reviewer: 'ana' }]), /"level" must be 0, 1 or 2/);
    assert.equal(readReviewFile(f).lines.length, 1);
  });

  it('a truncated last line is reported and skipped, stays in the file, and the next append starts a new line', () => {
    const f = tmp();
    appendReviewLines(f, [{ pair_id: 'p', mechanism: 'ER', kind: 'level', level: 1, reviewer: 'ana' }]);
    fs.appendFileSync(f, '{"v":1,"id":"x","pair_id":"q","mech');
    let r = readReviewFile(f);
    assert.equal(r.lines.length, 1);
    assert.deepEqual(r.problems.map((p) => [p.line, /truncated last line/.test(p.message)]), [[2, true]]);
    appendReviewLines(f, [{ pair_id: 'q', mechanism: 'ER', kind: 'level', level: 0, reviewer: 'ana' }]);
    r = readReviewFile(f);
    assert.equal(r.lines.length, 2);
    assert.deepEqual(r.problems.map((p) => p.line), [2]);
    assert.match(fs.readFileSync(f, 'utf8'), /"mech\n\{/); // the partial line is still there, never lost
  });

  it('two processes appending at once leave every line whole', async () => {
    const f = tmp();
    const mod = path.resolve(__dirname, '../../dataset/reviewFile.js');
    const child = (who: string) => new Promise<number | null>((resolve) => {
      const src = `const { appendReviewLines } = require(${JSON.stringify(mod)});
        for (let i = 0; i < 150; i++) appendReviewLines(${JSON.stringify(f)}, [{ pair_id: 'p' + i, mechanism: 'ER', kind: 'note', note: '${who} '.repeat(200), reviewer: '${who}' }]);`;
      spawn(process.execPath, ['-e', src], { stdio: 'inherit' }).on('exit', resolve);
    });
    assert.deepEqual(await Promise.all([child('ana'), child('ben')]), [0, 0]);
    const r = readReviewFile(f);
    assert.deepEqual(r.problems, []);
    assert.equal(r.lines.length, 300);
    assert.deepEqual([...new Set(r.lines.map((l) => l.reviewer))].sort(), ['ana', 'ben']);
  });
});

// process-data conversion, split, stats and streaming pairs on hand-made rows.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RawRow } from '../../dataset/epitome';
import { processRow } from '../../dataset/process';
import { wordTokenizer } from '../../dataset/wordTokenizer';
import { assignGroups } from '../../dataset/split';
import { datasetStats } from '../../dataset/stats';
import { countRecords, streamPairs } from '../../dataset/pairs';
import { processedRecordsToRows } from '../../dataset/labeled';
import { parseCsvRecords, csvLine } from '../../dataset/csv';
import { PROCESSED_COLUMNS, processedCsvRow } from '../../dataset/process';
import { labelOf } from '../../dataset/label';

const row = (level: 0 | 1 | 2, response: string, rationales: string[]): RawRow => ({ sp_id: 's1', rp_id: 'r1', seeker_post: 'I feel bad', response_post: response, ...labelOf(response, level, rationales), line: 2 });

describe('dataset/process', () => {
  it('labels rationale tokens over max_len slots and masks them (corrected form)', () => {
    const p = processRow(row(2, 'So sorry. What happened?', ['So sorry']), { maxLen: 10, paperFaithful: false, tokenizer: wordTokenizer });
    // slots: <s> So sorry . What happened ? </s> pad pad
    assert.deepEqual(p.rationale_labels, [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(p.rationale_labels_trimmed, 6);
    assert.equal(p.response_post_masked, ' . What happened?');
    assert.deepEqual(p.rationale_spans, [[0, 8]]);
    assert.equal(p.id, 's1_r1');
  });

  it('paper-faithful: no rationale → every token and </s> labelled 1, character-length trimmed, empty mask', () => {
    const p = processRow(row(0, 'Go outside.', []), { maxLen: 8, paperFaithful: true, tokenizer: wordTokenizer });
    // <s> Go outside . </s>: the three tokens and </s>
    assert.deepEqual(p.rationale_labels, [0, 1, 1, 1, 1, 0, 0, 0]);
    assert.equal(p.rationale_labels_trimmed, '1,1,1,1'.length);
    assert.equal(p.response_post_masked, '');
    const c = processRow(row(0, 'Go outside.', []), { maxLen: 8, paperFaithful: false, tokenizer: wordTokenizer });
    assert.deepEqual(c.rationale_labels, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(c.response_post_masked, 'Go outside.');
  });

  it('processed rows read back as the same rationales through rationale_spans', () => {
    const p = processRow(row(1, 'Hmm, (really?) that is hard.', ['(really?)']), { maxLen: 16, paperFaithful: false, tokenizer: wordTokenizer });
    const text = csvLine(PROCESSED_COLUMNS) + csvLine(processedCsvRow(p));
    const back = processedRecordsToRows(parseCsvRecords(text, 'p.csv'), 'p.csv');
    assert.deepEqual(back.rows[0].rationales, ['(really?)']);
    assert.equal(back.rows[0].sp_id, 's1');
    assert.equal(back.rows[0].level, 1);
    assert.deepEqual(back.warnings, []);
  });
});

describe('dataset/split', () => {
  it('never puts a seeker post in two parts, is seeded, and keeps roughly the shares per level', () => {
    const groups = new Map<string, { rows: number; stratum: number }>();
    for (let i = 0; i < 200; i++) groups.set(`g${i}`, { rows: 1 + (i % 3), stratum: i % 10 === 0 ? 2 : i % 3 === 0 ? 1 : 0 });
    const a = assignGroups(groups, { ratios: [0.8, 0.1, 0.1], seed: 7 });
    const b = assignGroups(groups, { ratios: [0.8, 0.1, 0.1], seed: 7 });
    const c = assignGroups(groups, { ratios: [0.8, 0.1, 0.1], seed: 8 });
    assert.deepEqual([...a], [...b]);
    assert.notDeepEqual([...a], [...c]);
    assert.equal(a.size, 200);
    for (const stratum of [0, 1, 2]) {
      const ids = [...groups].filter(([, v]) => v.stratum === stratum);
      const total = ids.reduce((s, [, v]) => s + v.rows, 0);
      const train = ids.filter(([g]) => a.get(g) === 0).reduce((s, [, v]) => s + v.rows, 0);
      assert.ok(Math.abs(train / total - 0.8) < 0.1, `stratum ${stratum}: train share ${train / total}`);
    }
  });
});

describe('dataset/stats', () => {
  it('counts levels, truncation with the tokenizer it names, duplicates and rationale coverage', () => {
    const rows: RawRow[] = [row(2, 'So sorry. What happened?', ['So sorry']), { ...row(0, 'one two three four five six seven', []), rp_id: 'r2' }];
    const s = datasetStats('x.csv', rows, { tokenizer: wordTokenizer, description: 'words' }, 8);
    assert.deepEqual(s.levels.counts, [1, 0, 1]);
    assert.equal(s.truncation.response, 0.5); // 7 words + 2 specials > 8; 6 + 2 fits
    assert.equal(s.truncation.tokens, 'words');
    assert.equal(s.duplicates.seekerIdsWithSeveralResponses, 1);
    assert.equal(s.rationales.rowsWithRationale, 1);
    assert.ok(Math.abs(s.rationales.meanCoverage - 8 / 24) < 1e-9);
  });
});

describe('dataset/pairs', () => {
  it('streams pairs in chunks with ids from id or sp_id_rp_id', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairs-'));
    const f = path.join(dir, 'in.csv');
    fs.writeFileSync(f, 'id,seeker_post,response_post\n' + Array.from({ length: 5 }, (_, i) => `${i},"s ${i}","r, ${i}"`).join('\n'));
    const chunks: string[][] = [];
    for await (const c of streamPairs(f, 2)) chunks.push(c.map((p) => p.id + ':' + p.responsePost));
    assert.deepEqual(chunks, [['0:r, 0', '1:r, 1'], ['2:r, 2', '3:r, 3'], ['4:r, 4']]);
    assert.equal(await countRecords(f), 5);
    const g = path.join(dir, 'raw.csv');
    fs.writeFileSync(g, 'sp_id,rp_id,seeker_post,response_post,level,rationales\na,b,S,R,0,\n');
    const got = [];
    for await (const c of streamPairs(g)) got.push(...c);
    assert.equal(got[0].id, 'a_b');
  });
});

describe('dataset/labeled: a file from the original process_data.py', () => {
  it('keeps the levels and says why its token labels are not used', () => {
    const text = 'id,seeker_post,response_post,labels,rationale_labels,rationale_labels_trimmed,response_post_masked\n' + 'a_b,S,R here,2,"0,1,1,0",5,here\n';
    const got = processedRecordsToRows(parseCsvRecords(text, 'orig.csv'), 'orig.csv');
    assert.equal(got.rows[0].level, 2);
    assert.deepEqual(got.rows[0].rationales, []);
    assert.match(got.warnings[0], /^orig\.csv: no rationale_spans column .* only levels are used/);
  });
});

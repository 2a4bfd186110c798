// Rationale spans are located once, when a labelled row is read (dataset/label.ts), and carried on the
// label: the loaders' spans for repeated, overlapping, whitespace-different and missing rationales; the
// joint merge; processed files keeping their own offsets; and no second locator in the source tree.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEpitomeCsv } from '../../dataset/epitome';
import { loadLabeledCsv } from '../../dataset/labeled';
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { processRows, processedCsvRow, PROCESSED_COLUMNS } from '../../dataset/process';
import { csvLine } from '../../dataset/csv';
import { wordTokenizer } from '../../dataset/wordTokenizer';
import * as label from '../../dataset/label';

const header = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';
function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'label-'));
}

// Invented rows (not EPITOME text), one per tricky case.
const rows = [
  // a rationale given twice: the second takes the second occurrence
  's1,r1,I feel low,"so sad, so sad",2,so sad|so sad',
  // two rationales that overlap: merged into one span
  's2,r2,I feel low,I am so sorry for you,2,I am so sorry|so sorry for you',
  // spacing differs from the response: found ignoring whitespace
  's3,r3,I feel low,I hear you . You matter,1,you. You',
  // one found, one missing
  's4,r4,I feel low,Hang in there,1,Hang in|not there at all',
];

describe('dataset/label: spans located once, when a row is read', () => {
  let dir = '';
  let erFile = '';
  before(() => {
    dir = tmpDir();
    erFile = path.join(dir, 'emotional-reactions-cases.csv');
    fs.writeFileSync(erFile, header + rows.join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the raw loader carries the spans and misses labelOf finds (repeat, overlap, spacing, missing)', async () => {
    const loaded = await loadEpitomeCsv(erFile);
    assert.deepEqual(loaded.rows.map((r) => r.spans), [
      [[0, 6], [8, 14]], // "so sad" at 0 and again at 8
      [[0, 21]], // [0, 13) ∪ [5, 21)
      [[7, 16]], // "you . You"
      [[0, 7]], // "Hang in"
    ]);
    assert.deepEqual(loaded.rows.map((r) => r.missed), [[], [], [], ['not there at all']]);
    for (const r of loaded.rows) assert.deepEqual(label.labelOf(r.response_post, r.level, r.rationales), { level: r.level, rationales: r.rationales, spans: r.spans, missed: r.missed });
    // The missed rationale is reported once, from the loader, with its line.
    assert.ok(loaded.warnings.some((w) => /2 rationale\(s\) are not exact substrings.*1 matched ignoring whitespace, 1 not found \(first at line 5\)/.test(w)), loaded.warnings.join('\n'));
  });

  it('LabeledPairs from the one labelled-files loader carry the same spans', async () => {
    const raw = await loadEpitomeCsv(erFile);
    const { pairs } = await loadLabeledFiles('train', [erFile], { cwd: dir });
    assert.deepEqual(pairs.map((p) => p.labels.ER!.spans), raw.rows.map((r) => r.spans));
    assert.deepEqual(pairs.map((p) => p.labels.ER!.missed), raw.rows.map((r) => r.missed));
  });

  it('the joint merge keeps the first file\'s text and locates a sibling\'s rationales in it when the spacing differs', async () => {
    const jdir = tmpDir();
    try {
      fs.writeFileSync(path.join(jdir, 'emotional-reactions-j.csv'), header + 's1,r1,Hi,I hear you. You matter,1,I hear you\n');
      fs.writeFileSync(path.join(jdir, 'explorations-j.csv'), header + 's1,r1,Hi,I hear you . You matter,1,You matter\n');
      const { pairs } = await loadLabeledFiles('train', [path.join(jdir, 'emotional-reactions-j.csv'), path.join(jdir, 'explorations-j.csv')], { joint: true, cwd: jdir });
      assert.equal(pairs.length, 1);
      const p = pairs[0];
      assert.equal(p.responsePost, 'I hear you. You matter');
      assert.deepEqual(p.labels.ER!.spans, [[0, 10]]);
      assert.deepEqual(p.labels.EX!.spans, [[12, 22]]); // in the ER text, not at [13, 23) of its own file
      assert.equal(p.responsePost.slice(12, 22), 'You matter');
    } finally {
      fs.rmSync(jdir, { recursive: true, force: true });
    }
  });

  it('a processed file keeps its rationale_spans (sorted, merged), the same spans as the raw rows it came from', async () => {
    const raw = await loadEpitomeCsv(erFile);
    const processed = processRows(raw.rows, { maxLen: 64, paperFaithful: false, tokenizer: wordTokenizer });
    const out = path.join(dir, 'emotional-reactions-cases.processed.csv');
    fs.writeFileSync(out, [csvLine([...PROCESSED_COLUMNS]), ...processed.rows.map((r) => csvLine(processedCsvRow(r)))].join('\n') + '\n');
    const back = await loadLabeledCsv(out);
    assert.equal(back.format, 'processed');
    assert.deepEqual(back.rows.map((r) => r.spans), raw.rows.map((r) => r.spans));
    assert.deepEqual(back.rows.map((r) => r.missed), raw.rows.map(() => []));
    // Offsets are taken as written: a span on the second "so sad" stays there (not the first occurrence),
    // and unsorted, touching spans are sorted and merged.
    assert.deepEqual(label.labelFromSpans('so sad, so sad', 1, [[8, 14]]), { level: 1, rationales: ['so sad'], spans: [[8, 14]], missed: [] });
    assert.deepEqual(label.labelFromSpans('so sad, so sad', 1, [[8, 14], [0, 3], [3, 6]]).spans, [[0, 6], [8, 14]]);
  });

  it('labelOf is the only way in: the locator is module-private, and nothing else in the source tree defines or calls one', () => {
    assert.deepEqual(Object.keys(label).sort(), ['labelFor', 'labelFromSpans', 'labelOf']);
    const repo = path.resolve(__dirname, '../../..');
    const hits: string[] = [];
    const walk = (rel: string): void => {
      const abs = path.join(repo, rel);
      if (!fs.existsSync(abs)) return;
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        const r = path.join(rel, e.name);
        if (e.isDirectory()) walk(r);
        else if (/\.(ts|empathy)$/.test(e.name) && r !== path.join('dataset', 'label.ts') && /\blocateRationales\b/.test(fs.readFileSync(path.join(repo, r), 'utf8'))) hits.push(r);
      }
    };
    for (const d of ['dataset', 'kernel', 'extension', 'webviews', 'bench', 'examples']) walk(d);
    assert.deepEqual(hits, [], `rationales are located in dataset/label.ts only; found a locator in: ${hits.join(', ')}`);
  });
});

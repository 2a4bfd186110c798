// Issue 22, item 7: the formula guard round-trips. A CSV the project writes with the guard is marked
// (its header's first name in quotes); the project's reader takes off exactly the guard's ', so every
// cell reads back as written, and an unmarked file (--raw_csv, anyone else's) is read verbatim.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { csvHeader, parseCsv, readCsvFile, streamCsvFile, writeCsvAtomic } from '../../dataset/csv';

/** Cells a spreadsheet would run, cells that already look guarded, and cells the guard leaves alone. */
const TRICKY = ['=1+1', '+1+2', '-x is what I mean', '@r2', '\tx', '\r=1', "'=already quoted", "''+twice", "'hello", "'", "''", '-1', "'-1", '+2.5', '-', '=', 'plain', '', 'a,b "c"\nd'];

describe('dataset/csv: the formula guard round-trips (issue 22, item 7)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-guard-'));

  it('a guarded file marks its header and reads back exactly what was written', () => {
    const f = path.join(dir, 'guarded.csv');
    writeCsvAtomic(f, ['id', 'text'], TRICKY.map((t, i) => [t, `${i}:${t}`]));
    const text = fs.readFileSync(f, 'utf8');
    assert.ok(text.startsWith('"id",text\n'), 'the mark: only the first name quoted');
    assert.ok(text.includes("\n'=1+1,"), 'a formula is guarded in the file');
    assert.ok(text.includes("\n''=already quoted,"), "a cell of the user's that starts with ' and a formula character gets one more '");
    assert.ok(text.includes("\n'hello,"), "other cells starting with ' are left alone");
    assert.ok(text.includes('\n-1,'), 'plain numbers are not guarded');
    const rows = parseCsv(text, f);
    assert.deepEqual(rows[0], ['id', 'text']);
    assert.deepEqual(rows.slice(1), TRICKY.map((t, i) => [t, `${i}:${t}`]));
  });

  it('--raw_csv writes no mark and no guard, and reads back verbatim', () => {
    const f = path.join(dir, 'raw.csv');
    writeCsvAtomic(f, ['id', 'text'], TRICKY.map((t) => [t, t]), { raw: true });
    assert.ok(fs.readFileSync(f, 'utf8').startsWith('id,text\n'));
    assert.deepEqual(parseCsv(fs.readFileSync(f, 'utf8'), f).slice(1), TRICKY.map((t) => [t, t]));
  });

  it("a file without the mark keeps a cell that really starts with ' (even one all-quoted like R's write.csv)", () => {
    const plain = "id,text\n1,'=kept\n2,''+kept\n";
    assert.deepEqual(parseCsv(plain, 'plain.csv').slice(1), [['1', "'=kept"], ['2', "''+kept"]]);
    const allQuoted = '"id","text"\n"1","\'=kept"\n';
    assert.deepEqual(parseCsv(allQuoted, 'r.csv').slice(1), [['1', "'=kept"]]);
    assert.equal(csvHeader(['id', 'text'], { raw: true }), 'id,text\n');
  });

  it('readCsvFile and streamCsvFile (chunk by chunk) read a guarded file alike', async () => {
    const f = path.join(dir, 'stream.csv');
    const rows = Array.from({ length: 400 }, (_, i) => [`=${i}+1`, TRICKY[i % TRICKY.length]]);
    writeCsvAtomic(f, ['id', 'text'], rows);
    assert.deepEqual((await readCsvFile(f)).slice(1).map((r) => r.fields), rows);
    const streamed: string[][] = [];
    for await (const recs of streamCsvFile(f, { highWaterMark: 7 })) streamed.push(...recs.map((r) => r.fields));
    assert.deepEqual(streamed.slice(1), rows);
  });
});

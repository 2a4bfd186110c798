// RFC 4180 parsing and atomic writing, notebook style.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertOutputsClear } from '../../dataset/outputGuard';
import { CsvParser, DataError, parseCsv, parseCsvRecords, writeCsvAtomic, readCsvFile } from '../../dataset/csv';

describe('dataset/csv', () => {
  it('parses quoted commas, quoted newlines, escaped quotes, BOM and CRLF', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\r\n';
    const recs = parseCsvRecords(text, 'f.csv');
    assert.deepEqual(
      recs.map((r) => r.fields),
      [
        ['a', 'b', 'c'],
        ['1', 'x, y', 'say "hi"'],
        ['2', 'two\r\nlines', ''],
      ],
    );
    assert.deepEqual(
      recs.map((r) => r.line),
      [1, 2, 3],
    );
  });

  it('keeps UTF-8 text and skips blank lines; no trailing newline is fine', () => {
    assert.deepEqual(parseCsv('h\n\nça va 🙂\n\nlast', 'f.csv'), [['h'], ['ça va 🙂'], ['last']]);
  });

  it('gives the same records when fed in tiny chunks (CRLF split across chunks)', () => {
    const text = 'a,b\r\n"q\r\nq",2\r\n3,"x""y"\r\n';
    const p = new CsvParser('f.csv');
    const recs = [];
    for (const ch of text) recs.push(...p.push(ch));
    recs.push(...p.end());
    assert.deepEqual(recs, parseCsvRecords(text, 'f.csv'));
    assert.equal(recs[2].line, 4);
  });

  it('names file and line on an unterminated quote', () => {
    assert.throws(() => parseCsv('a,b\n1,2\n3,"open\nmore\n', 'bad.csv'), (e: unknown) => e instanceof DataError && e.message === 'bad.csv:3: malformed CSV: a quoted field opened here is never closed');
  });

  it('names the line of a quote inside an unquoted field or text after a closing quote', () => {
    assert.throws(() => parseCsv('a,b\n1,x"y\n', 'bad.csv'), /^DataError: bad\.csv:2: malformed CSV: a quote inside an unquoted field/);
    assert.throws(() => parseCsv('a,b\n1,"x"y\n', 'bad.csv'), /bad\.csv:2: malformed CSV: unexpected character "y" after a closing quote/);
  });

  it('writes atomically, quoting what needs quoting, and round-trips', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-'));
    const out = path.join(dir, 'sub', 'o.csv');
    writeCsvAtomic(out, ['id', 'text'], [
      ['1', 'a, "b"\nc'],
      ['2', 'plain'],
    ]);
    assert.deepEqual(parseCsv(fs.readFileSync(out, 'utf8'), out), [
      ['id', 'text'],
      ['1', 'a, "b"\nc'],
      ['2', 'plain'],
    ]);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), ['o.csv']); // no temp file left
  });

  it('leaves no file behind when writing fails midway', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-'));
    const out = path.join(dir, 'o.csv');
    function* rows() {
      yield ['1'];
      throw new Error('boom');
    }
    assert.throws(() => writeCsvAtomic(out, ['id'], rows()), /boom/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('refuses to write over an input, and reports missing/empty files in one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-'));
    const inp = path.join(dir, 'in.csv');
    fs.writeFileSync(inp, '');
    assert.throws(() => assertOutputsClear([{ flag: 'output_path', path: path.join(dir, '.', 'in.csv') }], [{ flag: 'input_path', path: inp }]), /refusing to write over an input file/);
    await assert.rejects(readCsvFile(inp), /in\.csv: empty file/);
    await assert.rejects(readCsvFile(path.join(dir, 'nope.csv')), /nope\.csv: no such file/);
  });
});

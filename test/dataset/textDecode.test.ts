// Data files are decoded strictly: a byte that is not UTF-8 is an error naming file:line and the byte
// with the fix; UTF-16 byte-order marks are honoured, UTF-32 and NUL are clear errors; chunk
// boundaries change nothing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCsvFile, streamCsvFile } from '../../dataset/csv';
import { TextDecodeStream, decodeText } from '../../dataset/textDecode';

const cp1252 = (s: string) => Uint8Array.from([...s].map((c) => (c === 'é' ? 0xe9 : c.charCodeAt(0))));

describe('dataset/textDecode', () => {
  it('a cp1252 byte in a UTF-8 file is an error naming file:line, the byte and the fix', () => {
    const bytes = cp1252('a,b\nx,y\ncafé,1\n');
    assert.throws(() => decodeText(bytes, 'in.csv'), (e: Error) => {
      assert.equal(e.message, 'in.csv:3: invalid UTF-8 byte 0xE9 at byte offset 11: the file is not UTF-8; pass --encoding cp1252 (Windows/Excel "ANSI" files; latin1 works too) or re-save the file as UTF-8');
      return true;
    });
    assert.equal(decodeText(bytes, 'in.csv', { encoding: 'cp1252' }), 'a,b\nx,y\ncafé,1\n');
    assert.equal(decodeText(bytes, 'in.csv', { encoding: 'latin1' }), 'a,b\nx,y\ncafé,1\n');
  });

  it('finds the same line and byte when the file arrives one byte at a time', () => {
    const bytes = new Uint8Array([...Buffer.from('a,b\n€,x\n'), 0xc3, 0x28]);
    const d = new TextDecodeStream('s.csv');
    let text = '';
    assert.throws(() => {
      for (const b of bytes) text += d.push(Uint8Array.of(b));
      text += d.end();
    }, /^DataError: s\.csv:3: invalid UTF-8 byte 0xC3 at byte offset 10/);
    assert.equal(text, 'a,b\n€,x\n');
    assert.throws(() => decodeText(Uint8Array.of(0x61, 0xe2, 0x82), 't.csv'), /t\.csv:1: the file ends inside a UTF-8 character/);
  });

  it('decodes UTF-16 with a byte-order mark (LE and BE), strips a UTF-8 BOM, refuses UTF-32', () => {
    const text = 'id,text\n1,café ☕\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    assert.equal(decodeText(le, 'le.csv'), text);
    assert.equal(decodeText(be, 'be.csv'), text);
    assert.equal(decodeText(Buffer.from('\ufeff' + text), 'u8.csv'), text);
    assert.throws(() => decodeText(Uint8Array.of(0xff, 0xfe, 0, 0, 0x61, 0, 0, 0), 'u32.csv'), /u32\.csv: the file is UTF-32 .*re-save it as UTF-8/);
  });

  it('a NUL character is an error naming the line', () => {
    assert.throws(() => decodeText(Buffer.from('a,b\nx\0,y\n'), 'n.csv'), /^DataError: n\.csv:2: NUL character in the text/);
    // UTF-16 without a BOM: NULs everywhere; the message says what it probably is
    assert.throws(() => decodeText(Buffer.from('a,b\n', 'utf16le'), 'w.csv'), /w\.csv:1: NUL character .*--encoding utf-16le/);
  });

  it('readCsvFile and streamCsvFile decode alike (a multi-byte character split across stream chunks)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decode-'));
    const f = path.join(dir, 'a.csv');
    fs.writeFileSync(f, 'id,text\n1,ééééé\n2,"€ ☕"\n');
    const whole = (await readCsvFile(f)).map((r) => r.fields);
    const streamed: string[][] = [];
    for await (const recs of streamCsvFile(f, { highWaterMark: 3 })) streamed.push(...recs.map((r) => r.fields));
    assert.deepEqual(streamed, whole);
    assert.deepEqual(whole[2], ['2', '€ ☕']);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('id,text\n1,ok\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await assert.rejects(readCsvFile(bad), /bad\.csv:3: invalid UTF-8 byte 0xE9/);
    await assert.rejects(async () => {
      for await (const _ of streamCsvFile(bad, { highWaterMark: 4 })) void _;
    }, /bad\.csv:3: invalid UTF-8 byte 0xE9 at byte offset 18/);
    await assert.rejects(readCsvFile(f, { encoding: 'klingon' }), /unknown --encoding "klingon"/);
  });
});

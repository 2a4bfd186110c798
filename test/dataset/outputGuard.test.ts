// No output lands on a file the command reads: the same file under another spelling, through a
// symlink or a hard link is caught; two outputs naming one file are caught; new files pass.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertOutputsClear } from '../../dataset/outputGuard';

describe('dataset/outputGuard', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
  const model = path.join(dir, 'm.pth');
  fs.writeFileSync(model, 'weights');
  const data = path.join(dir, 'data.csv');
  fs.writeFileSync(data, 'id\n1\n');

  it('catches ./a vs a (relative to cwd), a symlink and a hard link, naming both flags', () => {
    const ins = [{ flag: 'input_path', path: 'data.csv' }, { flag: 'model_path', path: model }];
    assert.throws(() => assertOutputsClear([{ flag: 'output_path', path: './data.csv' }], ins, dir), /^DataError: \.\/data\.csv: refusing to write over an input file \(--output_path is the file given to --input_path data\.csv\); choose another --output_path$/);
    fs.symlinkSync(model, path.join(dir, 'link.pth'));
    assert.throws(() => assertOutputsClear([{ flag: 'output_path', path: path.join(dir, 'link.pth') }], ins, dir), /--output_path is the file given to --model_path/);
    fs.linkSync(data, path.join(dir, 'hard.csv'));
    assert.throws(() => assertOutputsClear([{ flag: 'save_model_path', path: 'hard.csv' }], ins, dir), /--save_model_path is the file given to --input_path/);
    // a symlinked folder on the way to a new name is the same folder
    fs.symlinkSync(dir, path.join(dir, 'again'));
    assert.throws(() => assertOutputsClear([{ flag: 'output_path', path: path.join(dir, 'again', 'data.csv') }], ins, dir), /refusing to write over an input file/);
  });

  it('lets new files and missing inputs through; refuses two outputs that are one file and files inside an input folder', () => {
    assertOutputsClear([{ flag: 'output_path', path: path.join(dir, 'new', 'out.csv') }], [{ flag: 'input_path', path: data }, { flag: 'tokenizer', path: undefined }, { flag: 'gold', path: path.join(dir, 'absent.csv') }], dir);
    assert.throws(() => assertOutputsClear([{ flag: 'out', path: 'x.html' }, { flag: 'html', path: path.join(dir, 'x.html') }], [], dir), /--html and --out name the same file/);
    const tok = path.join(dir, 'tok');
    fs.mkdirSync(tok);
    fs.writeFileSync(path.join(tok, 'tokenizer.json'), '{}');
    assert.throws(() => assertOutputsClear([{ flag: 'save_model_path', path: path.join(tok, 'tokenizer.json') }], [{ flag: 'tokenizer', path: tok }], dir), /is inside the folder given to --tokenizer/);
  });
  it('checks every output writable before any work: a folder, a trailing /, a file or a broken link on the way, the flag named (issue 22)', () => {
    const out = (p: string, flag = 'output_path') => () => assertOutputsClear([{ flag, path: p }], [], dir);
    fs.mkdirSync(path.join(dir, 'folder'), { recursive: true });
    assert.throws(out('folder', 'save_model_path'), /^DataError: folder: --save_model_path is a folder, not a file: give a file path inside it$/);
    assert.throws(out('newdir/'), /^DataError: newdir\/: --output_path ends in '\/', so it names a folder, not a file: give a file path inside it$/);
    assert.equal(fs.existsSync(path.join(dir, 'newdir')), false);
    assert.throws(out('data.csv/x.csv'), /--output_path cannot be created: .*data\.csv is a file, not a folder/);
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'broken'));
    assert.throws(out('broken/m.pth', 'save_model_path'), /--save_model_path cannot be created: .*broken is a broken link/);
    out('deep/new/folders/out.csv')(); // missing folders are created by the writer: fine
    if (fs.existsSync('/dev/null')) out('/dev/null')(); // a device is written in place: fine
  });

  it('names an input the command picks itself (the shipped model) as such', () => {
    const implied = { flag: 'model_path', path: model, implied: 'the shipped model, read when no --model_path is given,' };
    assert.throws(() => assertOutputsClear([{ flag: 'output_path', path: model }], [implied], dir), /--output_path is the shipped model, read when no --model_path is given, .*m\.pth\); choose another --output_path/);
  });
});

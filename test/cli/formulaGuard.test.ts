// Issue 22, item 7, end to end: the CSVs the commands write (formula cells guarded with a leading ')
// are read back by the next command as the text that was written — split → process-data, test →
// evaluate --pred — so rationales are found, posts and ids are the originals, and keys match.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { cli, fatalLines, SAMPLES, tmpDir } from './spawn';

const HEADER = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';
/** Rows whose ids, posts and rationales start with characters the guard protects. */
const HOSTILE = [
  '=1+1,r1,"@everyone I give up","-x is what I mean: that sounds so hard.",1,-x is what I mean',
  's2,@r2,"+1 for feeling lost","=SUM(A1) aside, I\'m sorry you feel this way.",2,"=SUM(A1) aside|I\'m sorry"',
  's3,-r3,"\'=quoted by me","\'hello there, what happened?",0,',
  's4,r4,"plain post","That must be hard, how are you holding up?",1,That must be hard',
].join('\n') + '\n';

describe('cli: the formula guard round-trips through the commands (issue 22, item 7)', function () {
  this.timeout(180_000);
  const dir = tmpDir('empathy-guard-');
  const raw = path.join(dir, 'emotional-reactions-hostile.csv');
  before(() => fs.writeFileSync(raw, HEADER + HOSTILE));

  it('split then process-data: the same rows, rationales found, as process-data on the original', () => {
    const direct = path.join(dir, 'direct.processed.csv');
    const d = cli(['process-data', '--input_path', raw, '--output_path', direct]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /rationales: 4 of 4 located, 0 not found/);
    const parts = path.join(dir, 'parts');
    const s = cli(['split', '--input_path', raw, '--out_dir', parts, '--ratios', '1,0,0']);
    assert.equal(s.code, 0, s.stderr);
    const train = path.join(parts, 'emotional-reactions-hostile.train.csv');
    assert.match(fs.readFileSync(train, 'utf8'), /^'=1\+1,r1,/m, 'the split file is guarded');
    const viaSplit = path.join(dir, 'via-split.processed.csv');
    const p = cli(['process-data', '--input_path', train, '--output_path', viaSplit]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /rationales: 4 of 4 located, 0 not found/);
    assert.equal(fs.readFileSync(viaSplit, 'utf8'), fs.readFileSync(direct, 'utf8'), 'byte for byte the same output');
    const rows = parseCsv(fs.readFileSync(viaSplit, 'utf8'), viaSplit);
    assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 3)), [
      ['=1+1_r1', '@everyone I give up', '-x is what I mean: that sounds so hard.'],
      ['s2_@r2', '+1 for feeling lost', "=SUM(A1) aside, I'm sorry you feel this way."],
      ['s3_-r3', "'=quoted by me", "'hello there, what happened?"],
      ['s4_r4', 'plain post', 'That must be hard, how are you holding up?'],
    ]);
  });

  it('test then evaluate --pred: every id has its prediction', () => {
    const model = path.join(dir, 'er.pth');
    const t = cli(['train', '--model', 'linear', '--train_path', path.join(SAMPLES, 'emotional-reactions-sample.csv'), '--save_model_path', model, '--no_run']);
    assert.equal(t.code, 0, t.stderr);
    const pred = path.join(dir, 'pred.csv');
    const s = cli(['test', '--input_path', raw, '--output_path', pred, '--model_path', model]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(fs.readFileSync(pred, 'utf8'), /^'=1\+1_r1,'@everyone I give up,/m, 'the predictions file is guarded');
    const e = cli(['evaluate', '--gold', raw, '--pred', pred, '--json']);
    assert.equal(e.code, 0, `${fatalLines(e).join('\n')}\n${e.stderr}`);
    assert.equal(fatalLines(e).length, 0);
  });
});

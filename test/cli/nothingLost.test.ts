// Issue 13, "Nothing lost", end to end through the CLI: no output over a file the command reads (every
// output flag), interrupted scoring never replaces a complete output and leaves no temp file, data
// files are decoded strictly (--encoding for others), CSV cells are never formulas and never trimmed.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { cli, cliAsync, fatalLines, SAMPLES, sha, tmpDir } from './spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
const RAW_HEADER = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';

/** Run the CLI until its stderr matches `when`, send `signal`, resolve with the exit code and output. */
async function interrupt(args: string[], when: RegExp, signal: NodeJS.Signals) {
  const child = cliAsync(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (when.test(stderr) && !child.killed) child.kill(signal);
  });
  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
  return { code, sig, stdout, stderr };
}

describe('cli: nothing lost (issue 13, items 4–7)', function () {
  this.timeout(180_000);
  const dir = tmpDir('empathy-nothing-lost-');
  const model = path.join(dir, 'er.pth');
  const train = path.join(dir, 'emotional-reactions-train.csv');

  before(() => {
    fs.copyFileSync(ER, train);
    const r = cli(['train', '--model', 'linear', '--train_path', train, '--save_model_path', model, '--no_run']);
    assert.equal(r.code, 0, r.stderr);
  });

  describe('4: no output over a file the command reads', () => {
    const refused = (args: string[], victim: string, flags: RegExp) => {
      const before = sha(victim);
      const r = cli(args, { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(fatalLines(r)[0], /refusing to write over an input file/);
      assert.match(fatalLines(r)[0], flags);
      assert.equal(sha(victim), before, `${victim} changed`);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    };

    it('test --output_path over the model', () => {
      refused(['test', '--input_path', ER, '--output_path', 'er.pth', '--model_path', model], model, /--output_path is the file given to --model_path/);
      refused(['test', '--input_path', ER, '--output_path', './er.pth', '--ER_model_path', 'er.pth'], model, /--output_path is the file given to --ER_model_path/);
    });

    it('evaluate --output_path over the gold CSV or the model', () => {
      refused(['evaluate', '--gold', train, '--model_path', model, '--output_path', train], train, /--output_path is the file given to --gold/);
      refused(['evaluate', '--gold', train, '--model_path', model, '--output_path', model], model, /--output_path is the file given to --model_path/);
    });

    it('train --save_model_path over the training CSV (also through a symlink) and --log_jsonl over a dev set', () => {
      fs.symlinkSync(train, path.join(dir, 'link.csv'));
      refused(['train', '--model', 'linear', '--train_path', train, '--save_model_path', 'link.csv', '--no_run'], train, /--save_model_path is the file given to --train_path/);
      const dev = path.join(dir, 'emotional-reactions-dev.csv');
      fs.copyFileSync(ER, dev);
      refused(['train', '--model', 'linear', '--train_path', train, '--dev_path', dev, '--do_validation', '--log_jsonl', dev, '--no_run'], dev, /--log_jsonl is the file given to --dev_path/);
    });

    it('process-data, cv --json and split over their inputs', () => {
      refused(['process-data', '--input_path', train, '--output_path', path.join(dir, '.', path.basename(train))], train, /--output_path is the file given to --input_path/);
      refused(['cv', '--data', train, '--preset', 'linear', '--folds', '2', '--json', train], train, /--json is the file given to --data/);
      // split writes DIR/<name>.train.csv: with inputs x.csv and x.train.csv, x.csv's train part is the second input
      const part = path.join(dir, 'emotional-reactions-train.train.csv');
      fs.copyFileSync(ER, part);
      refused(['split', '--input_path', `${train},${part}`, '--out_dir', `${dir}/.`], part, /--out_dir is the file given to --input_path/);
    });
  });

  describe('4: … and for the report and notebook outputs', () => {
    it('report --out over a run record, run --out and --html naming one file', () => {
      const runs = path.join(dir, 'runs');
      const t = cli(['train', '--model', 'linear', '--train_path', train, '--runs_dir', runs]);
      assert.equal(t.code, 0, t.stderr);
      const m = /^run (\S+) → (.*)$/m.exec(t.stderr);
      assert.ok(m, t.stderr);
      const record = path.join(m[2], 'run.json');
      const before = sha(record);
      const r = cli(['report', m[1], '--runs_dir', runs, '--out', record]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(fatalLines(r)[0], new RegExp(`refusing to write over an input file \\(--out is inside the folder given to RUN ${m[1]}`));
      assert.equal(sha(record), before);
      const nb = path.join(dir, 'nb.empathy');
      fs.writeFileSync(nb, '');
      const n = cli(['run', nb, '--out', path.join(dir, 'same.html'), '--html', './same.html'], { cwd: dir });
      assert.equal(n.code, 1, n.stderr);
      assert.match(fatalLines(n)[0], /--html and --out name the same file/);
      assert.equal(fs.existsSync(path.join(dir, 'same.html')), false);
    });
  });

  describe('5: interrupted writes', () => {
    const many = path.join(dir, 'many.csv');
    const out = path.join(dir, 'many.scored.csv');
    before(() => {
      let text = 'id,seeker_post,response_post\n';
      for (let i = 0; i < 20_000; i++) text += `${i},"I feel low today, number ${i}.","That sounds hard, I'm sorry. What happened?"\n`;
      fs.writeFileSync(many, text);
      fs.writeFileSync(out, 'a previous complete output\n');
    });
    const args = () => ['test', '--input_path', many, '--output_path', out, '--model_path', model, '--chunk_rows', '16'];
    const temps = () => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

    it('SIGTERM: no temp file is left and the previous output is untouched', async () => {
      const before = sha(out);
      const r = await interrupt(args(), /scoring (?:[A-Z]{2} )?(1[6-9]|[2-9]\d|\d{3,})\/20000/, 'SIGTERM');
      assert.equal(r.sig, 'SIGTERM', r.stderr);
      assert.deepEqual(temps(), []);
      assert.equal(sha(out), before);
    });

    it('Ctrl-C: the rows done go to OUT.partial.csv, complete; the previous OUT.csv stays whole', async () => {
      const before = sha(out);
      const r = await interrupt(args(), /scoring (?:[A-Z]{2} )?(1[6-9]|[2-9]\d|\d{3,})\/20000/, 'SIGINT');
      assert.equal(r.code, 130, r.stderr);
      const partial = path.join(dir, 'many.scored.partial.csv');
      const m = /interrupted: wrote the first (\d+) of 20000 rows to (.*) \((.*) left as it was\)/.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.equal(m[2], partial);
      assert.equal(sha(out), before);
      const rows = parseCsv(fs.readFileSync(partial, 'utf8'), partial);
      assert.equal(rows.length - 1, Number(m[1]));
      assert.match(r.stderr, new RegExp(`^scoring: ${m[1]}/20000 rows in`, 'm'), 'the progress totals count the rows kept (issue 22, item 5)');
      assert.ok(rows.slice(1).every((row, i) => row[0] === String(i) && row.length === 9));
      assert.deepEqual(temps(), []);
      assert.match(cli(['test', '--help']).stdout, /Ctrl-C writes the rows already scored to OUT\.partial\.csv/);
    });
  });

  describe('6: encodings', () => {
    const cp = path.join(dir, 'emotional-reactions-cp1252.csv');
    before(() => {
      const text = `${RAW_HEADER}s1,r1,I need a café,Sorry to hear that,1,Sorry\ns2,r2,Work is hard,That must be tough,1,tough\ns3,r3,Help,What happened?,0,\n`;
      fs.writeFileSync(cp, Buffer.from(text, 'latin1'));
    });

    it('a cp1252 file is an error naming file:line and the byte in process-data, train, test and evaluate; --encoding cp1252 reads it', () => {
      const msg = new RegExp(`^empathy: ${cp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid UTF-8 byte 0xE9 at byte offset \\d+: the file is not UTF-8; pass --encoding cp1252`);
      const out = path.join(dir, 'cp.out.csv');
      for (const args of [
        ['process-data', '--input_path', cp, '--output_path', out],
        ['train', '--model', 'linear', '--train_path', cp, '--no_run'],
        ['test', '--input_path', cp, '--output_path', out, '--model_path', model],
        ['evaluate', '--gold', cp, '--model_path', model],
      ]) {
        const r = cli(args);
        assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
        assert.match(fatalLines(r)[0], msg, args[0]);
      }
      assert.equal(fs.existsSync(out), false);
      const ok = cli(['process-data', '--input_path', cp, '--output_path', out, '--encoding', 'cp1252']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(parseCsv(fs.readFileSync(out, 'utf8'), out)[1][1], 'I need a café');
      const scored = path.join(dir, 'cp.scored.csv');
      assert.equal(cli(['test', '--input_path', cp, '--output_path', scored, '--model_path', model, '--encoding', 'cp1252']).code, 0);
      assert.equal(parseCsv(fs.readFileSync(scored, 'utf8'), scored)[1][1], 'I need a café');
    });

    it('UTF-16 with a byte-order mark is read; NUL bytes are an error; duplicate ids are a counted warning', () => {
      const u16 = path.join(dir, 'emotional-reactions-u16.csv');
      const text = `${RAW_HEADER}s1,r1,I need a café,Sorry to hear that,1,Sorry\ns1,r1,Work is hard,That must be tough,1,tough\n`;
      fs.writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      const out = path.join(dir, 'u16.out.csv');
      const r = cli(['process-data', '--input_path', u16, '--output_path', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(parseCsv(fs.readFileSync(out, 'utf8'), out)[1][1], 'I need a café');
      assert.match(r.stderr, /warning: .*u16\.csv: 1 row\(s\) repeat an id \(sp_id, rp_id\) already seen, first at line 3/);
      const t = cli(['train', '--model', 'linear', '--train_path', u16, '--no_run']);
      assert.match(t.stderr, /warning: .*u16\.csv: 1 row\(s\) repeat an id/);
      const pairs = path.join(dir, 'pairs.csv');
      fs.writeFileSync(pairs, 'id,seeker_post,response_post\n7,a,b\n7,c,d\n8,e,f\n7,g,h\n');
      const s = cli(['test', '--input_path', pairs, '--output_path', path.join(dir, 'pairs.out.csv'), '--model_path', model]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stderr, /warning: .*pairs\.csv: 2 row\(s\) repeat an id already seen/);
      const nul = path.join(dir, 'emotional-reactions-nul.csv');
      fs.writeFileSync(nul, `${RAW_HEADER}s1,r1,a\0b,Sorry,1,Sorry\n`);
      const n = cli(['process-data', '--input_path', nul, '--output_path', path.join(dir, 'nul.out.csv')]);
      assert.equal(n.code, 1);
      assert.match(fatalLines(n)[0], /nul\.csv:2: NUL character in the text/);
    });
  });

  describe('7: CSV formula injection', () => {
    it('test neutralises = + - @ TAB CR cells by default, never trims, and --raw_csv writes them verbatim', () => {
      const input = path.join(dir, 'inject.csv');
      fs.writeFileSync(input, `id,seeker_post,response_post\n1,"@SUM(A1)","=cmd|' /C calc'!A0"\n2,"+1+2","\r=1+2"\n-3,"\tx","- fine -"\n`);
      const out = path.join(dir, 'inject.out.csv');
      const r = cli(['test', '--input_path', input, '--output_path', out, '--model_path', model]);
      assert.equal(r.code, 0, r.stderr);
      // In the file, as a spreadsheet sees it: the guard's ' in front (and the header's mark, "id")
      const text = fs.readFileSync(out, 'utf8');
      assert.ok(text.startsWith('"id",seeker_post,'), text.slice(0, 40));
      for (const cell of ["1,'@SUM(A1),'=cmd|' /C calc'!A0,", "2,'+1+2,\"'\r=1+2\"", "-3,'\tx,'- fine -"]) assert.ok(text.includes(cell), cell);
      // … and read back by the project, the text as it was (issue 22, item 7)
      const rows = parseCsv(text, out);
      assert.deepEqual(rows.slice(1).map((x) => x.slice(0, 3)), [
        ['1', '@SUM(A1)', "=cmd|' /C calc'!A0"],
        ['2', '+1+2', '\r=1+2'],
        ['-3', '\tx', '- fine -'],
      ]);
      const raw = path.join(dir, 'inject.raw.csv');
      assert.equal(cli(['test', '--input_path', input, '--output_path', raw, '--model_path', model, '--raw_csv']).code, 0);
      assert.deepEqual(parseCsv(fs.readFileSync(raw, 'utf8'), raw).slice(1).map((x) => x.slice(0, 3)), [
        ['1', '@SUM(A1)', "=cmd|' /C calc'!A0"],
        ['2', '+1+2', '\r=1+2'],
        ['-3', '\tx', '- fine -'],
      ]);
      assert.match(cli(['test', '--help']).stdout, /--raw_csv/);
    });
  });
});

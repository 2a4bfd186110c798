// The data commands end to end through `node bin/empathy.js`: help, process-data, stats, split,
// download-data (offline path), and the bad-input cases — one-line errors, non-zero exits, inputs untouched.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { cli, fatalLines, SAMPLES, sha, tmpDir } from './spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
const HEADER = 'sp_id,rp_id,seeker_post,response_post,level,rationales\n';

describe('cli: help and usage errors', () => {
  it('prints help for every command', () => {
    const top = cli(['--help']);
    assert.equal(top.code, 0);
    for (const name of ['process-data', 'train', 'test', 'evaluate', 'predict', 'split', 'stats', 'download-data']) {
      assert.ok(top.stdout.includes(name), name);
      const r = cli([name, '--help']);
      assert.equal(r.code, 0, name);
      assert.match(r.stdout, new RegExp(`usage: empathy ${name}`));
    }
    const train = cli(['train', '--help']).stdout;
    for (const flag of ['--lr', '--lambda_EI', '--lambda_RE', '--dropout', '--max_len', '--batch_size', '--epochs', '--seed_val', '--train_path', '--dev_path', '--test_path', '--do_validation', '--do_test', '--save_model ', '--save_model_path']) {
      assert.ok(train.includes(flag), flag);
    }
    assert.match(train, /--lr N\s+learning rate \(default: 0\.00002\)/);
  });

  it('unknown commands and flags exit 2 with one line', () => {
    const a = cli(['trian']);
    assert.equal(a.code, 2);
    assert.equal(fatalLines(a).length, 1);
    assert.match(fatalLines(a)[0], /^empathy: unknown command 'trian' \(commands: process-data, train, test, evaluate, predict, split, stats, download-data/);
    const b = cli(['train', '--learning_rate', '1']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^empathy: unknown option --learning_rate for 'train'/m);
  });
});

describe('cli: process-data', () => {
  it('converts the shipped sample, counting located rationales, never touching the input', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'nested', 'er.csv');
    const before = sha(ER);
    const r = cli(['process-data', '--input_path', ER, '--output_path', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /processed 24 rows/);
    assert.match(r.stdout, /rationales: 12 of 12 located, 0 not found/);
    assert.match(r.stdout, /tokenizer: words/);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'), out);
    assert.deepEqual(rows[0], ['id', 'seeker_post', 'response_post', 'labels', 'rationale_labels', 'rationale_labels_trimmed', 'response_post_masked', 'rationale_spans']);
    assert.equal(rows.length, 25);
    assert.ok(rows.slice(1).every((x) => x[4].split(',').length === 64));
    assert.equal(sha(ER), before);
  });

  it('--paper_faithful labels every token of a rationale-less row', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'pf.csv');
    assert.equal(cli(['process-data', '--input_path', ER, '--output_path', out, '--paper_faithful']).code, 0);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'), out);
    const zero = rows.find((x) => x[3] === '0')!;
    assert.equal(zero[4].split(',')[1], '1');
    assert.equal(zero[6], '');
  });

  it('refuses to write over its input', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'emotional-reactions-x.csv');
    fs.copyFileSync(ER, f);
    const r = cli(['process-data', '--input_path', f, '--output_path', f]);
    assert.equal(r.code, 1);
    assert.match(fatalLines(r)[0], /refusing to write over an input file/);
    assert.equal(sha(f), sha(ER));
  });

  const bad: Array<[string, string, RegExp]> = [
    ['malformed quotes', HEADER + 's,r,"ok","fine",0,\ns2,r2,"oops,"no close,1,\n', /bad\.csv:3: malformed CSV/],
    ['missing column', 'sp_id,rp_id,seeker_post,response_post,rationales\ns,r,a,b,\n', /bad\.csv:1: missing column "level"/],
    ['bad level', HEADER + 's,r,a,b,0,\ns,r2,a,b,5,\n', /bad\.csv:3: level must be 0, 1 or 2, found "5"/],
    ['empty file', '', /bad\.csv: empty file/],
    ['empty post', HEADER + 's,r,a,"",1,x\n', /bad\.csv:2: empty response_post/],
  ];
  for (const [name, content, re] of bad) {
    it(`bad input (${name}): one clear line naming file/row, exit 1, input untouched, no output`, () => {
      const dir = tmpDir();
      const f = path.join(dir, 'bad.csv');
      fs.writeFileSync(f, content);
      const before = sha(f);
      const out = path.join(dir, 'out.csv');
      const r = cli(['process-data', '--input_path', f, '--output_path', out]);
      assert.equal(r.code, 1);
      const lines = fatalLines(r);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], re);
      assert.equal(sha(f), before);
      assert.equal(fs.existsSync(out), false);
      assert.deepEqual(fs.readdirSync(dir), ['bad.csv']);
    });
  }

  it('warns with a count when rationales are not substrings', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'x_ER.csv');
    fs.writeFileSync(f, HEADER + 's,r,a,"I am sorry",1,so sorry|I am\n');
    const r = cli(['process-data', '--input_path', f, '--output_path', path.join(dir, 'o.csv')]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: .*1 rationale\(s\) are not exact substrings.*1 not found \(first at line 2\)/);
    assert.match(r.stdout, /rationales: 1 of 2 located, 1 not found/);
  });
});

describe('cli: stats and split', () => {
  it('stats reports levels, truncation (naming the tokens), duplicates and coverage', () => {
    const r = cli(['stats', '--input_path', path.join(SAMPLES, 'explorations-sample.csv'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [s] = JSON.parse(r.stdout);
    assert.equal(s.rows, 24);
    assert.equal(s.mechanism, 'EX');
    assert.equal(s.levels.counts.reduce((a: number, b: number) => a + b, 0), 24);
    assert.match(s.truncation.tokens, /^words/);
    assert.equal(s.rationales.notFound, 0);
  });

  it('split keeps the three files aligned, no seeker post in two parts, seeded', () => {
    const dir = tmpDir();
    const files = ['emotional-reactions', 'interpretations', 'explorations'].map((m) => path.join(SAMPLES, `${m}-sample.csv`));
    const r = cli(['split', '--input_path', files.join(','), '--out_dir', dir, '--ratios', '0.5,0.25,0.25', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const parts = (m: string) => ['train', 'dev', 'test'].map((p) => parseCsv(fs.readFileSync(path.join(dir, `${m}-sample.${p}.csv`), 'utf8'), 'x').slice(1).map((x) => x[0]));
    const er = parts('emotional-reactions');
    assert.deepEqual(parts('explorations'), er);
    assert.equal(er.flat().length, 24);
    assert.equal(new Set(er.flat()).size, 24);
    assert.ok(er[0].length >= 10 && er[1].length >= 4 && er[2].length >= 4, JSON.stringify(er.map((x) => x.length)));
    const dir2 = tmpDir();
    cli(['split', '--input_path', files[0], '--out_dir', dir2, '--ratios', '0.5,0.25,0.25', '--seed', '3']);
    assert.equal(fs.readFileSync(path.join(dir2, 'emotional-reactions-sample.train.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'emotional-reactions-sample.train.csv'), 'utf8'));
  });
});

describe('cli: download-data', () => {
  it('says clearly when the network is unreachable and writes nothing', async () => {
    // a port nothing listens on: bind one, then close it
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const dir = tmpDir();
    const r = cli(['download-data', '--out_dir', path.join(dir, 'data'), '--base_url', `http://127.0.0.1:${port}/dataset`, '--timeout', '5']);
    assert.equal(r.code, 1);
    const lines = fatalLines(r);
    assert.equal(lines.length, 1);
    assert.match(lines[0], new RegExp(`^empathy: cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): no network\\?`));
    assert.equal(fs.existsSync(path.join(dir, 'data', 'emotional-reactions-reddit.csv')), false);
  });
});

describe('cli: evaluate input errors', () => {
  const PRED_HEADER = 'id,seeker_post,response_post,ER_label,IP_label,EX_label,ER_rationale,IP_rationale,EX_rationale\n';
  it('a prediction missing for a gold id, a token-label rationale file and a missing column are one-line errors', () => {
    const dir = tmpDir();
    const gold = path.join(dir, 'gold_ER.csv');
    fs.writeFileSync(gold, HEADER + 's1,r1,S,"I am sorry.",1,I am sorry\ns2,r2,S,Ok,0,\n');
    const p1 = path.join(dir, 'p1.csv');
    fs.writeFileSync(p1, PRED_HEADER + 's1_r1,S,"I am sorry.",1,,,I am sorry,,\n');
    const a = cli(['evaluate', '--gold', gold, '--pred', p1]);
    assert.equal(a.code, 1);
    assert.deepEqual(fatalLines(a), [`empathy: ${p1}: no prediction for id s2_r2 (from ${gold})`]);
    const p2 = path.join(dir, 'p2.csv');
    fs.writeFileSync(p2, PRED_HEADER + 's1_r1,S,"I am sorry.",1,,,"[0, 1, 1]",,\ns2_r2,S,Ok,0,,,"[0, 0]",,\n');
    const b = cli(['evaluate', '--gold', gold, '--pred', p2]);
    assert.equal(b.code, 1);
    assert.match(fatalLines(b)[0], /p2\.csv:2: ER_rationale holds token labels; evaluate needs span predictions/);
    const p3 = path.join(dir, 'p3.csv');
    fs.writeFileSync(p3, 'id,response_post,ER_label\ns1_r1,x,1\n');
    const c = cli(['evaluate', '--gold', gold, '--pred', p3]);
    assert.equal(c.code, 1);
    assert.match(fatalLines(c)[0], /p3\.csv:1: missing column "ER_rationale"/);
    const ok = path.join(dir, 'ok.csv');
    fs.writeFileSync(ok, PRED_HEADER + 's1_r1,S,"I am sorry.",1,,,I am sorry,,\ns2_r2,S,Ok,0,,,,,\n');
    const d = cli(['evaluate', '--gold', gold, '--pred', ok, '--json']);
    assert.equal(d.code, 0, d.stderr);
    const m = JSON.parse(d.stdout).report.mechanisms.ER;
    assert.equal(m.accuracy, 1);
    assert.equal(m.rationale.all.tokenF1, 1);
    assert.equal(m.rationale.all.iouF1, 1);
  });
});


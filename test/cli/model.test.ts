// The model commands end to end on the shipped samples (tiny preset, one epoch): train (single and
// joint), test, evaluate (from predictions and from a model), predict, resume, Ctrl-C, missing models.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../../dataset/csv';
import { loadCheckpoint } from '../../kernel/engine/checkpoint';
import { softRationaleRule } from '../../kernel/models/ensemble/config';
import { cli, cliAsync, fatalLines, SAMPLES, sha, tmpDir } from './spawn';

const ER = path.join(SAMPLES, 'emotional-reactions-sample.csv');
const TEST_IN = path.join(SAMPLES, 'sample_test_input.csv');
const TINY = ['--preset', 'tiny', '--vocab_size', '300', '--epochs', '1', '--batch_size', '8'];

describe('cli: train / test / evaluate / predict', function () {
  this.timeout(180_000);
  const dir = tmpDir();
  const erModel = path.join(dir, 'output', 'sample_ER.pth');
  const jointModel = path.join(dir, 'joint.pth');
  let trainOut = '';

  before(() => {
    const r = cli(['train', '--train_path', ER, '--dev_path', ER, '--do_validation', '--save_model', '--save_model_path', erModel, '--log_jsonl', path.join(dir, 'log.jsonl'), ...TINY]);
    assert.equal(r.code, 0, r.stderr);
    trainOut = r.stdout;
    const j = cli(['train', '--train_path', ER, '--joint', '--limit', '16', '--save_model', '--save_model_path', jointModel, ...TINY]);
    assert.equal(j.code, 0, j.stderr);
    assert.match(j.stdout, /mechanisms = {2}ER, IP, EX/);
  });

  it("train prints the original's Args block and validation lines with corpus-level beside, and saves where asked", () => {
    assert.match(trainOut, /=====================Args====================\nlr = {2}2e-05\nlambda_EI = {2}0\.5\nlambda_RE = {2}0\.5\ndropout = {2}0\.1\nmax_len = {2}64\nbatch_size = {2}8\nepochs = {2}1\nseed_val = {2}12/);
    for (const k of ['Accuracy-Empathy', 'macro_f1_empathy', 'Accuracy-Rationale', 'IOU-F1-Rationale', 'macro_f1_rationale']) assert.match(trainOut, new RegExp(`^  ${k}: \\d\\.\\d{4}`, 'm'));
    assert.match(trainOut, /Accuracy-Empathy: \d\.\d{4}\s+\(corpus \d\.\d{4}\)/);
    assert.match(trainOut, /total_steps = 3\nnum_batch = 3/);
    assert.ok(fs.statSync(erModel).size > 1000); // output/ folder created
    const events = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const kinds = events.map((e) => e.type).filter((t) => t !== 'log');
    assert.deepEqual([kinds[0], kinds.at(-1)], ['start', 'end']);
    assert.ok(events.every((e) => typeof e.time === 'string'));
    assert.equal(events.filter((e) => e.type === 'step').length, 3);
  });

  it('test writes the original columns for per-mechanism paths and a joint model', () => {
    const out = path.join(dir, 'scored.csv');
    const r = cli(['test', '--input_path', TEST_IN, '--output_path', out, '--ER_model_path', erModel, '--IP_model_path', jointModel, '--EX_model_path', jointModel]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 6 rows/);
    assert.match(r.stderr, /scoring ER \(model 1\/2\) 0\/6 rows/); // names the mechanism(s) it is scoring
    assert.match(r.stderr, /scoring IP\+EX \(model 2\/2\) 6\/6 rows \(100%\), [\d.]+ rows\/s/);
    assert.match(r.stderr, /^scoring: 6\/6 rows in \d+:\d\d \(.* · ER\+IP\+EX: ER levels 0\/1\/2 \d+\/\d+\/\d+/m); // totals
    const rows = parseCsv(fs.readFileSync(out, 'utf8'), out);
    assert.deepEqual(rows[0], ['id', 'seeker_post', 'response_post', 'ER_label', 'IP_label', 'EX_label', 'ER_rationale', 'IP_rationale', 'EX_rationale']);
    assert.equal(rows.length, 7);
    for (const row of rows.slice(1)) {
      assert.ok(['0', '1', '2'].includes(row[3]) && ['0', '1', '2'].includes(row[4]) && ['0', '1', '2'].includes(row[5]));
      for (const span of row.slice(6).flatMap((c) => (c ? c.split('|') : []))) assert.ok(row[2].includes(span), `${span} not in ${row[2]}`);
    }
    const labels = path.join(dir, 'labels.csv');
    assert.equal(cli(['test', '--input_path', TEST_IN, '--output_path', labels, '--model_path', jointModel, '--rationale_format', 'labels', '--chunk_rows', '4']).code, 0);
    const lr = parseCsv(fs.readFileSync(labels, 'utf8'), labels);
    assert.equal(lr.length, 7);
    assert.match(lr[1][6], /^\[([01], ){63}[01]\]$/);
    // The token labels agree with the spans: a mechanism with no span has no 1 (IP and EX came from the joint model both times).
    for (let i = 1; i < rows.length; i++) {
      for (const c of [7, 8]) assert.equal(rows[i][c] === '', !lr[i][c].includes('1'), `row ${i} column ${rows[0][c]}: spans ${JSON.stringify(rows[i][c])} vs labels ${lr[i][c]}`);
    }
  });

  it('test: a missing model file is one clear error, nothing written', () => {
    const out = path.join(dir, 'none.csv');
    const r = cli(['test', '--input_path', TEST_IN, '--output_path', out, '--ER_model_path', path.join(dir, 'nope.pth')]);
    assert.equal(r.code, 1);
    assert.deepEqual(fatalLines(r), [`empathy: --ER_model_path: no such model file ${path.join(dir, 'nope.pth')}`]);
    assert.equal(fs.existsSync(out), false);
    const p = cli(['predict', '--seeker', 'a', '--response', 'b', '--model_path', path.join(dir, 'nope.pth')]);
    assert.equal(p.code, 1);
    assert.match(fatalLines(p)[0], /no such model file/);
  });

  it('evaluate from a predictions CSV: all metrics, corpus-level and paper-faithful side by side, --json', () => {
    const pred = path.join(dir, 'pred_er.csv');
    assert.equal(cli(['test', '--input_path', ER, '--output_path', pred, '--ER_model_path', erModel]).code, 0);
    const r = cli(['evaluate', '--gold', ER, '--pred', pred]);
    assert.equal(r.code, 0, r.stderr);
    for (const s of ['accuracy', 'macro-F1', "Cohen's kappa", 'kappa (quadratic)', 'confusion', 'token-F1', 'IOU-F1', 'paper-faithful', 'level>0 rows']) assert.ok(r.stdout.includes(s), s);
    const j = JSON.parse(cli(['evaluate', '--gold', ER, '--pred', pred, '--json']).stdout);
    const m = j.report.mechanisms.ER;
    assert.equal(m.n, 24);
    assert.equal(m.confusion.flat().reduce((a: number, b: number) => a + b, 0), 24);
    assert.ok(m.paperFaithful.batchSize === 32 && m.rationale.positive.tokenF1 >= 0);
  });

  it('evaluate from a model agrees with the model on level accuracy', () => {
    const j = JSON.parse(cli(['evaluate', '--gold', ER, '--model_path', erModel, '--json']).stdout);
    const pred = path.join(dir, 'pred_er2.csv');
    cli(['test', '--input_path', ER, '--output_path', pred, '--ER_model_path', erModel]);
    const k = JSON.parse(cli(['evaluate', '--gold', ER, '--pred', pred, '--json']).stdout);
    assert.equal(j.report.mechanisms.ER.accuracy, k.report.mechanisms.ER.accuracy);
    assert.ok(Number.isFinite(j.report.loss));
  });

  it('train --model takes a preset: offline-default-soft is the ensemble with the soft rationale gate', async () => {
    const file = path.join(dir, 'soft.pth');
    const r = cli(['train', '--model', 'offline-default-soft', '--train_path', ER, '--joint', '--save_model', '--save_model_path', file, '--runs_dir', path.join(dir, 'runs')]);
    assert.equal(r.code, 0, r.stderr);
    const ck = await loadCheckpoint(file);
    assert.equal(ck.family, 'ensemble');
    const cfg = ck.config as { rationaleGate: unknown; rationaleThreshold: unknown; rationaleMix: unknown };
    assert.deepEqual(cfg.rationaleGate, { minPositiveProb: {}, soft: ['ER', 'IP', 'EX'] });
    assert.deepEqual(cfg.rationaleThreshold, softRationaleRule.rationaleThreshold);
    assert.deepEqual(cfg.rationaleMix, softRationaleRule.rationaleMix);
    const bad = cli(['train', '--model', 'no-such-model', '--train_path', ER]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown --model "no-such-model" \(available: .*offline-default-soft/);
  });

  it('predict prints levels and the rationale, or JSON', () => {
    const r = cli(['predict', '--seeker', 'I lost my job today.', '--response', "I'm so sorry. What happened?", '--model_path', jointModel]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ER Emotional Reactions: level [012] \((no|weak|strong)\)/m);
    assert.match(r.stdout, /^EX Explorations: level/m);
    // The same backend ladder as train, reported on stderr with why faster rungs were skipped.
    assert.match(r.stderr, /^backend = .+ on (CPU|GPU) \[(auto|env)/m);
    if (!process.env.EMPATHY_BACKEND && !/^backend = (webgpu|tfjs-node-gpu)/m.test(r.stderr)) assert.match(r.stderr, /^backend = .* \[auto; skipped tensorflow-gpu: [^;]+; webgpu: /m);
    const forced = cli(['predict', '--seeker', 'a', '--response', 'I hear you.', '--ER_model_path', erModel, '--backend', 'wasm', '--threads', '1', '--json'], { env: { EMPATHY_WASM_THREADS: '' } });
    assert.equal(forced.code, 0, forced.stderr);
    if (!process.env.EMPATHY_BACKEND) assert.match(forced.stderr, /^backend = wasm \(SIMD, 1 thread\)( · matmul: [^\n]*)? on CPU \[flag; skipped tensorflow-gpu: not tried: 'wasm' was forced \(flag\); webgpu: not tried/m);
    const j = JSON.parse(cli(['predict', '--seeker', 'a', '--response', 'I hear you.', '--ER_model_path', erModel, '--json']).stdout);
    assert.equal(j.mechanisms.ER.probs.length, 3);
    assert.equal(j.mechanisms.IP, undefined);
  });

  it('train: unknown mechanism, missing training file and a bad --save_model usage are clear errors', () => {
    const d = tmpDir();
    const f = path.join(d, 'pairs.csv');
    fs.copyFileSync(ER, f);
    const a = cli(['train', '--train_path', f, ...TINY]);
    assert.equal(a.code, 2);
    assert.match(fatalLines(a)[0], /cannot tell the mechanism of .*pairs\.csv from its name; pass --mechanism ER\|IP\|EX/);
    const b = cli(['train', '--train_path', path.join(d, 'emotional-reactions-missing.csv'), ...TINY]);
    assert.equal(b.code, 1);
    assert.match(fatalLines(b)[0], /emotional-reactions-missing\.csv: no such file/);
    const c = cli(['train', '--train_path', ER, '--save_model']);
    assert.equal(c.code, 2);
    assert.match(fatalLines(c)[0], /--save_model needs --save_model_path/);
    const m = cli(['train', '--train_path', f, '--mechanism', 'XX']);
    assert.equal(m.code, 2);
    assert.match(fatalLines(m)[0], /--mechanism must be one of ER, IP, EX/);
  });

  it('train on a processed file and resume from a checkpoint', () => {
    const processed = path.join(dir, 'emotional-reactions.processed.csv');
    assert.equal(cli(['process-data', '--input_path', ER, '--output_path', processed]).code, 0);
    const ck = path.join(dir, 'resume.pth');
    const a = cli(['train', '--train_path', processed, '--save_model', '--save_model_path', ck, ...TINY]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /\(ER, processed, 24 rows\)/);
    const b = cli(['train', '--train_path', processed, '--resume', ck, '--save_model', '--save_model_path', ck, ...TINY, '--epochs', '2']);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /resumed at step 3/);
  });

  it('Ctrl-C stops training cleanly, saves the checkpoint and says where', async () => {
    const ck = path.join(dir, 'interrupted.pth');
    const before = sha(ER);
    const child = cliAsync(['train', '--train_path', ER, '--save_model', '--save_model_path', ck, '--preset', 'tiny', '--vocab_size', '300', '--epochs', '200', '--batch_size', '4']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/training \d+\/\d+ steps/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted — stopping after the current batch/);
    assert.match(stdout, /interrupted at step \d+\./);
    assert.match(stdout, new RegExp(`checkpoint saved to ${ck.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; continue with: empathy train … --resume`));
    assert.ok(fs.existsSync(ck));
    assert.equal(sha(ER), before);
  });

  it('Ctrl-C while scoring keeps the rows already written, complete, in OUT.partial.csv', async () => {
    const input = path.join(dir, 'many.csv');
    let text = 'id,seeker_post,response_post\n';
    for (let i = 0; i < 400; i++) text += `${i},"I feel low today, number ${i}.","That sounds hard, I'm sorry. What happened?"\n`;
    fs.writeFileSync(input, text);
    const out = path.join(dir, 'many.scored.csv');
    const child = cliAsync(['test', '--input_path', input, '--output_path', out, '--ER_model_path', erModel, '--chunk_rows', '16']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/scoring [^\n]*?(1[6-9]|[2-9]\d)\/400/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 130, stderr);
    const m = /interrupted: wrote the first (\d+) of 400 rows to (.*) \(/.exec(stdout);
    assert.ok(m, stdout);
    assert.equal(m[2], path.join(dir, 'many.scored.partial.csv'));
    assert.equal(fs.existsSync(out), false, 'OUT.csv is only ever a complete output');
    const rows = parseCsv(fs.readFileSync(m[2], 'utf8'), m[2]);
    assert.equal(rows.length - 1, Number(m[1]));
    assert.ok(Number(m[1]) % 16 === 0 && Number(m[1]) < 400);
    assert.ok(rows.slice(1).every((r, i) => r[0] === String(i) && r.length === 9));
  });
});

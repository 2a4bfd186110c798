// `empathy test`: the original test.py — score `id,seeker_post,response_post` rows with the ER/IP/EX
// models (or one joint model) and write id,…,ER_label,IP_label,EX_label,ER_rationale,IP_rationale,EX_rationale.
// Streams the input in chunks (100k+ rows never sit in memory), batches forward passes, writes
// atomically, and on Ctrl-C keeps the rows already scored in OUT.partial.csv (never over OUT.csv).
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { countRecords, PairReader, streamPairs } from '../../../dataset/pairs';
import type { Mechanism, MechanismPrediction, PairPrediction } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { UsageError } from '../args';
import type { Command } from '../command';
import { CsvOutput, outputAndPartial } from '../csvOutput';
import { ENCODING_OPTION, encodingOption, modelInputs, RAW_CSV_OPTION } from '../fileOptions';
import { loadModels, MODEL_OPTIONS, TORCH_MECHANISM_OPTION, TORCH_TOKENIZER_OPTION } from '../models';
import { ProgressBar } from '../progress';
import { predictionStatsHealth } from '../../metrics/health';

export const TEST_COLUMNS = ['id', 'seeker_post', 'response_post', 'ER_label', 'IP_label', 'EX_label', 'ER_rationale', 'IP_rationale', 'EX_rationale'] as const;

/**
 * The original's `predictions_rationale[0].tolist()`: 0/1 over max_len slots (<s>, tokens, </s>, padding).
 * A token is 1 when it lies in a predicted span, so the labels agree with the spans column and with the
 * model's own threshold and gate (the ensemble shows rationales only where it predicts the mechanism).
 */
export function rationaleLabelsCell(p: MechanismPrediction, maxLen: number): string {
  const slots = new Array<number>(maxLen).fill(0);
  p.tokens.forEach((t, i) => {
    const inSpan = p.spans.some((s) => t.start < s.end && t.end > s.start);
    if (i + 1 < maxLen) slots[i + 1] = inSpan ? 1 : 0;
  });
  return `[${slots.join(', ')}]`;
}

export function rationaleSpansCell(p: MechanismPrediction): string {
  return p.spans
    .map((s) => s.text.trim())
    .filter((t) => t !== '')
    .join('|');
}

export const test: Command = {
  name: 'test',
  summary: 'score id,seeker_post,response_post rows with ER/IP/EX models (the original test.py)',
  usage: [
    'usage: empathy test --input_path IN.csv --output_path OUT.csv --ER_model_path A --IP_model_path B --EX_model_path C',
    '       empathy test --input_path IN.csv --output_path OUT.csv --model_path JOINT.pth',
    '       empathy test --input_path IN.csv --output_path OUT.csv   (no model: the shipped offline-default model)',
    '',
    'A model may be a PyTorch state dict (.pth from the original train.py), converted in memory: give its tokenizer',
    '(--tokenizer DIR or --tokenizer_from CKPT) and --heads N when it is not 12 (see `empathy import-torch --help`).',
    'Writes id,seeker_post,response_post,ER_label,IP_label,EX_label,ER_rationale,IP_rationale,EX_rationale.',
    'Rationales are |-joined response substrings (the dataset format); --rationale_format labels writes the',
    "original's 0/1 token lists. A mechanism without a model gets empty cells. The input may also be a raw",
    'EPITOME file (id = sp_id_rp_id). Posts are copied to the output exactly as read (never trimmed).',
    'Ctrl-C writes the rows already scored to OUT.partial.csv and leaves OUT.csv as it was; SIGTERM',
    'writes nothing. Cells starting with = + - @ TAB or CR get a leading \' (spreadsheet formula',
    'injection); --raw_csv writes them verbatim.',
  ].join('\n'),
  options: [
    { name: 'input_path', type: 'string', metavar: 'PATH', help: 'CSV with id,seeker_post,response_post' },
    { name: 'output_path', type: 'string', metavar: 'PATH', help: 'CSV to write (atomically; folders created)' },
    ...MODEL_OPTIONS,
    TORCH_TOKENIZER_OPTION,
    TORCH_MECHANISM_OPTION,
    { name: 'rationale_format', type: 'string', default: 'spans', choices: ['spans', 'labels'], help: 'rationale cells: |-joined spans or 0/1 token lists' },
    { name: 'batch_size', type: 'number', default: 32, help: 'pairs per forward pass' },
    { name: 'chunk_rows', type: 'number', default: 1024, help: 'rows read, scored and written per chunk' },
    ENCODING_OPTION,
    RAW_CSV_OPTION,
    { name: 'threshold', type: 'number', help: "token probability counted as rationale (default: the model's own: 0.5 for the bi-encoder, tuned per mechanism for the offline default)" },
  ],
  async run(args, ctx) {
    const o = args.opts as { input_path?: string; output_path?: string; rationale_format: 'spans' | 'labels'; batch_size: number; chunk_rows: number; threshold?: number; encoding?: string; raw_csv: boolean };
    if (!o.input_path) throw new UsageError('test needs --input_path');
    if (!o.output_path) throw new UsageError('test needs --output_path');
    if (!(o.batch_size >= 1 && o.chunk_rows >= 1)) throw new UsageError('--batch_size and --chunk_rows must be ≥ 1');
    const read = { encoding: encodingOption(o.encoding) };
    assertOutputsClear(
      outputAndPartial('output_path', o.output_path),
      [{ flag: 'input_path', path: o.input_path }, ...modelInputs(args.opts, { shippedDefault: true })],
      ctx.cwd,
    );
    const csv = { raw: o.raw_csv };
    const total = await countRecords(o.input_path, read); // also validates the CSV before any model loads
    if (total === 0) throw new UsageError(`${o.input_path}: no data rows after the header`);
    const loaded = await loadModels(args.opts, ctx.cwd, { shippedDefault: true, err: ctx.err });
    if (loaded.shippedNote) ctx.err.write(`${loaded.shippedNote}\n`);
    const writer = new CsvOutput(o.output_path, TEST_COLUMNS, csv);
    let done = 0;
    const scoringLabel = (use: readonly Mechanism[]) => `scoring ${use.join('+')}${loaded.models.length > 1 ? ` (model ${loaded.models.findIndex((m) => m.use === use) + 1}/${loaded.models.length})` : ''}`;
    const bar = new ProgressBar({ unit: 'rows', label: scoringLabel(loaded.models[0]?.use ?? []), tty: ctx.tty, stream: ctx.err });
    const levelCounts: Partial<Record<Mechanism, number[]>> = {};
    const topProb: Partial<Record<Mechanism, { sum: number; n: number }>> = {};
    try {
      ctx.err.write(`models: ${loaded.models.map((m) => `${m.path} (${m.use.join('/')})`).join(', ')}\n`);
      bar.update(0, total, true);
      let interrupted = false;
      const reader = new PairReader(o.input_path);
      for await (const chunk of streamPairs(o.input_path, Math.floor(o.chunk_rows), reader, read)) {
        const preds: Array<Partial<Record<Mechanism, MechanismPrediction>>> = chunk.map(() => ({}));
        let maxLen = 64;
        try {
          for (const m of loaded.models) {
            maxLen = m.model.maxLen;
            bar.label = scoringLabel(m.use); // names the mechanism(s) being scored
            const got: PairPrediction[] = await m.model.predict(chunk, {
              batchSize: Math.floor(o.batch_size),
              threshold: o.threshold,
              signal: ctx.signal,
              onProgress: (d) => bar.update(done + Math.min(d, chunk.length), total),
            });
            got.forEach((g, i) => {
              for (const mech of m.use) {
                const x = g.mechanisms[mech];
                preds[i][mech] = x;
                if (!x) continue;
                (levelCounts[mech] ??= [0, 0, 0])[x.level]++;
                const tp = (topProb[mech] ??= { sum: 0, n: 0 });
                tp.sum += Math.max(...x.probs);
                tp.n++;
              }
            });
          }
        } catch (e) {
          if (ctx.signal.aborted) {
            interrupted = true;
            break;
          }
          throw e;
        }
        const cells = (p: Partial<Record<Mechanism, MechanismPrediction>>, m: Mechanism) => {
          const x = p[m];
          if (!x) return ['', ''];
          return [String(x.level), o.rationale_format === 'labels' ? rationaleLabelsCell(x, maxLen) : rationaleSpansCell(x)];
        };
        chunk.forEach((pair, i) => {
          const [er, ip, ex] = MECHANISMS.map((m) => cells(preds[i], m));
          writer.write([pair.id, pair.original.seekerPost, pair.original.responsePost, er[0], ip[0], ex[0], er[1], ip[1], ex[1]]);
        });
        done += chunk.length;
        bar.update(done, total, true);
        if (ctx.signal.aborted) {
          interrupted = true;
          break;
        }
      }
      bar.label = 'scoring';
      bar.recount(done); // the rows kept, not those of a chunk cut short
      bar.finish(`${loaded.mechanisms.join('+')}: ${loaded.mechanisms.map((m) => `${m} levels 0/1/2 ${(levelCounts[m] ?? [0, 0, 0]).join('/')}`).join(', ')}`);
      if (interrupted) {
        ctx.out.write(`${writer.keepPartial(total)}\n`); // never over OUT.csv: a previous complete output stays whole
        return 130;
      }
      writer.finish();
      if (reader.duplicateIds > 0) ctx.err.write(`warning: ${o.input_path}: ${reader.duplicateIds} row(s) repeat an id already seen (duplicate ids; each row is scored)\n`);
      if (reader.emptyPosts > 0) ctx.err.write(`warning: ${o.input_path}: ${reader.emptyPosts} row(s) with an empty seeker or response post (scored as empty text)\n`);
      const missing = MECHANISMS.filter((m) => !loaded.mechanisms.includes(m));
      ctx.out.write(`wrote ${done} rows → ${o.output_path}${missing.length ? ` (no model for ${missing.join(', ')}: empty cells)` : ''}\n`);
      // The predictions are all one level, or near-uniform: say the model has not learned.
      const health = predictionStatsHealth(levelCounts, topProb);
      if (!health.learned) ctx.err.write(`warning: ${health.message}\n`);
      return 0;
    } finally {
      bar.done();
      writer.abort();
      loaded.dispose();
    }
  },
};

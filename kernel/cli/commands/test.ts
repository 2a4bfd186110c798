// `empathy test`: the original test.py — score `id,seeker_post,response_post` rows with the ER/IP/EX
// models (or one joint model) and write id,…,ER_label,IP_label,EX_label,ER_rationale,IP_rationale,EX_rationale.
// Streams the input in chunks (100k+ rows never sit in memory), batches forward passes, writes
// atomically, and on Ctrl-C keeps the rows already scored in OUT.partial.csv (never over OUT.csv).
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { countRecords, PairReader, streamPairs, type PairRow } from '../../../dataset/pairs';
import type { ReadCsvOptions } from '../../../dataset/csv';
import type { Mechanism, MechanismPrediction, PairPrediction } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { UsageError } from '../args';
import type { CliContext, Command } from '../command';
import { CsvOutput, outputAndPartial } from '../csvOutput';
import { ENCODING_OPTION, encodingOption, modelInputs, RAW_CSV_OPTION } from '../fileOptions';
import { loadModels, MODEL_OPTIONS, TORCH_MECHANISM_OPTION, TORCH_TOKENIZER_OPTION, type LoadedModels } from '../models';
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

type TestOpts = { input_path?: string; output_path?: string; rationale_format: 'spans' | 'labels'; batch_size: number; chunk_rows: number; threshold?: number; encoding?: string; raw_csv: boolean };

type ChunkPredictions = Array<Partial<Record<Mechanism, MechanismPrediction>>>;

/** One scoring in progress: the models, where rows go, the bar, and the tallies of what was predicted. */
interface Scoring {
  o: TestOpts;
  loaded: LoadedModels;
  writer: CsvOutput;
  bar: ProgressBar;
  /** Rows in the input, and rows scored and written so far. */
  total: number;
  done: number;
  /** Per mechanism: predicted level counts and the summed top probability (the has-it-learned check). */
  levelCounts: Partial<Record<Mechanism, number[]>>;
  topProb: Partial<Record<Mechanism, { sum: number; n: number }>>;
  signal: AbortSignal;
}

/** --input_path, --output_path and the batch sizes, checked before any work. */
function checkOptions(o: TestOpts): { inputPath: string; outputPath: string } {
  if (!o.input_path) throw new UsageError('test needs --input_path');
  if (!o.output_path) throw new UsageError('test needs --output_path');
  if (!(o.batch_size >= 1 && o.chunk_rows >= 1)) throw new UsageError('--batch_size and --chunk_rows must be ≥ 1');
  return { inputPath: o.input_path, outputPath: o.output_path };
}

/** The bar's label: the mechanism(s) being scored, and which model when there are several. */
function scoringLabel(loaded: LoadedModels, use: readonly Mechanism[]): string {
  return `scoring ${use.join('+')}${loaded.models.length > 1 ? ` (model ${loaded.models.findIndex((m) => m.use === use) + 1}/${loaded.models.length})` : ''}`;
}

/** Count a prediction in the tallies. */
function tally(sc: Scoring, mech: Mechanism, x: MechanismPrediction): void {
  (sc.levelCounts[mech] ??= [0, 0, 0])[x.level]++;
  const tp = (sc.topProb[mech] ??= { sum: 0, n: 0 });
  tp.sum += Math.max(...x.probs);
  tp.n++;
}

/**
 * One chunk through every model, each for the mechanisms it is used for; the last model's max_len sizes
 * the label cells. Undefined when Ctrl-C cut the chunk short.
 */
async function scoreChunk(sc: Scoring, chunk: PairRow[]): Promise<{ preds: ChunkPredictions; maxLen: number } | undefined> {
  const preds: ChunkPredictions = chunk.map(() => ({}));
  let maxLen = 64;
  try {
    for (const m of sc.loaded.models) {
      maxLen = m.model.maxLen;
      sc.bar.label = scoringLabel(sc.loaded, m.use); // names the mechanism(s) being scored
      const got: PairPrediction[] = await m.model.predict(chunk, {
        batchSize: Math.floor(sc.o.batch_size),
        threshold: sc.o.threshold,
        signal: sc.signal,
        onProgress: (d) => sc.bar.update(sc.done + Math.min(d, chunk.length), sc.total),
      });
      got.forEach((g, i) => {
        for (const mech of m.use) {
          const x = g.mechanisms[mech];
          preds[i][mech] = x;
          if (x) tally(sc, mech, x);
        }
      });
    }
  } catch (e) {
    if (sc.signal.aborted) return undefined;
    throw e;
  }
  return { preds, maxLen };
}

/** The chunk's rows in TEST_COLUMNS order; a mechanism without a model gets empty cells. */
function writeChunk(sc: Scoring, chunk: PairRow[], { preds, maxLen }: { preds: ChunkPredictions; maxLen: number }): void {
  const cells = (p: Partial<Record<Mechanism, MechanismPrediction>>, m: Mechanism) => {
    const x = p[m];
    if (!x) return ['', ''];
    return [String(x.level), sc.o.rationale_format === 'labels' ? rationaleLabelsCell(x, maxLen) : rationaleSpansCell(x)];
  };
  chunk.forEach((pair, i) => {
    const [er, ip, ex] = MECHANISMS.map((m) => cells(preds[i], m));
    sc.writer.write([pair.id, pair.original.seekerPost, pair.original.responsePost, er[0], ip[0], ex[0], er[1], ip[1], ex[1]]);
  });
}

/** Score and write the input chunk by chunk; true when Ctrl-C stopped it (the rows written are whole chunks). */
async function scoreAll(sc: Scoring, inputPath: string, reader: PairReader, read: ReadCsvOptions): Promise<boolean> {
  for await (const chunk of streamPairs(inputPath, Math.floor(sc.o.chunk_rows), reader, read)) {
    const scored = await scoreChunk(sc, chunk);
    if (!scored) return true;
    writeChunk(sc, chunk, scored);
    sc.done += chunk.length;
    sc.bar.update(sc.done, sc.total, true);
    if (sc.signal.aborted) return true;
  }
  return false;
}

/** After a complete output: the input's oddities, the line saying what was written, and a model that has not learned. */
function reportWritten(sc: Scoring, reader: PairReader, inputPath: string, outputPath: string, err: CliContext['err'], out: CliContext['out']): void {
  if (reader.duplicateIds > 0) err.write(`warning: ${inputPath}: ${reader.duplicateIds} row(s) repeat an id already seen (duplicate ids; each row is scored)\n`);
  if (reader.emptyPosts > 0) err.write(`warning: ${inputPath}: ${reader.emptyPosts} row(s) with an empty seeker or response post (scored as empty text)\n`);
  const missing = MECHANISMS.filter((m) => !sc.loaded.mechanisms.includes(m));
  out.write(`wrote ${sc.done} rows → ${outputPath}${missing.length ? ` (no model for ${missing.join(', ')}: empty cells)` : ''}\n`);
  // The predictions are all one level, or near-uniform: say the model has not learned.
  const health = predictionStatsHealth(sc.levelCounts, sc.topProb);
  if (!health.learned) err.write(`warning: ${health.message}\n`);
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
    const o = args.opts as TestOpts;
    const { inputPath, outputPath } = checkOptions(o);
    const read = { encoding: encodingOption(o.encoding) };
    assertOutputsClear(
      outputAndPartial('output_path', outputPath),
      [{ flag: 'input_path', path: inputPath }, ...modelInputs(args.opts, { shippedDefault: true })],
      ctx.cwd,
    );
    const csv = { raw: o.raw_csv };
    const total = await countRecords(inputPath, read); // also validates the CSV before any model loads
    if (total === 0) throw new UsageError(`${inputPath}: no data rows after the header`);
    const loaded = await loadModels(args.opts, ctx.cwd, { shippedDefault: true, err: ctx.err });
    if (loaded.shippedNote) ctx.err.write(`${loaded.shippedNote}\n`);
    const writer = new CsvOutput(outputPath, TEST_COLUMNS, csv);
    const bar = new ProgressBar({ unit: 'rows', label: scoringLabel(loaded, loaded.models[0]?.use ?? []), tty: ctx.tty, stream: ctx.err });
    const sc: Scoring = { o, loaded, writer, bar, total, done: 0, levelCounts: {}, topProb: {}, signal: ctx.signal };
    try {
      ctx.err.write(`models: ${loaded.models.map((m) => `${m.path} (${m.use.join('/')})`).join(', ')}\n`);
      bar.update(0, total, true);
      const reader = new PairReader(inputPath);
      const interrupted = await scoreAll(sc, inputPath, reader, read);
      bar.label = 'scoring';
      bar.recount(sc.done); // the rows kept, not those of a chunk cut short
      bar.finish(`${loaded.mechanisms.join('+')}: ${loaded.mechanisms.map((m) => `${m} levels 0/1/2 ${(sc.levelCounts[m] ?? [0, 0, 0]).join('/')}`).join(', ')}`);
      if (interrupted) {
        ctx.out.write(`${writer.keepPartial(total)}\n`); // never over OUT.csv: a previous complete output stays whole
        return 130;
      }
      writer.finish();
      reportWritten(sc, reader, inputPath, outputPath, ctx.err, ctx.out);
      return 0;
    } finally {
      bar.done();
      writer.abort();
      loaded.dispose();
    }
  },
};

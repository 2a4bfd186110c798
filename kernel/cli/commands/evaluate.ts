// `empathy evaluate`: every metric on a labelled set — from a predictions CSV (`empathy test` output)
// against gold CSVs, or by running a model on them. Level metrics, κ, rationale token-F1 and IOU-F1
// on all rows and on level > 0 rows, corpus-level and the original's batch-averaged side by side.
import { writeTextAtomic, readCsvFile, DataError, type ReadCsvOptions } from '../../../dataset/csv';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { tokenLabels } from '../../../dataset/align';
import { labelOf } from '../../../dataset/label';
import { parseLevel } from '../../../dataset/epitome';
import { evalRow, mechanismEval, type EvalRow } from '../../metrics/report';
import type { EvalReport, LabeledPair, Level, Mechanism } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { UsageError } from '../args';
import type { CliContext, Command } from '../command';
import { fullReport, healthLines } from '../evalText';
import { ProgressBar } from '../progress';
import { loadLabeledFiles, pathList, type LoadedLabeled } from '../../../dataset/labeledFiles';
import { ENCODING_OPTION, encodingOption, modelInputs } from '../fileOptions';
import { loadModels, MODEL_OPTIONS } from '../models';
import { resolveTokenizer } from '../tokenizerOption';
import type { OffsetTokenizer } from '../../../dataset/wordTokenizer';

/** Predictions CSV (test output) → per id (k-th duplicate joins k-th) level and rationale spans per mechanism. */
async function readPredictions(file: string, mechs: readonly Mechanism[], read: ReadCsvOptions) {
  const recs = await readCsvFile(file, read);
  const [header, ...body] = recs;
  const h = header.fields.map((s) => s.trim());
  const need = ['id', 'response_post', ...mechs.flatMap((m) => [`${m}_label`, `${m}_rationale`])];
  const missing = need.filter((c) => !h.includes(c));
  if (missing.length) throw new DataError(file, header.line, `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (header has: ${h.join(',')})`);
  const ix = (c: string) => h.indexOf(c);
  const byId = new Map<string, Array<{ line: number; response: string; levels: Partial<Record<Mechanism, Level>>; rationales: Partial<Record<Mechanism, string[]>> }>>();
  for (const rec of body) {
    if (rec.fields.length !== h.length) throw new DataError(file, rec.line, `expected ${h.length} fields like the header, found ${rec.fields.length}`);
    const levels: Partial<Record<Mechanism, Level>> = {};
    const rationales: Partial<Record<Mechanism, string[]>> = {};
    for (const m of mechs) {
      const lv = parseLevel(rec.fields[ix(`${m}_label`)]);
      if (lv === undefined) throw new DataError(file, rec.line, `${m}_label must be 0, 1 or 2, found ${JSON.stringify(rec.fields[ix(`${m}_label`)])}`);
      levels[m] = lv;
      const cell = rec.fields[ix(`${m}_rationale`)];
      if (cell.trim().startsWith('[')) throw new DataError(file, rec.line, `${m}_rationale holds token labels; evaluate needs span predictions (empathy test --rationale_format spans)`);
      rationales[m] = cell.split('|').filter((r) => r.trim() !== '');
    }
    const id = rec.fields[ix('id')];
    const list = byId.get(id) ?? [];
    list.push({ line: rec.line, response: rec.fields[ix('response_post')], levels, rationales });
    byId.set(id, list);
  }
  return byId;
}

/** Token labels of rationale spans over the content tokens (specials dropped, truncated at maxLen). */
function contentLabels(tok: OffsetTokenizer, response: string, spans: ReadonlyArray<[number, number]>, maxLen: number): number[] {
  const enc = tok.encode(response, maxLen);
  return tokenLabels(spans, enc.offsets).slice(1, -1);
}

type EvaluateOpts = { gold: string[]; pred?: string; mechanism?: Mechanism; tokenizer?: string; max_len: number; batch_size: number; json: boolean; output_path?: string } & Record<string, unknown>;

/** A report and what it was scored from: the predictions' source and the tokens rationale metrics counted. */
interface Scored {
  report: EvalReport;
  source: string;
  tokens: string;
}

/** The gold files, and exactly one source of predictions (--pred or a model), checked before any work. */
function checkSources(o: EvaluateOpts): string[] {
  const goldFiles = pathList(o.gold);
  if (goldFiles.length === 0) throw new UsageError('evaluate needs --gold GOLD.csv');
  const hasModel = ['model_path', 'ER_model_path', 'IP_model_path', 'EX_model_path'].some((k) => typeof o[k] === 'string');
  if (!o.pred && !hasModel) throw new UsageError('evaluate needs --pred PRED.csv or --model_path MODEL.pth');
  if (o.pred && hasModel) throw new UsageError('pass either --pred or a model, not both');
  return goldFiles;
}

/** Every gold pair with its prediction: ids joined, the k-th duplicate of an id to the k-th prediction for it. */
function joinPredictions<P>(gold: readonly LabeledPair[], preds: Map<string, P[]>, predFile: string, goldFiles: readonly string[]): Array<{ pair: LabeledPair; pred: P }> {
  const taken = new Map<string, number>();
  const joined: Array<{ pair: LabeledPair; pred: P }> = [];
  for (const pair of gold) {
    const k = taken.get(pair.id) ?? 0;
    taken.set(pair.id, k + 1);
    const p = preds.get(pair.id)?.[k];
    if (!p) throw new DataError(predFile, undefined, `no prediction for id ${pair.id} (from ${goldFiles.join(', ')})`);
    joined.push({ pair, pred: p });
  }
  return joined;
}

/** The report of a predictions CSV against the gold pairs, rationale metrics over --tokenizer tokens. */
async function scorePredictions(predFile: string, gold: LoadedLabeled, goldFiles: readonly string[], mechs: readonly Mechanism[], o: EvaluateOpts, read: ReadCsvOptions): Promise<Scored> {
  const preds = await readPredictions(predFile, mechs, read);
  const tok = await resolveTokenizer(o.tokenizer);
  const report: EvalReport = { loss: NaN, mechanisms: {} };
  const joined = joinPredictions(gold.pairs, preds, predFile, goldFiles);
  for (const m of mechs) {
    const rows: EvalRow[] = [];
    for (const { pair, pred } of joined) {
      const lab = pair.labels[m];
      if (!lab) continue;
      // The predicted rationale strings are a label like the gold one, located in the gold text.
      const predicted = labelOf(pair.responsePost, pred.levels[m]!, pred.rationales[m]!);
      rows.push(evalRow(lab, predicted, {
        gold: contentLabels(tok.tokenizer, pair.responsePost, lab.spans, o.max_len),
        pred: contentLabels(tok.tokenizer, pair.responsePost, predicted.spans, o.max_len),
      }));
    }
    report.mechanisms[m] = mechanismEval(m, rows, { batchSize: o.batch_size, maxLen: o.max_len });
  }
  return { report, source: predFile, tokens: tok.description };
}

/** The report of running the model(s) on the gold pairs; a mechanism no model scores is a warning, none at all an error. */
async function scoreWithModels(o: EvaluateOpts, gold: LoadedLabeled, mechs: readonly Mechanism[], ctx: CliContext): Promise<Scored> {
  const loaded = await loadModels(o, ctx.cwd, { err: ctx.err });
  try {
    const source = loaded.models.map((m) => `${m.path} (${m.use.join('/')})`).join(', ');
    const report: EvalReport = { loss: NaN, mechanisms: {} };
    const missing = mechs.filter((m) => !loaded.mechanisms.includes(m));
    if (missing.length === mechs.length) throw new UsageError(`the model(s) score ${loaded.mechanisms.join('/')}, the gold files hold ${mechs.join('/')}`);
    for (const m of missing) ctx.err.write(`warning: no model for ${m}; skipped\n`);
    for (const entry of loaded.models) {
      const bar = new ProgressBar({ unit: 'pairs', label: `evaluating ${entry.use.join('+')}`, tty: ctx.tty, stream: ctx.err });
      const r = await entry.model.evaluate(gold.pairs, { batchSize: o.batch_size, signal: ctx.signal, onProgress: (d, t) => bar.update(d, t) });
      bar.finish();
      for (const m of entry.use) if (r.mechanisms[m]) report.mechanisms[m] = r.mechanisms[m];
      if (loaded.models.length === 1) report.loss = r.loss;
    }
    return { report, source, tokens: "each model's own tokenizer" };
  } finally {
    loaded.dispose();
  }
}

/** The report as text: the sources, each mechanism's full report, the loss, the warnings. */
function printReport(out: CliContext['out'], gold: LoadedLabeled, mechs: readonly Mechanism[], { report, source, tokens }: Scored, notes: readonly string[], outputPath: string | undefined): void {
  out.write(`gold: ${gold.files.map((f) => `${f.file} (${f.mechanism}, ${f.rows} rows)`).join(', ')}\n`);
  out.write(`predictions: ${source}\nrationale tokens: ${tokens}\n\n`);
  for (const m of mechs) {
    const ev = report.mechanisms[m];
    if (ev) out.write(fullReport(ev) + '\n\n');
  }
  if (Number.isFinite(report.loss)) out.write(`loss: ${report.loss.toFixed(4)}\n`);
  for (const n of notes) out.write(`warning: ${n}\n`);
  if (outputPath) out.write(`report written to ${outputPath}\n`);
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'all metrics on a labelled set, from a predictions CSV or a model',
  usage: [
    'usage: empathy evaluate --gold GOLD.csv[,GOLD2.csv] --pred PRED.csv [--json]',
    '       empathy evaluate --gold GOLD.csv --model_path MODEL.pth [--json]',
    '',
    'GOLD: raw EPITOME or processed CSVs (mechanism from the file name or --mechanism).',
    'PRED: the output of `empathy test` (ids joined to gold sp_id_rp_id / id).',
    'Rationale metrics from CSVs use --tokenizer tokens (default: word tokens — the output says which).',
  ].join('\n'),
  options: [
    { name: 'gold', type: 'list', metavar: 'PATH', help: 'labelled CSV(s)' },
    { name: 'pred', type: 'string', metavar: 'PATH', help: 'predictions CSV from `empathy test`' },
    ...MODEL_OPTIONS,
    { name: 'mechanism', type: 'string', choices: MECHANISMS, help: 'mechanism of a gold file whose name does not say (and of a .pth --model_path)' },
    { name: 'tokenizer', type: 'string', metavar: 'DIR|CKPT', help: 'tokens for rationale metrics from CSVs (default: word tokens); a .pth model: its Hugging Face tokenizer folder' },
    { name: 'max_len', type: 'number', default: 64, help: 'token slots per response (CSV mode)' },
    { name: 'batch_size', type: 'number', default: 32, help: 'paper-faithful metric batch size / model batch size' },
    { name: 'json', type: 'boolean', help: 'print the report as JSON' },
    { name: 'output_path', type: 'string', metavar: 'PATH', help: 'also write the JSON report here' },
    ENCODING_OPTION,
  ],
  async run(args, ctx) {
    const o = args.opts as EvaluateOpts;
    const goldFiles = checkSources(o);
    const read = { encoding: encodingOption(o.encoding) };
    const gold = await loadLabeledFiles('gold', goldFiles, { mechanism: o.mechanism, joint: true, siblings: false, cwd: ctx.cwd, ...read });
    assertOutputsClear([{ flag: 'output_path', path: o.output_path }], [...gold.files.map((f) => ({ flag: 'gold', path: f.file })), { flag: 'pred', path: o.pred }, { flag: 'tokenizer', path: o.tokenizer }, ...modelInputs(o)], ctx.cwd);
    for (const w of gold.warnings) ctx.err.write(`warning: ${w}\n`);
    const mechs = MECHANISMS.filter((m) => gold.files.some((f) => f.mechanism === m));
    const scored = o.pred ? await scorePredictions(o.pred, gold, goldFiles, mechs, o, read) : await scoreWithModels(o, gold, mechs, ctx);
    const notes = healthLines(scored.report, 'the gold set').map((l) => l.replace(/^warning: /, ''));
    const full = { gold: gold.files, predictions: scored.source, rationaleTokens: scored.tokens, report: scored.report, ...(notes.length ? { warnings: notes } : {}) };
    if (o.output_path) writeTextAtomic(o.output_path, JSON.stringify(full, null, 2) + '\n');
    if (o.json) {
      ctx.out.write(JSON.stringify(full, null, 2) + '\n');
      return 0;
    }
    printReport(ctx.out, gold, mechs, scored, notes, o.output_path);
    return 0;
  },
};

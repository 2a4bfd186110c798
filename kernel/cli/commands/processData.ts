// `empathy process-data`: the original process_data.py conversion, with exact rationale location,
// counted misses, every row kept, and an atomic write that never touches the input. The input streams
// through (peak memory does not grow with the rows); Ctrl-C stops between two chunks, keeping the rows
// written in OUT.partial.csv (as `test` does).
import * as fs from 'node:fs';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { RawRowReader, streamEpitomeCsv } from '../../../dataset/epitome';
import { countRecords } from '../../../dataset/pairs';
import { emptyProcessStats, PROCESSED_COLUMNS, processRow, processedCsvRow, type ProcessOptions, type ProcessStats } from '../../../dataset/process';
import { UsageError } from '../args';
import type { CliContext, Command } from '../command';
import { CsvOutput, outputAndPartial, stopRequested } from '../csvOutput';
import { ENCODING_OPTION, encodingOption, RAW_CSV_OPTION } from '../fileOptions';
import { ProgressBar } from '../progress';
import { resolveTokenizer } from '../tokenizerOption';

export const processData: Command = {
  name: 'process-data',
  summary: 'convert raw EPITOME rows into model rows (token rationale labels, masked responses)',
  usage: [
    'usage: empathy process-data --input_path RAW.csv --output_path OUT.csv [--paper_faithful] [--tokenizer DIR]',
    '',
    'Reads sp_id,rp_id,seeker_post,response_post,level,rationales and writes',
    'id,seeker_post,response_post,labels,rationale_labels,rationale_labels_trimmed,response_post_masked,rationale_spans.',
    'Rationales are located literally (then ignoring whitespace); misses are counted, rows are never dropped.',
    '--paper_faithful keeps the original conventions (no rationale → every token labelled 1; the',
    'character-length rationale_labels_trimmed; empty masked response).',
    "Text cells starting with = + - @ TAB or CR get a leading ' (spreadsheet formula injection); --raw_csv",
    'writes them verbatim.',
  ].join('\n'),
  options: [
    { name: 'input_path', type: 'string', metavar: 'PATH', help: 'raw EPITOME CSV' },
    { name: 'output_path', type: 'string', metavar: 'PATH', help: 'processed CSV to write (folders created)' },
    { name: 'max_len', type: 'number', default: 64, help: 'token slots per response incl. <s> and </s>' },
    { name: 'paper_faithful', type: 'boolean', help: "the original process_data.py conventions" },
    { name: 'tokenizer', type: 'string', metavar: 'DIR|CKPT', help: 'HF tokenizer folder or a checkpoint (default: word tokens)' },
    ENCODING_OPTION,
    RAW_CSV_OPTION,
  ],
  async run(args, ctx) {
    const o = args.opts as { input_path?: string; output_path?: string; max_len: number; paper_faithful: boolean; tokenizer?: string; encoding?: string; raw_csv: boolean };
    if (!o.input_path) throw new UsageError('process-data needs --input_path');
    if (!o.output_path) throw new UsageError('process-data needs --output_path');
    if (!(Number.isInteger(o.max_len) && o.max_len >= 3)) throw new UsageError(`--max_len must be an integer ≥ 3, got ${o.max_len}`);
    const input = o.input_path;
    const output = o.output_path;
    const encoding = encodingOption(o.encoding);
    assertOutputsClear(outputAndPartial('output_path', output), [{ flag: 'input_path', path: input }, { flag: 'tokenizer', path: o.tokenizer }], ctx.cwd);
    const tok = await resolveTokenizer(o.tokenizer);
    const opts: ProcessOptions = { maxLen: o.max_len, paperFaithful: o.paper_faithful, tokenizer: tok.tokenizer };
    const done = await processFile(input, output, opts, { encoding, raw: o.raw_csv }, ctx);
    if ('interrupted' in done) {
      ctx.out.write(`${done.interrupted}\n`);
      return 130;
    }
    const { stats, warnings } = done;
    for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
    ctx.out.write(`processed ${stats.rows} rows → ${o.output_path}\n`);
    ctx.out.write(`  tokenizer: ${tok.description}; max_len ${o.max_len}; ${o.paper_faithful ? 'paper-faithful conventions' : 'corrected conventions (no rationale → all 0)'}\n`);
    ctx.out.write(`  rationales: ${stats.rationales - stats.missedCount} of ${stats.rationales} located, ${stats.missedCount} not found\n`);
    for (const m of stats.missed.slice(0, 5)) ctx.out.write(`    not found: ${o.input_path}:${m.line}: ${JSON.stringify(m.rationale.length > 60 ? m.rationale.slice(0, 57) + '...' : m.rationale)}\n`);
    if (stats.missedCount > stats.missed.length) ctx.out.write(`    … and ${stats.missedCount - stats.missed.length} more\n`);
    ctx.out.write(`  responses longer than max_len (tail unlabelled): ${stats.truncated}\n`);
  },
};

/**
 * Stream `input` through the conversion into `output`, one parsed chunk at a time (a 200,000-row file is
 * never held: peak memory does not grow with the rows). A bad row anywhere is one error naming its line
 * and nothing is written (the temp file is removed); the warnings come from counts kept on the way.
 * Ctrl-C is looked at before and after each chunk: the rows written go to OUT.partial.csv.
 */
async function processFile(input: string, output: string, opts: ProcessOptions, io: { encoding: ReturnType<typeof encodingOption>; raw: boolean }, ctx: CliContext): Promise<{ stats: ProcessStats; warnings: string[] } | { interrupted: string }> {
  const stats = emptyProcessStats();
  const reader = new RawRowReader(input);
  // A regular file is counted first (a streaming pass, for the progress total); a FIFO or device is read once.
  const total = fs.statSync(input, { throwIfNoEntry: false })?.isFile() ? await countRecords(input, { encoding: io.encoding }) : undefined;
  const bar = new ProgressBar({ unit: 'rows', label: 'processing', tty: ctx.tty, stream: ctx.err });
  let out: CsvOutput | undefined; // opened with the first valid rows: a missing or empty input creates nothing
  const stop = async () => {
    if (!(await stopRequested(ctx.signal))) return undefined;
    bar.finish();
    return { interrupted: out ? out.keepPartial(total) : `interrupted before any row was written; ${output} not written (left as it was)` };
  };
  try {
    bar.update(0, total, true);
    for await (const rows of streamEpitomeCsv(input, reader, { encoding: io.encoding })) {
      const before = await stop();
      if (before) return before;
      out ??= new CsvOutput(output, PROCESSED_COLUMNS, { raw: io.raw });
      const first = out.rows === 0;
      for (const r of rows) out.write(processedCsvRow(processRow(r, opts, stats)));
      bar.update(out.rows, total, first); // the first chunk's count is always shown
      const after = total === undefined || out.rows < total ? await stop() : undefined;
      if (after) return after;
    }
    const late = await stop(); // a Ctrl-C while the input (a pipe) was still open
    if (late) return late;
    const warnings = reader.finish();
    out!.finish();
    return { stats, warnings };
  } finally {
    bar.done();
    out?.abort();
  }
}

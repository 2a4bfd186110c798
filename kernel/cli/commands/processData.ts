// `empathy process-data`: the original process_data.py conversion, with exact rationale location,
// counted misses, every row kept, and an atomic write that never touches the input. Rows are written
// in chunks; Ctrl-C stops between two, keeping the rows written in OUT.partial.csv (as `test` does).
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { loadEpitomeCsv } from '../../../dataset/epitome';
import { PROCESSED_COLUMNS, processRow, processedCsvRow, type ProcessStats } from '../../../dataset/process';
import { UsageError } from '../args';
import type { Command } from '../command';
import { CsvOutput, outputAndPartial, stopRequested } from '../csvOutput';
import { ENCODING_OPTION, encodingOption, RAW_CSV_OPTION } from '../fileOptions';
import { ProgressBar } from '../progress';
import { resolveTokenizer } from '../tokenizerOption';

/** Rows processed and written between two looks at Ctrl-C. */
const CHUNK_ROWS = 512;

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
    'writes them verbatim. Ctrl-C writes the rows already processed to OUT.partial.csv and leaves OUT.csv',
    'as it was.',
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
    const { rows, warnings } = await loadEpitomeCsv(input, { encoding });
    for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
    const tok = await resolveTokenizer(o.tokenizer);
    if (await stopRequested(ctx.signal)) {
      ctx.out.write(`interrupted before any row was written; ${output} not written (left as it was)\n`);
      return 130;
    }
    const opts = { maxLen: o.max_len, paperFaithful: o.paper_faithful, tokenizer: tok.tokenizer };
    const stats: ProcessStats = { rows: 0, rationales: 0, missed: [], truncated: 0 };
    const writer = new CsvOutput(output, PROCESSED_COLUMNS, { raw: o.raw_csv });
    const bar = new ProgressBar({ unit: 'rows', label: 'processing', tty: ctx.tty, stream: ctx.err });
    try {
      bar.update(0, rows.length, true);
      for (let at = 0; at < rows.length; at += CHUNK_ROWS) {
        for (const r of rows.slice(at, at + CHUNK_ROWS)) writer.write(processedCsvRow(processRow(r, opts, stats)));
        bar.update(writer.rows, rows.length);
        if (writer.rows < rows.length && (await stopRequested(ctx.signal))) {
          bar.finish();
          ctx.out.write(`${writer.keepPartial(rows.length)}\n`);
          return 130;
        }
      }
      writer.finish();
    } finally {
      bar.done();
      writer.abort();
    }
    ctx.out.write(`processed ${stats.rows} rows → ${o.output_path}\n`);
    ctx.out.write(`  tokenizer: ${tok.description}; max_len ${o.max_len}; ${o.paper_faithful ? 'paper-faithful conventions' : 'corrected conventions (no rationale → all 0)'}\n`);
    ctx.out.write(`  rationales: ${stats.rationales - stats.missed.length} of ${stats.rationales} located, ${stats.missed.length} not found\n`);
    for (const m of stats.missed.slice(0, 5)) ctx.out.write(`    not found: ${o.input_path}:${m.line}: ${JSON.stringify(m.rationale.length > 60 ? m.rationale.slice(0, 57) + '...' : m.rationale)}\n`);
    if (stats.missed.length > 5) ctx.out.write(`    … and ${stats.missed.length - 5} more\n`);
    ctx.out.write(`  responses longer than max_len (tail unlabelled): ${stats.truncated}\n`);
  },
};

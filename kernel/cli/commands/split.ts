// `empathy split`: train/dev/test files grouped by seeker post, stratified by level, seeded. Several
// mechanism files are split together (same sp_id → same part in every file); rows are copied verbatim
// (cells a spreadsheet would run as formulas get a leading ' unless --raw_csv). Every output is written
// to its temp file before any is renamed into place; Ctrl-C keeps what was written in *.partial.csv.
import * as path from 'node:path';
import { readCsvFile } from '../../../dataset/csv';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { mechanismFromFileName, rawRowsFromRecords } from '../../../dataset/epitome';
import { assignGroups, PART_NAMES, type Part } from '../../../dataset/split';
import { UsageError } from '../args';
import type { CliContext, Command } from '../command';
import { CsvOutput, outputAndPartial, stopRequested } from '../csvOutput';
import { ENCODING_OPTION, encodingOption, RAW_CSV_OPTION } from '../fileOptions';
import { pathList } from '../../../dataset/labeledFiles';
import { ProgressBar } from '../progress';

/** Rows written between two looks at Ctrl-C. */
const CHUNK_ROWS = 1024;

/**
 * Write every part of every input to its temp file, then rename them all into place; on Ctrl-C each
 * output keeps what it has in its partial file instead and nothing at the final paths changes.
 * Returns false when interrupted.
 */
async function writeParts(jobs: Array<{ out: string; header: string[]; rows: string[][] }>, raw: boolean, ctx: CliContext): Promise<boolean> {
  const total = jobs.reduce((n, j) => n + j.rows.length, 0);
  const outputs: CsvOutput[] = [];
  const bar = new ProgressBar({ unit: 'rows', label: 'writing', tty: ctx.tty, stream: ctx.err });
  let written = 0;
  try {
    bar.update(0, total, true);
    for (const job of jobs) {
      const w = new CsvOutput(job.out, job.header, { raw });
      outputs.push(w);
      for (let at = 0; at < job.rows.length; at += CHUNK_ROWS) {
        for (const r of job.rows.slice(at, at + CHUNK_ROWS)) w.write(r);
        written += Math.min(CHUNK_ROWS, job.rows.length - at);
        bar.update(written, total);
        if (written < total && (await stopRequested(ctx.signal))) {
          bar.finish();
          outputs.forEach((o, i) => ctx.out.write(`${o.keepPartial(jobs[i].rows.length)}\n`));
          return false;
        }
      }
    }
    for (const w of outputs) w.finish();
    return true;
  } finally {
    bar.done();
    for (const w of outputs) w.abort();
  }
}

export const split: Command = {
  name: 'split',
  summary: 'split raw CSVs into train/dev/test (grouped by sp_id, stratified by level, seeded)',
  usage: [
    'usage: empathy split --input_path A.csv[,B.csv,…] --out_dir DIR [--ratios 0.8,0.1,0.1] [--seed 12]',
    '',
    'Writes DIR/<name>.train.csv, .dev.csv, .test.csv for each input. No seeker post (sp_id) is in two parts;',
    "groups are stratified by their highest level in the --stratify_by file (default: the first).",
    "Text cells starting with = + - @ TAB or CR get a leading ' (spreadsheet formula injection); pass",
    '--raw_csv to copy rows byte for byte. Every output is written before any replaces its old file;',
    'Ctrl-C writes what was written to *.partial.csv files and leaves the outputs as they were.',
  ].join('\n'),
  options: [
    { name: 'input_path', type: 'list', metavar: 'PATH', help: 'raw EPITOME CSV(s)' },
    { name: 'out_dir', type: 'string', metavar: 'DIR', help: 'output folder (created)' },
    { name: 'ratios', type: 'string', default: '0.8,0.1,0.1', metavar: 'T,D,E', help: 'train,dev,test shares' },
    { name: 'seed', type: 'number', default: 12, help: 'shuffle seed' },
    { name: 'stratify_by', type: 'string', metavar: 'PATH', help: 'which input file gives the levels to stratify on' },
    ENCODING_OPTION,
    RAW_CSV_OPTION,
  ],
  async run(args, ctx) {
    const o = args.opts as { input_path: string[]; out_dir?: string; ratios: string; seed: number; stratify_by?: string; encoding?: string; raw_csv: boolean };
    const files = pathList(o.input_path);
    if (files.length === 0) throw new UsageError('split needs --input_path');
    if (!o.out_dir) throw new UsageError('split needs --out_dir');
    const ratios = o.ratios.split(',').map(Number);
    if (ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0) || ratios.every((r) => r === 0)) throw new UsageError(`--ratios must be three shares like 0.8,0.1,0.1, got ${JSON.stringify(o.ratios)}`);
    const loaded = [];
    for (const f of files) {
      const recs = await readCsvFile(f, { encoding: encodingOption(o.encoding) });
      const { rows, warnings } = rawRowsFromRecords(recs, f); // validates
      for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
      loaded.push({ file: f, recs, rows });
    }
    const strat = o.stratify_by ? loaded.find((l) => path.resolve(l.file) === path.resolve(o.stratify_by!)) : loaded[0];
    if (!strat) throw new UsageError(`--stratify_by ${o.stratify_by} is not one of the --input_path files`);
    const groups = new Map<string, { rows: number; stratum: number }>();
    for (const r of strat.rows) {
      const g = groups.get(r.sp_id) ?? { rows: 0, stratum: 0 };
      g.rows++;
      g.stratum = Math.max(g.stratum, r.level);
      groups.set(r.sp_id, g);
    }
    for (const l of loaded) for (const r of l.rows) if (!groups.has(r.sp_id)) groups.set(r.sp_id, { rows: 1, stratum: r.level });
    const part = assignGroups(groups, { ratios: ratios as [number, number, number], seed: o.seed });
    const outsOf = (file: string) => PART_NAMES.map((n) => path.join(o.out_dir!, `${path.basename(file).replace(/\.csv$/i, '')}.${n}.csv`));
    assertOutputsClear(
      loaded.flatMap((l) => outsOf(l.file).flatMap((p) => outputAndPartial('out_dir', p))),
      [...files.map((f) => ({ flag: 'input_path', path: f })), { flag: 'stratify_by', path: o.stratify_by }],
      ctx.cwd,
    );
    if (await stopRequested(ctx.signal)) {
      ctx.out.write(`interrupted before any row was written; nothing in ${o.out_dir} changed\n`);
      return 130;
    }
    const parted = loaded.map((l) => {
      const parts: string[][][] = [[], [], []];
      l.rows.forEach((r, i) => parts[part.get(r.sp_id)!].push(l.recs[i + 1].fields));
      return { ...l, parts, outs: outsOf(l.file) };
    });
    const jobs = parted.flatMap((l) => l.outs.map((out, p) => ({ out, header: l.recs[0].fields, rows: l.parts[p] })));
    if (!(await writeParts(jobs, o.raw_csv, ctx))) return 130;
    for (const l of parted) {
      const mech = mechanismFromFileName(l.file);
      const dist = (rows: typeof l.rows) => [0, 1, 2].map((lv) => rows.filter((r) => r.level === lv).length).join('/');
      const rowsOf = (p: number) => l.rows.filter((r) => part.get(r.sp_id) === p);
      ctx.out.write(`${l.file}${mech ? ` (${mech})` : ''}: ${PART_NAMES.map((n, p) => `${n} ${l.parts[p].length} rows [levels 0/1/2: ${dist(rowsOf(p))}]`).join(', ')}\n`);
      ctx.out.write(`  → ${l.outs.join(', ')}\n`);
    }
    const seekers = [0, 1, 2].map((p) => [...part.values()].filter((x) => x === p).length);
    ctx.out.write(`seeker posts: ${PART_NAMES.map((n, p) => `${n} ${seekers[p]}`).join(', ')} (seed ${o.seed}; no sp_id in two parts)\n`);
  },
};

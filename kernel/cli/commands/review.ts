// `empathy review stats|apply|add`: what reviewers recorded in `*.review.jsonl` files — agreement
// with gold and the model, a corrected copy of the data, and judgements added from the terminal.
import * as path from 'node:path';
import { readCsvFile, writeCsvAtomic } from '../../../dataset/csv';
import { mechanismFromFileName } from '../../../dataset/epitome';
import { pathList } from '../../../dataset/labeledFiles';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { appendReviewLines, REVIEW_KINDS, type NewReviewLine, type ReviewKind } from '../../../dataset/reviewFile';
import { MECHANISMS, type Level, type Mechanism } from '../../../dataset/schema';
import { applyReview } from '../../review/applyReview';
import { loadGoldIndex, loadReviews } from '../../review/reviewSources';
import { reviewStats, reviewStatsText } from '../../review/reviewStats';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CliContext } from '../command';
import { ENCODING_OPTION, RAW_CSV_OPTION, encodingOption } from '../fileOptions';

const USAGE = [
  'usage: empathy review stats REVIEW.jsonl… [--gold CSV[,CSV…]] [--json]',
  '       empathy review apply REVIEW.jsonl… --data CSV --out CSV [--reviewer NAME] [--mechanism ER|IP|EX]',
  '       empathy review add REVIEW.jsonl --pair_id ID --mechanism ER|IP|EX --kind level|span|gold-suspect|note|retract',
  '                          [--level 0|1|2] [--span START:END] [--remove] [--note TEXT] [--of LINE_ID] [--reviewer NAME]',
  '',
  'A review file holds one judgement a line (append-only; undo appends a retraction). `stats` prints, per',
  'mechanism, the pairs reviewed, the model\'s accuracy against the reviewer (where the Inspector recorded',
  'the model\'s level), Cohen\'s κ (unweighted and quadratic) reviewer↔gold and reviewer↔model, rationale',
  'word-token F1 reviewer↔gold and reviewer↔model, and κ between reviewers on the pairs they share.',
  '`apply` writes a corrected copy of a raw EPITOME CSV (a new file with a `review` column saying which',
  'rows changed and why) that train and evaluate read; the data and review files are never modified.',
].join('\n');

function reviewFiles(args: ParsedArgs, verb: string): string[] {
  const files = args.positionals.slice(1);
  if (files.length === 0) throw new UsageError(`review ${verb}: which review file(s)? (empathy review ${verb} REVIEW.jsonl…)`);
  return files;
}

function loadAndWarn(files: string[], ctx: CliContext) {
  const loaded = loadReviews(files.map((f) => path.resolve(ctx.cwd, f)));
  for (const p of loaded.problems) ctx.err.write(`warning: ${path.relative(ctx.cwd, p.file) || p.file}:${p.line}: ${p.message}\n`);
  return loaded;
}

async function statsVerb(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const loaded = loadAndWarn(reviewFiles(args, 'stats'), ctx);
  const goldFiles = pathList(args.opts.gold).map((f) => path.resolve(ctx.cwd, f));
  const { gold, warnings } = await loadGoldIndex(goldFiles, { encoding: encodingOption(args.opts.encoding), mechanism: args.opts.mechanism as Mechanism | undefined });
  for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
  const s = reviewStats(loaded.judgements, gold);
  ctx.out.write(args.opts.json === true ? JSON.stringify(s, null, 2) + '\n' : reviewStatsText(s) + '\n');
  return 0;
}

async function applyVerb(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const files = reviewFiles(args, 'apply');
  const o = args.opts as { data?: string; out?: string; reviewer?: string; mechanism?: Mechanism; raw_csv?: boolean; encoding?: string };
  if (!o.data) throw new UsageError('review apply needs --data CSV (the raw EPITOME file to correct)');
  if (!o.out) throw new UsageError('review apply needs --out CSV (a new file; the data file is never modified)');
  const data = path.resolve(ctx.cwd, o.data);
  const out = path.resolve(ctx.cwd, o.out);
  assertOutputsClear([{ flag: 'out', path: out }], [{ flag: 'data', path: data }, ...files.map((f) => ({ flag: `REVIEW ${f}`, path: path.resolve(ctx.cwd, f) }))], ctx.cwd);
  const mechanism = o.mechanism ?? mechanismFromFileName(data);
  if (!mechanism) throw new UsageError(`review apply: cannot tell the mechanism of ${o.data} from its name; pass --mechanism ER|IP|EX`);
  const loaded = loadAndWarn(files, ctx);
  const copy = applyReview(await readCsvFile(data, { encoding: encodingOption(o.encoding) }), data, loaded.judgements, { mechanism, ...(o.reviewer ? { reviewer: o.reviewer } : {}) });
  writeCsvAtomic(out, copy.header, copy.rows, { raw: o.raw_csv === true });
  if (copy.unmatched.length > 0) ctx.err.write(`warning: ${copy.unmatched.length} judged ${mechanism} pair(s) are not in ${o.data} (first: ${copy.unmatched[0]})\n`);
  ctx.err.write(`wrote ${path.relative(ctx.cwd, out) || out}: ${copy.rows.length} rows, ${copy.changed} changed${copy.disagreements ? `, ${copy.disagreements} left as they were (reviewers disagree; pass --reviewer)` : ''}\n`);
  return 0;
}

function parseSpanFlag(s: string): [number, number] {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(s);
  if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--span must be START:END character offsets with START < END, found ${JSON.stringify(s)}`);
  return [Number(m[1]), Number(m[2])];
}

function addVerb(args: ParsedArgs, ctx: CliContext): number {
  const files = reviewFiles(args, 'add');
  if (files.length !== 1) throw new UsageError('review add writes to exactly one review file');
  const o = args.opts as { pair_id?: string; mechanism?: string; kind?: string; level?: number; span?: string; remove?: boolean; note?: string; of?: string; reviewer?: string };
  if (!o.pair_id) throw new UsageError('review add needs --pair_id (the <sp_id>_<rp_id> id)');
  if (!MECHANISMS.includes(o.mechanism as Mechanism)) throw new UsageError('review add needs --mechanism ER|IP|EX');
  if (!REVIEW_KINDS.includes(o.kind as ReviewKind)) throw new UsageError(`review add needs --kind ${REVIEW_KINDS.join('|')}`);
  const entry: NewReviewLine = { pair_id: o.pair_id, mechanism: o.mechanism as Mechanism, kind: o.kind as ReviewKind };
  if (o.level !== undefined) {
    if (![0, 1, 2].includes(o.level)) throw new UsageError(`--level must be 0, 1 or 2, found ${o.level}`);
    entry.level = o.level as Level;
  }
  if (o.span !== undefined) entry.span = parseSpanFlag(o.span);
  if (o.remove) entry.remove = true;
  if (o.note !== undefined) entry.note = o.note;
  if (o.of !== undefined) entry.of = o.of;
  if (o.reviewer !== undefined) entry.reviewer = o.reviewer;
  let line;
  try {
    [line] = appendReviewLines(path.resolve(ctx.cwd, files[0]), [entry]);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^review line not written: "(\w+)"/, 'review add: --$1'));
  }
  ctx.out.write(`${line.id}\n`);
  return 0;
}

export const review: Command = {
  name: 'review',
  summary: 'reviewers\' judgements: agreement stats, a corrected copy of the data, add a judgement',
  usage: USAGE,
  options: [
    { name: 'gold', type: 'list', metavar: 'CSV', help: 'stats: gold labelled CSV(s); the mechanism comes from each name' },
    { name: 'json', type: 'boolean', help: 'stats: print JSON ({"ER": {"reviewed": n, "kappa_gold": …}, …})' },
    { name: 'data', type: 'string', metavar: 'CSV', help: 'apply: the raw EPITOME CSV to correct' },
    { name: 'out', short: 'o', type: 'string', metavar: 'CSV', help: 'apply: the corrected copy (a new file)' },
    { name: 'reviewer', type: 'string', metavar: 'NAME', help: 'apply: only this reviewer\'s judgements; add: who judges (default: the OS user)' },
    { name: 'mechanism', type: 'string', choices: MECHANISMS, metavar: 'ER|IP|EX', help: 'the mechanism, when a file name does not tell' },
    { name: 'pair_id', type: 'string', metavar: 'ID', help: 'add: the pair (<sp_id>_<rp_id>)' },
    { name: 'kind', type: 'string', choices: REVIEW_KINDS, metavar: 'KIND', help: 'add: level, span, gold-suspect, note or retract' },
    { name: 'level', type: 'number', metavar: '0|1|2', help: 'add: the level the reviewer believes' },
    { name: 'span', type: 'string', metavar: 'START:END', help: 'add: a rationale span, character offsets into the response' },
    { name: 'remove', type: 'boolean', help: 'add: the span is wrong (rejects a predicted rationale)' },
    { name: 'note', type: 'string', metavar: 'TEXT', help: 'add: a note' },
    { name: 'of', type: 'string', metavar: 'LINE_ID', help: 'add: the line a retraction takes back' },
    ENCODING_OPTION,
    RAW_CSV_OPTION,
  ],
  async run(args, ctx) {
    const verb = args.positionals[0];
    if (verb === 'stats') return statsVerb(args, ctx);
    if (verb === 'apply') return applyVerb(args, ctx);
    if (verb === 'add') return addVerb(args, ctx);
    throw new UsageError(`review: expected stats, apply or add${verb ? `, found ${JSON.stringify(verb)}` : ''}`);
  },
};

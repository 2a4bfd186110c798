// `empathy report RUN…`: a self-contained HTML page (loss curves, run comparison, metric tables,
// confusion matrices, example rationale heatmaps) of one or several recorded runs.
import * as path from 'node:path';
import { assertOutputsClear, type FlaggedPath } from '../../../dataset/outputGuard';
import { UsageError } from '../args';
import type { CliContext, Command } from '../command';
import { pathList } from '../../../dataset/labeledFiles';
import { loadGoldIndex, loadReviews } from '../../review/reviewSources';
import { reviewStats } from '../../review/reviewStats';
import type { ReviewSection } from '../../report/runReport';
import { RunStore, defaultRunsDir } from '../../runs/store';
import { engine } from '../engine';

/** The review section's inputs, read before any run is scored (bad lines warned with file:line). */
async function reviewSection(files: string[], gold: string[], ctx: CliContext): Promise<ReviewSection> {
  const loaded = loadReviews(files);
  for (const p of loaded.problems) ctx.err.write(`warning: ${p.file}:${p.line}: ${p.message}\n`);
  const g = await loadGoldIndex(gold);
  for (const w of g.warnings) ctx.err.write(`warning: ${w}\n`);
  return { files, gold, stats: reviewStats(loaded.judgements, g.gold) };
}

export const report: Command = {
  name: 'report',
  summary: 'write an HTML report (loss curves, metrics, confusion matrices, example rationales) of runs',
  usage: [
    'usage: empathy report RUN [RUN…] [--out report.html] [--runs_dir DIR] [--examples N] [--title TEXT]',
    '       empathy report [RUN…] --review REVIEW.jsonl[,…] [--gold CSV[,…]]   (adds a Review section)',
    '',
    'RUN is a run id, a unique prefix of one, or a run folder (see `empathy runs list`). The page is',
    'self-contained (plotly and the renderers are inlined; nothing is fetched). When a run has a checkpoint',
    'and its data files are still there, its first N dev (else test, else train) pairs are scored for the',
    'rationale heatmaps.',
  ].join('\n'),
  options: [
    { name: 'out', short: 'o', type: 'string', default: 'report.html', metavar: 'FILE.html', help: 'where to write the page' },
    { name: 'runs_dir', type: 'string', metavar: 'DIR', help: 'runs folder (default: ./runs or $EMPATHY_RUNS_DIR)' },
    { name: 'examples', type: 'number', default: 5, metavar: 'N', help: 'examples scored per run for the heatmaps (0: none)' },
    { name: 'title', type: 'string', metavar: 'TEXT', help: 'page title' },
    { name: 'review', type: 'list', metavar: 'REVIEW.jsonl', help: 'add a section on these review files (as `empathy review stats`)' },
    { name: 'gold', type: 'list', metavar: 'CSV', help: 'with --review: gold labelled CSV(s) to compare the judgements with' },
  ],
  async run(args, ctx) {
    const reviewFiles = pathList(args.opts.review).map((f) => path.resolve(ctx.cwd, f));
    const goldFiles = pathList(args.opts.gold).map((f) => path.resolve(ctx.cwd, f));
    if (args.positionals.length === 0 && reviewFiles.length === 0) throw new UsageError('report: which runs? (empathy report RUN… ; `empathy runs list` shows them)');
    if (goldFiles.length > 0 && reviewFiles.length === 0) throw new UsageError('report: --gold goes with --review');
    const examples = args.opts.examples as number;
    if (!(Number.isInteger(examples) && examples >= 0)) throw new UsageError('report: --examples must be a whole number ≥ 0');
    const store = new RunStore(typeof args.opts.runs_dir === 'string' ? path.resolve(ctx.cwd, args.opts.runs_dir) : defaultRunsDir(ctx.cwd));
    const out = path.resolve(ctx.cwd, String(args.opts.out));
    // --out is never a file the report reads: a run's folder files, its checkpoint or its data.
    const read: FlaggedPath[] = [];
    for (const ref of args.positionals) {
      let rec;
      try {
        rec = store.get(ref);
      } catch {
        continue; // an unknown run is reported by writeRunsReport, with its own message
      }
      read.push({ flag: `RUN ${ref}`, path: store.dirOf(rec) }, { flag: `RUN ${ref}`, path: rec.checkpointPath }, ...rec.data.map((d) => ({ flag: `RUN ${ref}`, path: d.path })));
    }
    read.push(...reviewFiles.map((f) => ({ flag: 'review', path: f })), ...goldFiles.map((f) => ({ flag: 'gold', path: f })));
    assertOutputsClear([{ flag: 'out', path: String(args.opts.out) }], read, ctx.cwd); // as given: a trailing / is seen
    const review = reviewFiles.length > 0 ? await reviewSection(reviewFiles, goldFiles, ctx) : undefined;
    engine(); // tfjs in PROD mode, loaded only now (scoring examples needs it)
    const { writeRunsReport } = require('../../report/runReport') as typeof import('../../report/runReport');
    const runs = await writeRunsReport(out, store, args.positionals, {
      examples,
      ...(typeof args.opts.title === 'string' ? { title: args.opts.title } : {}),
      onProgress: (m) => ctx.err.write(`${m}\n`),
      ...(review ? { review } : {}),
    });
    ctx.err.write(`wrote ${path.relative(ctx.cwd, out) || out} (${runs.length} run${runs.length === 1 ? '' : 's'}${runs.length ? `: ${runs.map((r) => r.id).join(', ')}` : ''}${review ? ', review section' : ''})\n`);
    return 0;
  },
};

// The HTML report of recorded runs (`empathy report RUN…`): loss curves, the run comparison, metric
// tables, confusion matrices and rationale heatmaps of a few scored examples, as one self-contained
// page drawn with the notebook report's machinery (kernel/report/html.ts + the webviews' renderers,
// plotly inlined; nothing is fetched from the network).
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { writeFileAtomic } from '../../dataset/atomicFile';
import type { CellOutput, Notebook, NotebookCell } from '../notebook/format/notebook';
import { MIME, type MimeBundle } from '../protocol/mime';
import { renderHtmlReport } from './html';
import { escapeHtml } from './markdown';
import { confusionPayload, confusionText } from '../payloads/confusion';
import { lossCurveText } from '../payloads/lossCurve';
import { metricsPayload, metricsText } from '../payloads/metrics';
import { rationalesPayload, rationalesText } from '../payloads/rationales';
import { loadModel } from '../models';
import type { EvalReport, LabeledPair } from '../engine';
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { comparisonTable, comparisonText, lossCurvePayload, runsPayload } from '../payloads/runs';
import { statusText, type RunRecord } from '../runs/run';
import { sha256File, type RunStore } from '../runs/store';
import { PAPER_METRICS } from '../metrics/catalog';
import { reviewStatsTable, reviewStatsText, type ReviewStats } from '../review/reviewStats';

export interface RunsReportOptions {
  /** Examples scored with each run's model for the rationale heatmaps (0 = none). */
  examples: number; // 5
  /** Page title (default: the run's label, or "N runs"). */
  title?: string;
  /** Progress lines (loading a model, scoring examples). */
  onProgress?: (message: string) => void;
  /** A section on reviewers' judgements (`empathy report --review`). */
  review?: ReviewSection;
}

/** Review files and the agreement numbers computed from them (with the gold files used, if any). */
export interface ReviewSection {
  files: string[];
  gold: string[];
  stats: ReviewStats;
}

export const defaultRunsReportOptions: RunsReportOptions = { examples: 5 };

/** Code cells of the report hold outputs only: this language marks them so their (empty) source is not shown. */
const OUTPUT_ONLY = 'empathy-report';

function outputs(bundles: MimeBundle[]): NotebookCell {
  return {
    kind: 'code', language: OUTPUT_ONLY, source: '',
    outputs: bundles.map((bundle): CellOutput => ({ kind: 'display', bundle })),
    execution: { count: null, status: 'ok', durationMs: 0 },
  };
}

function markdown(source: string): NotebookCell {
  return { kind: 'markdown', language: 'markdown', source, outputs: [], execution: null };
}

const fmt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(3));
/** Markdown table cells cannot hold a pipe. */
const cell = (s: string) => s.replace(/\|/g, '\\|');

function runHeader(r: RunRecord): string {
  const code = `${r.code.package} ${r.code.version}${r.code.gitCommit ? ` @ ${r.code.gitCommit.slice(0, 12)}${r.code.gitDirty ? ' (uncommitted changes)' : ''}` : ''}`;
  const data = r.data.map((d) => {
    const now = existsSync(d.path) ? (sha256File(d.path) === d.sha256 ? 'unchanged' : '**changed since the run**') : 'missing now';
    return `| ${d.role} | \`${cell(basename(d.path))}\` | ${d.rows ?? '—'} | \`${d.sha256.slice(0, 12)}\` (${now}) |`;
  });
  return [
    `## ${cell(r.label)}`,
    '',
    `Run \`${r.id}\` · **${statusText(r)}** · ${r.family} · seed ${r.seed} · ${r.steps} steps · ${r.backend ? r.backend.detail : 'backend unknown'}`,
    '',
    `Created ${r.createdAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''} · ${code} · source: ${r.source}`,
    ...(r.checkpointPath ? ['', `Checkpoint: \`${r.checkpointPath}\`${existsSync(r.checkpointPath) ? '' : ' (missing now)'}`] : []),
    ...(r.error ? ['', `**Error:** ${r.error}`] : []),
    ...(data.length ? ['', '| data | file | rows | sha256 |', '|---|---|---|---|', ...data] : []),
  ].join('\n');
}

/** The run's config as a two-column table payload (nested values as JSON). */
function configBundle(r: RunRecord): MimeBundle {
  const rows = Object.entries(r.config)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, string | number | boolean | null] => [k, v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v)]);
  return {
    'text/plain': rows.map(([k, v]) => `${k} = ${v}`).join('\n'),
    [MIME.table]: { v: 1, columns: ['setting', 'value'], rows },
  };
}

function evalBundles(report: EvalReport, part: string, r: RunRecord): MimeBundle[] {
  const m = metricsPayload(report, { title: `${r.label}: ${part} metrics`, split: `the ${part} split` });
  const c = confusionPayload(report, { title: `${r.label}: ${part} levels, gold (rows) vs predicted (columns)` });
  const paper = Object.fromEntries(Object.entries(report.mechanisms).filter(([, e]) => e).map(([mech, e]) => [mech,
    Object.fromEntries(PAPER_METRICS.map((d) => [d.label, d.get(e!)]))]));
  const p = metricsPayload(paper, { title: `${r.label}: ${part}, the original code's way (paper-faithful)` });
  return [
    { 'text/plain': metricsText(m), [MIME.metrics]: m },
    { 'text/plain': confusionText(c), [MIME.confusion]: c },
    { 'text/plain': metricsText(p), [MIME.metrics]: p },
  ];
}

/** Which labelled files a run's examples come from: dev, else test, else train (deduplicated). */
function exampleFiles(r: RunRecord): { role: string; files: string[] } | undefined {
  for (const role of ['dev', 'test', 'train'] as const) {
    const files = [...new Set(r.data.filter((d) => d.role === role).map((d) => d.path))];
    if (files.length) return { role, files };
  }
  return undefined;
}

/** Score the first `n` pairs of the run's dev (else test, else train) data with its checkpoint. */
async function exampleCells(r: RunRecord, n: number, progress: (m: string) => void): Promise<NotebookCell[]> {
  if (n <= 0) return [];
  const why = (s: string) => [markdown(`*No example heatmaps: ${s}.*`)];
  if (!r.checkpointPath) return why('the run has no checkpoint');
  if (!existsSync(r.checkpointPath)) return why(`its checkpoint \`${r.checkpointPath}\` no longer exists`);
  const src = exampleFiles(r);
  if (!src) return why('the run records no data files');
  const missing = src.files.filter((f) => !existsSync(f));
  if (missing.length) return why(`data file \`${missing[0]}\` no longer exists`);
  let pairs: LabeledPair[];
  try {
    const loaded = await loadLabeledFiles(src.role, src.files, { joint: src.files.length > 1, siblings: false, cwd: process.cwd() });
    pairs = loaded.pairs.slice(0, n);
  } catch (e) {
    return why(`cannot read its ${src.role} data (${(e as Error).message})`);
  }
  progress(`scoring ${pairs.length} ${src.role} examples with ${basename(r.checkpointPath)}`);
  const model = await loadModel(r.checkpointPath);
  try {
    const predictions = await model.predict(pairs);
    const p = rationalesPayload(predictions, { gold: pairs, maxLen: model.maxLen });
    return [
      markdown(`### Examples\n\nThe first ${pairs.length} pairs of the run's ${src.role} data (${src.files.map((f) => `\`${basename(f)}\``).join(', ')}) scored with its checkpoint: darker words have a higher predicted rationale probability, framed ones are the gold rationale.${src.role === 'train' ? ' **The model was trained on these pairs** (the run records no dev or test files): they show what it learned, not how well it does on new responses.' : ''}`),
      outputs([{ 'text/plain': rationalesText(p), [MIME.rationales]: p }]),
    ];
  } finally {
    model.dispose();
  }
}

/** The review section: what was reviewed, against what, and the agreement table. */
function reviewCells(r: ReviewSection): NotebookCell[] {
  const t = reviewStatsTable(r.stats);
  const names = (fs: string[]) => fs.map((f) => `\`${basename(f)}\``).join(', ');
  return [
    markdown([
      '## Review',
      '',
      `Judgements from ${names(r.files)}${r.gold.length ? `, compared with the gold labels of ${names(r.gold)}` : ' (no gold files given: the gold columns are empty)'}.`,
      'κ is Cohen\'s kappa (κ_w: quadratic weights); model accuracy compares the level the model showed with the reviewer\'s;',
      'token-F1 compares the reviewer\'s rationale with gold\'s on the pairs where the reviewer judged spans.',
    ].join('\n')),
    outputs([{ 'text/plain': reviewStatsText(r.stats), [MIME.table]: { v: 1, columns: t.columns, rows: t.rows } }]),
  ];
}

/** The report as a notebook of markdown and output-only cells (what renderRunsReport draws). */
export async function runsReportNotebook(store: RunStore, refs: readonly string[], options: Partial<RunsReportOptions> = {}): Promise<{ notebook: Notebook; runs: RunRecord[] }> {
  const opts = { ...defaultRunsReportOptions, ...options };
  const progress = opts.onProgress ?? (() => {});
  if (refs.length === 0 && !opts.review) throw new Error('report: which runs? (give one or more run ids)');
  const runs = refs.map((ref) => store.get(ref));
  const events = runs.map((run) => store.events(run.id));
  const title = opts.title ?? (runs.length === 0 ? 'Review report' : runs.length === 1 ? `Run report: ${runs[0].label}` : `Report of ${runs.length} runs`);
  const cells: NotebookCell[] = [];
  if (runs.length === 0) cells.push(markdown(`# ${cell(title)}`));
  else cells.push(markdown([
    `# ${cell(title)}`,
    '',
    '| run | label | family | status | steps | mean dev macro-F1 |',
    '|---|---|---|---|---|---|',
    ...runs.map((r) => {
      const f1 = Object.entries(r.metrics).filter(([k]) => /^dev\.[A-Z]{2}\.macroF1$/.test(k)).map(([, v]) => v);
      return `| \`${r.id}\` | ${cell(r.label)} | ${r.family} | ${statusText(r)} | ${r.steps} | ${f1.length ? fmt(f1.reduce((a, b) => a + b, 0) / f1.length) : '—'} |`;
    }),
  ].join('\n')));

  const curves = lossCurvePayload(runs.map((run, i) => ({ run, events: events[i] })));
  if (runs.length > 1) {
    const table = comparisonTable(runs);
    // Column heads: the labels when they tell the runs apart (ids are in the table above).
    if (new Set(runs.map((r) => r.label)).size === runs.length) table.columns = runs.map((r) => r.label);
    cells.push(markdown('## Comparison\n\nThe runs with their settings, their dev/test metrics side by side (one column per run), and their loss curves on one chart.'));
    cells.push(outputs([
      { 'text/plain': comparisonText(runs), [MIME.runs]: runsPayload(runs) },
      { 'text/plain': metricsText(table), [MIME.metrics]: table },
      { 'text/plain': lossCurveText(curves), [MIME.lossCurve]: curves },
    ]));
  }
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    cells.push(markdown(runHeader(r)));
    const bundles: MimeBundle[] = [configBundle(r)];
    const curve = { v: 1 as const, runs: [curves.runs[i]] };
    if (curve.runs[0].steps.length > 0) bundles.push({ 'text/plain': lossCurveText(curve), [MIME.lossCurve]: curve });
    if (r.dev) bundles.push(...evalBundles(r.dev, 'dev', r));
    if (r.test) bundles.push(...evalBundles(r.test, 'test', r));
    cells.push(outputs(bundles));
    if (!r.dev && !r.test) cells.push(markdown('*This run recorded no dev or test evaluation.*'));
    cells.push(...(await exampleCells(r, opts.examples, progress)));
  }
  if (opts.review) cells.push(...reviewCells(opts.review));
  return { notebook: { format: 'empathy-notebook', version: 1, metadata: { title }, cells }, runs };
}

/** The page: the notebook report without the (empty) source boxes of output-only cells. */
export function renderRunsReport(nb: Notebook): string {
  const html = renderHtmlReport(nb, { source: 'empathy report' });
  const chrome = new RegExp(`<div class="cell-head">(?:(?!</div>).)*</div><pre class="source"[^>]*><code class="language-${escapeHtml(OUTPUT_ONLY)}"></code></pre>`, 'g');
  return html.replace(chrome, '');
}

/** Build and write the report atomically; returns the runs it covers. */
export async function writeRunsReport(file: string, store: RunStore, refs: readonly string[], options: Partial<RunsReportOptions> = {}): Promise<RunRecord[]> {
  const { notebook, runs } = await runsReportNotebook(store, refs, options);
  const html = renderRunsReport(notebook);
  writeFileAtomic(resolve(file), html);
  return runs;
}

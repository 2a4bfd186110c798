// The `display` API cells use: `display(value)` plus typed builders for the workbench's rich outputs
// (table, lossCurve, confusion, rationales, dataset, metrics, html, markdown). Each publishes a MIME
// bundle with a text/plain fallback; `lossCurve` returns a handle whose `update()` redraws in place.
import { inspect } from 'node:util';
import type { EvalReport, LabeledPair, MechanismEval, PairPrediction } from '../../engine';
import type { RawRow } from '../../../dataset/epitome';
import type { RunRecord } from '../../runs/run';
import { runsPayload } from '../../payloads/runs';
import { MIME, type LossCurvePayload, type MetricsPayload, type MimeBundle } from '../../protocol/mime';
import { newDisplayId, publishDisplay } from '../context';
import { confusionPayload, confusionText, type ConfusionOptions } from '../../payloads/confusion';
import { datasetPayload, datasetText, type DatasetOptions } from '../../payloads/dataset';
import { lossCurvePayload, lossCurveText, type LossCurveSource } from '../../payloads/lossCurve';
import { metricsPayload, metricsText, type MetricsOptions } from '../../payloads/metrics';
import { rationalesPayload, rationalesText, type RationalesOptions } from '../../payloads/rationales';
import { tableFromValue, type TableOptions } from '../../payloads/table';
import { reviewStatsTable, reviewStatsText, type ReviewStats } from '../../review/reviewStats';

export interface DisplayHandle {
  readonly displayId: string;
  /** Replace the output in place with a new bundle. */
  updateBundle(bundle: MimeBundle): void;
}

export interface LossCurveHandle extends DisplayHandle {
  /** Redraw from new events/sources; `live` false marks the run finished. */
  update(source: LossCurveSource | readonly LossCurveSource[], live?: boolean): void;
}

/** Marks display handles so a cell ending in `display.x(…)` shows the display only, not the handle. */
export const DISPLAY_HANDLE = Symbol.for('empathy.displayHandle');

function handle<T extends DisplayHandle>(h: T): T {
  Object.defineProperty(h, DISPLAY_HANDLE, { value: true, enumerable: false });
  return h;
}

function show(bundle: MimeBundle, displayId?: string): DisplayHandle {
  const id = displayId ?? newDisplayId();
  publishDisplay(bundle, { displayId: id });
  return handle({ displayId: id, updateBundle: (b: MimeBundle) => publishDisplay(b, { displayId: id, update: true }) });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function lossCurveBundle(source: LossCurveSource | readonly LossCurveSource[], live = false): MimeBundle {
  const p: LossCurvePayload = lossCurvePayload(source, live);
  return { 'text/plain': lossCurveText(p), [MIME.lossCurve]: p };
}

export function metricsBundle(source: Parameters<typeof metricsPayload>[0], opts?: MetricsOptions): MimeBundle {
  const p: MetricsPayload = metricsPayload(source, opts);
  return { 'text/plain': metricsText(p), [MIME.metrics]: p };
}

/** Show any value: its table form when it has one, else its inspected text. */
function displayValue(value: unknown): DisplayHandle {
  if (typeof value === 'object' && value !== null && typeof (value as MimeBundle)['text/plain'] === 'string' &&
    Object.keys(value).some((k) => k.includes('/'))) return show(value as MimeBundle);
  const t = tableFromValue(value, { strict: true });
  if (t) return show({ 'text/plain': t.text, [MIME.table]: t.payload });
  return show({ 'text/plain': typeof value === 'string' ? value : inspect(value, { depth: 4, colors: false, maxArrayLength: 100 }) });
}

export const display = Object.assign(displayValue, {
  /** A table from a danfojs DataFrame, an array of records, or rows with `columns`. */
  table(value: unknown, opts: TableOptions = {}): DisplayHandle {
    const t = tableFromValue(value, opts);
    if (!t) throw new TypeError('display.table: expected a DataFrame, an array of records or an array of rows');
    return show({ 'text/plain': t.text, [MIME.table]: t.payload });
  },
  /** Loss curves from training events (or `{ events }`, run curves); `update()` redraws live. */
  lossCurve(source: LossCurveSource | readonly LossCurveSource[], opts: { live?: boolean; displayId?: string } = {}): LossCurveHandle {
    const h = show(lossCurveBundle(source, opts.live ?? false), opts.displayId);
    return handle({ ...h, update: (s: LossCurveSource | readonly LossCurveSource[], live = true) => h.updateBundle(lossCurveBundle(s, live)) });
  },
  /** Recorded runs side by side (RunStore.list().runs). */
  runs(records: readonly RunRecord[]): DisplayHandle {
    const p = runsPayload(records);
    const text = p.runs.map((r) => `${r.id}  ${r.label}  ${Object.entries(r.metrics).slice(0, 4).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}`).join('\n');
    return show({ 'text/plain': text || 'no runs', [MIME.runs]: p });
  },
  /** Confusion matrices (per mechanism) of an evaluation report. */
  confusion(report: EvalReport | MechanismEval, opts: ConfusionOptions = {}): DisplayHandle {
    const p = confusionPayload(report, opts);
    return show({ 'text/plain': confusionText(p), [MIME.confusion]: p });
  },
  /** Rationale heatmaps of predictions (gold spans when `gold` pairs are given). */
  rationales(predictions: readonly PairPrediction[], opts: RationalesOptions = {}): DisplayHandle {
    const p = rationalesPayload(predictions, opts);
    return show({ 'text/plain': rationalesText(p), [MIME.rationales]: p });
  },
  /** The dataset explorer for labelled pairs or raw EPITOME rows. */
  dataset(rows: readonly LabeledPair[] | readonly RawRow[], opts: DatasetOptions = {}): DisplayHandle {
    const p = datasetPayload(rows, opts);
    return show({ 'text/plain': datasetText(p), [MIME.dataset]: p });
  },
  /** Review agreement per mechanism (`await reviewStatsOf(file, gold)`), as `empathy review stats` prints it. */
  review(stats: ReviewStats): DisplayHandle {
    const t = reviewStatsTable(stats);
    return show({ 'text/plain': reviewStatsText(stats), [MIME.table]: { v: 1, columns: t.columns, rows: t.rows } });
  },
  /** A metrics table (EvalReport, { series: { metric: value } }, or { metric: value }). */
  metrics(source: Parameters<typeof metricsPayload>[0], opts: MetricsOptions = {}): DisplayHandle {
    return show(metricsBundle(source, opts));
  },
  /** Raw HTML (rendered sandboxed by hosts); `text` is its plain fallback. */
  html(html: string, text?: string): DisplayHandle {
    return show({ 'text/plain': text ?? html.replace(/<[^>]*>/g, ''), 'text/html': html });
  },
  /** Markdown text. */
  markdown(md: string): DisplayHandle {
    return show({ 'text/plain': md, 'text/markdown': md });
  },
  /** Preformatted text. */
  text(text: string): DisplayHandle {
    return show({ 'text/plain': text, 'text/html': `<pre>${escapeHtml(text)}</pre>` });
  },
  /** A MIME bundle as is (must carry text/plain). */
  bundle(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): DisplayHandle {
    if (typeof bundle['text/plain'] !== 'string') throw new TypeError('display.bundle: a bundle needs a text/plain fallback');
    if (opts.update && opts.displayId) {
      publishDisplay(bundle, { displayId: opts.displayId, update: true });
      return handle({ displayId: opts.displayId, updateBundle: (b: MimeBundle) => publishDisplay(b, { displayId: opts.displayId, update: true }) });
    }
    return show(bundle, opts.displayId);
  },
});

export type Display = typeof display;

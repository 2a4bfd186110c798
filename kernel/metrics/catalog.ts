// The metric catalogue: every per-mechanism number an evaluation reports, once — its flat key (run
// records, loss curves: `dev.ER.macroF1`), its path in the report (cv: `ER.rationale.all.tokenF1`), its
// label in tables and text, and how to read it — so cv, runs, the loss curve, the metrics table, the CLI's
// evaluation text and run reports name and read the same metrics the same way.
import type { EvalReport, MechanismEval } from '../../dataset/results';

export interface MetricDef {
  /** Flat name (run records, loss curves, `runs compare`). */
  key: string;
  /** Where it sits in a MechanismEval (cv names metrics so). */
  path: string;
  /** Label in metric tables. */
  label: string;
  /** Label in the CLI's plain-text report, where it differs. */
  text?: string;
  get(e: MechanismEval): number;
  /** Drawn on the loss curve beside the dev loss. */
  curve?: boolean;
  /** Kept in run records (kappa (quadratic) is shown, not recorded). */
  recorded?: boolean;
}

export const METRICS: readonly MetricDef[] = [
  { key: 'accuracy', path: 'accuracy', label: 'accuracy', get: (e) => e.accuracy, curve: true, recorded: true },
  { key: 'macroF1', path: 'macroF1', label: 'macro-F1', get: (e) => e.macroF1, curve: true, recorded: true },
  { key: 'kappa', path: 'kappa', label: 'kappa', text: "Cohen's kappa", get: (e) => e.kappa, recorded: true },
  { key: 'kappaQuadratic', path: 'kappaQuadratic', label: 'kappa (quadratic)', get: (e) => e.kappaQuadratic },
  { key: 'rationaleTokenF1', path: 'rationale.all.tokenF1', label: 'rationale token F1', get: (e) => e.rationale.all.tokenF1, curve: true, recorded: true },
  { key: 'rationaleIouF1', path: 'rationale.all.iouF1', label: 'rationale IOU F1', get: (e) => e.rationale.all.iouF1, curve: true, recorded: true },
  { key: 'rationaleTokenF1Positive', path: 'rationale.positive.tokenF1', label: 'rationale token F1 (level > 0)', get: (e) => e.rationale.positive.tokenF1, recorded: true },
  { key: 'rationaleIouF1Positive', path: 'rationale.positive.iouF1', label: 'rationale IOU F1 (level > 0)', get: (e) => e.rationale.positive.iouF1, recorded: true },
];

/** The original code's batch-averaged numbers (paper-faithful), with train.py's printed names. */
export interface PaperMetricDef {
  key: 'accuracy' | 'macroF1' | 'rationaleAccuracy' | 'rationaleMacroF1' | 'iouF1';
  label: string;
  /** The name train.py prints it under. */
  trainPy: string;
  get(e: MechanismEval): number;
}

export const PAPER_METRICS: readonly PaperMetricDef[] = [
  { key: 'accuracy', label: 'accuracy (batch-averaged)', trainPy: 'Accuracy-Empathy', get: (e) => e.paperFaithful.accuracy },
  { key: 'macroF1', label: 'macro-F1 (batch-averaged)', trainPy: 'macro_f1_empathy', get: (e) => e.paperFaithful.macroF1 },
  { key: 'rationaleAccuracy', label: 'rationale accuracy', trainPy: 'Accuracy-Rationale', get: (e) => e.paperFaithful.rationaleAccuracy },
  { key: 'rationaleMacroF1', label: 'rationale macro-F1', trainPy: 'macro_f1_rationale', get: (e) => e.paperFaithful.rationaleMacroF1 },
  { key: 'iouF1', label: 'IOU-F1', trainPy: 'IOU-F1-Rationale', get: (e) => e.paperFaithful.iouF1 },
];

export function metric(key: string): MetricDef {
  const d = METRICS.find((m) => m.key === key);
  if (!d) throw new Error(`no metric '${key}' in the catalogue`);
  return d;
}

export function paperMetric(key: PaperMetricDef['key']): PaperMetricDef {
  return PAPER_METRICS.find((m) => m.key === key)!;
}

export interface FlattenOptions {
  /** Put before every key (`dev` → `dev.ER.macroF1`). */
  prefix?: string;
  /** Name each metric by its key (default) or its path in the report. */
  by?: 'key' | 'path';
  /** Which metrics (default: all). */
  which?: (d: MetricDef) => boolean;
  /** Include the report's loss, when finite, as `[prefix.]loss`. */
  loss?: boolean;
  /** Drop non-finite values. */
  finiteOnly?: boolean;
}

/** One evaluation as flat `[prefix.]MECH.name` numbers. */
export function flattenReport(r: EvalReport | undefined, o: FlattenOptions = {}): Record<string, number> {
  const out: Record<string, number> = {};
  if (!r) return out;
  const pre = o.prefix ? `${o.prefix}.` : '';
  if (o.loss && Number.isFinite(r.loss)) out[`${pre}loss`] = r.loss;
  for (const [m, e] of Object.entries(r.mechanisms)) {
    if (!e) continue;
    for (const d of METRICS) if (!o.which || o.which(d)) out[`${pre}${m}.${o.by === 'path' ? d.path : d.key}`] = d.get(e);
  }
  if (o.finiteOnly) for (const k of Object.keys(out)) if (!Number.isFinite(out[k])) delete out[k];
  return out;
}

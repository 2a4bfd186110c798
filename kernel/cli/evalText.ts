// Human-readable evaluation output: the original train.py validation lines (batch-averaged) with the
// corpus-level numbers beside them, and a fuller per-mechanism report for `empathy evaluate`.
import type { EvalReport, Mechanism, MechanismEval } from '../engine';
import { reportNotes } from '../metrics/health';
import { metric, paperMetric, type PaperMetricDef } from '../metrics/catalog';

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '  n/a ');

/**
 * The five lines train.py prints per validation/test pass (its batch-averaged conventions), each with
 * the honest corpus-level counterpart beside it.
 */
export function originalLines(m: MechanismEval): string[] {
  const r = m.rationale;
  // train.py's order, each paper-faithful number with its corpus-level counterpart beside it.
  const rows: Array<[PaperMetricDef['key'], string]> = [
    ['accuracy', `corpus ${f4(m.accuracy)}`],
    ['macroF1', `corpus ${f4(m.macroF1)}`],
    ['rationaleAccuracy', ''],
    ['iouF1', `corpus ${f4(r.all.iouF1)} · level>0 rows ${f4(r.positive.iouF1)}`],
    ['rationaleMacroF1', `corpus token-F1 ${f4(r.all.tokenF1)} · level>0 rows ${f4(r.positive.tokenF1)}`],
  ];
  return rows.map(([key, beside]) => {
    const d = paperMetric(key);
    return `  ${`${d.trainPy}: ${f4(d.get(m))}`.padEnd(30)}${beside ? `(${beside})` : ''}`.trimEnd();
  });
}

/** The original lines for every mechanism of a report (prefixed `[ER]` when several). */
export function reportOriginalLines(r: EvalReport): string[] {
  const ms = Object.values(r.mechanisms) as MechanismEval[];
  const out: string[] = [];
  for (const m of ms) {
    if (ms.length > 1) out.push(` [${m.mechanism}]`);
    out.push(...originalLines(m));
  }
  if (Number.isFinite(r.loss)) out.push(`  loss: ${f4(r.loss)}`);
  return out;
}

const NAMES: Record<Mechanism, string> = { ER: 'Emotional Reactions', IP: 'Interpretations', EX: 'Explorations' };

/** The full report of one mechanism. */
export function fullReport(m: MechanismEval): string {
  const L: string[] = [];
  L.push(`${m.mechanism} — ${NAMES[m.mechanism]} (${m.n} rows)`);
  L.push(`  level                         corpus     paper-faithful (batches of ${m.paperFaithful.batchSize})`);
  // Level metrics from the catalogue, the paper-faithful number beside those the original code computes.
  const level: Array<[string, PaperMetricDef['key'] | undefined]> = [['accuracy', 'accuracy'], ['macroF1', 'macroF1'], ['kappa', undefined], ['kappaQuadratic', undefined]];
  for (const [key, paper] of level) {
    const d = metric(key);
    L.push(`    ${(d.text ?? d.label).padEnd(28)}${f4(d.get(m))}${paper ? `     ${f4(paperMetric(paper).get(m))}` : ''}`);
  }
  L.push('  per level        precision  recall     F1         support');
  for (const c of m.perClass) L.push(`    ${String(c.level).padEnd(14)} ${f4(c.precision)}     ${f4(c.recall)}     ${f4(c.f1)}     ${c.support}`);
  L.push('  confusion (rows gold 0/1/2, columns predicted 0/1/2)');
  for (const [g, row] of m.confusion.entries()) L.push(`    ${g}  ${row.map((v) => String(v).padStart(6)).join('')}`);
  L.push('  rationale                     all rows   level>0 rows   paper-faithful');
  L.push(`    token-F1                    ${f4(m.rationale.all.tokenF1)}     ${f4(m.rationale.positive.tokenF1)}         ${f4(m.paperFaithful.rationaleMacroF1)} (mean per-row F1)`);
  L.push(`    IOU-F1 (IoU ≥ 0.5)          ${f4(m.rationale.all.iouF1)}     ${f4(m.rationale.positive.iouF1)}         ${f4(m.paperFaithful.iouF1)}`);
  L.push(`    token accuracy                                        ${f4(m.paperFaithful.rationaleAccuracy)}`);
  return L.join('\n');
}

/** "warning: this model has not learned yet (…)" and small-split notes to print beside a report's metrics. */
export function healthLines(r: EvalReport, split?: string): string[] {
  return reportNotes(r, split).map((n) => `warning: ${n}`);
}

// The original EPITOME code's evaluation (src/evaluation_utils.py + train.py), reproduced with its
// conventions so our numbers can be compared with published ones:
//  - metrics computed per batch (32) and averaged over batches, the last partial batch counting fully;
//  - token labels laid out as the model saw them: [<s>, tokens…, </s>, pad…] of max_len slots, and a
//    row without rationale labelled 1 on every response token and </s> (process_data.py);
//  - the per-row "length" is the character length of the comma-joined trimmed label string
//    (2·(n+1)−1 for n tokens), so the scored slice runs into </s> and padding;
//  - IOU span extraction drops the last token of a span that reaches the end of the slice;
//  - per-row binary F1 is 0 when neither side has a rationale token (sklearn zero_division).
// See ../shared/notes/epitome-science.md. The corrected metrics are in levels.ts / rationales.ts.
import { levelMetrics } from './levels';
import type { PaperFaithfulMetrics } from '../../dataset/results';

/** One row as the original evaluation saw it: labels over max_len slots and its quirky length. */
export interface OriginalLayoutRow {
  label: number[];
  pred: number[];
  /** len(','.join(labels[1:n_tokens_with_specials])) — a character count, not a token count. */
  len: number;
}

/**
 * Build the original layout from content-token labels. `hasRationale` false applies the
 * process_data.py convention (all response tokens and </s> labelled 1). Predictions on </s> and
 * padding are unknown to us and taken as 0.
 */
export function originalLayout(goldTokens: readonly number[], predTokens: readonly number[], hasRationale: boolean, maxLen = 64): OriginalLayoutRow {
  const n = Math.min(goldTokens.length, maxLen - 2);
  const label = new Array<number>(maxLen).fill(0);
  const pred = new Array<number>(maxLen).fill(0);
  for (let i = 0; i < n; i++) {
    label[1 + i] = hasRationale ? (goldTokens[i] === 1 ? 1 : 0) : 1;
    pred[1 + i] = predTokens[i] === 1 ? 1 : 0;
  }
  if (!hasRationale) label[n + 1] = 1; // </s>
  const trimmed = label.slice(1, n + 2).join(',');
  return { label, pred, len: trimmed.length };
}

/** The slice the original scores: drop position 0, then keep `len` positions. */
function scored(row: readonly number[], len: number): number[] {
  return row.slice(1).slice(0, len);
}

/** sklearn f1_score(binary, pos_label=1) with zero_division → 0. Symmetric, so argument order is moot. */
function binaryF1(a: readonly number[], b: readonly number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1 && b[i] === 1) tp++;
    else if (a[i] === 1) fp++;
    else if (b[i] === 1) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** evaluation_utils.flat_accuracy_rationale: mean over rows of token accuracy on the scored slice. */
export function flatAccuracyRationale(rows: readonly OriginalLayoutRow[]): number {
  const accs = rows.map((r) => {
    const p = scored(r.pred, r.len);
    const l = scored(r.label, r.len);
    return l.reduce((a, v, i) => a + (v === p[i] ? 1 : 0), 0) / l.length;
  });
  return mean(accs);
}

/** evaluation_utils.compute_f1_rationale (printed as macro_f1_rationale): mean per-row binary F1. */
export function f1Rationale(rows: readonly OriginalLayoutRow[]): number {
  return mean(rows.map((r) => binaryF1(scored(r.pred, r.len), scored(r.label, r.len))));
}

/** The original span extraction: end = index of the first 0 after a run; a run reaching the end gets end = last index (drops it). */
export function originalSpans(labels: readonly number[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = -1;
  let i = 0;
  for (; i < labels.length; i++) {
    if (labels[i] === 1) {
      if (start === -1) start = i;
    } else if (labels[i] === 0 && start !== -1) {
      spans.push([start, i]);
      start = -1;
    }
  }
  if (start !== -1) spans.push([start, labels.length - 1]);
  return spans;
}

/** evaluation_utils.iou_f1: per row, tps = predicted spans with best IoU ≥ threshold; r = tps/|gold|, p = tps/|pred|. */
export function iouF1Original(rows: readonly OriginalLayoutRow[], threshold = 0.5): number {
  return mean(
    rows.map((r) => {
      const ps = originalSpans(scored(r.pred, r.len));
      const ls = originalSpans(scored(r.label, r.len));
      let tps = 0;
      for (const p of ps) {
        let best = 0;
        for (const t of ls) {
          const num = Math.max(0, Math.min(p[1], t[1]) - Math.max(p[0], t[0]));
          const denom = Math.max(0, p[1] - p[0]) + Math.max(0, t[1] - t[0]) - num;
          const iou = denom === 0 ? 0 : num / denom;
          if (iou > best) best = iou;
        }
        if (best >= threshold) tps++;
      }
      const rec = ls.length > 0 ? tps / ls.length : 0;
      const prec = ps.length > 0 ? tps / ps.length : 0;
      return rec === 0 || prec === 0 ? 0 : (2 * prec * rec) / (prec + rec);
    }),
  );
}

export interface PaperFaithfulRow {
  goldLevel: number;
  predLevel: number;
  goldTokens: readonly number[];
  predTokens: readonly number[];
  /** Whether the row has a gold rationale; default: any gold token is 1. */
  hasRationale?: boolean;
}

export type { PaperFaithfulMetrics };

/** train.py's validation loop: every metric per sequential batch, averaged over batches. */
export function paperFaithfulMetrics(rows: readonly PaperFaithfulRow[], opts: { batchSize?: number; maxLen?: number } = {}): PaperFaithfulMetrics {
  const batchSize = opts.batchSize ?? 32;
  const maxLen = opts.maxLen ?? 64;
  const acc: number[] = [];
  const mf1: number[] = [];
  const racc: number[] = [];
  const rf1: number[] = [];
  const iou: number[] = [];
  for (let b = 0; b < rows.length; b += batchSize) {
    const batch = rows.slice(b, b + batchSize);
    const lm = levelMetrics(
      batch.map((r) => r.goldLevel),
      batch.map((r) => r.predLevel),
    );
    acc.push(lm.accuracy);
    mf1.push(lm.macroF1);
    const layout = batch.map((r) => originalLayout(r.goldTokens, r.predTokens, r.hasRationale ?? r.goldTokens.some((t) => t === 1), maxLen));
    racc.push(flatAccuracyRationale(layout));
    rf1.push(f1Rationale(layout));
    iou.push(iouF1Original(layout));
  }
  return { batchSize, accuracy: mean(acc), macroF1: mean(mf1), rationaleAccuracy: mean(racc), rationaleMacroF1: mean(rf1), iouF1: mean(iou) };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

// Rationale metrics on 0/1 token labels (content tokens of the response, specials excluded):
// pooled token-F1 of the positive class and IOU-F1 (spans matched at IoU ≥ 0.5), corrected form.
// The original code's batch-level variants live in paperFaithful.ts.

export interface TokenItem {
  gold: readonly number[];
  pred: readonly number[];
}

/** Maximal runs of 1s as [start, end) token index pairs. */
export function spansOf(labels: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, labels.length]);
  return out;
}

function checkLengths(it: TokenItem, i: number): void {
  if (it.gold.length !== it.pred.length) throw new Error(`rationale item ${i}: ${it.gold.length} gold labels but ${it.pred.length} predicted`);
}

/**
 * Token-level F1 of the rationale class pooled over all tokens of all items (corpus level).
 * 1 when there is no rationale token in gold or predictions (nothing to find, nothing found); 0 for no items.
 */
export function tokenF1(items: readonly TokenItem[]): number {
  if (items.length === 0) return 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  items.forEach((it, i) => {
    checkLengths(it, i);
    for (let t = 0; t < it.gold.length; t++) {
      const g = it.gold[t] === 1;
      const p = it.pred[t] === 1;
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
  });
  const denom = 2 * tp + fp + fn;
  return denom === 0 ? 1 : (2 * tp) / denom;
}

/** Intersection over union of two [start, end) spans. */
export function spanIoU(a: readonly [number, number], b: readonly [number, number]): number {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
  const union = a[1] - a[0] + (b[1] - b[0]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Span P/R/F1 of one item: a predicted span is correct when its best IoU with a gold span is
 * ≥ threshold (precision), a gold span is found when its best IoU with a predicted one is
 * ≥ threshold (recall). No gold and no predicted span → F1 1; only one side empty → 0.
 */
export function spanF1(gold: readonly number[], pred: readonly number[], threshold = 0.5): { precision: number; recall: number; f1: number } {
  const g = spansOf(gold);
  const p = spansOf(pred);
  if (g.length === 0 && p.length === 0) return { precision: 1, recall: 1, f1: 1 };
  const best = (s: [number, number], others: Array<[number, number]>) => others.reduce((m, o) => Math.max(m, spanIoU(s, o)), 0);
  const precision = p.length > 0 ? p.filter((s) => best(s, g) >= threshold).length / p.length : 0;
  const recall = g.length > 0 ? g.filter((s) => best(s, p) >= threshold).length / g.length : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** IOU-F1: mean over items of the per-item span F1 at IoU ≥ threshold (0.5). 0 for no items. */
export function iouF1(items: readonly TokenItem[], threshold = 0.5): number {
  if (items.length === 0) return 0;
  let sum = 0;
  items.forEach((it, i) => {
    checkLengths(it, i);
    sum += spanF1(it.gold, it.pred, threshold).f1;
  });
  return sum / items.length;
}

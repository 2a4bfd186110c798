// Rationale alignment: character spans (located once, in label.ts) merged and mapped onto token labels
// through tokenizer offsets, and back.

/** Sort and merge overlapping or touching spans. */
export function mergeSpans(spans: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const s = [...spans].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * 1 where a token overlaps a span, else 0. Offsets are [start, end) into the same text; special
 * tokens carry [0, 0] and are never labelled.
 */
export function tokenLabels(spans: ReadonlyArray<[number, number]>, offsets: ReadonlyArray<[number, number]>): number[] {
  return offsets.map(([s, e]) => (e > s && spans.some(([a, b]) => s < b && e > a) ? 1 : 0));
}

/** Character spans of runs of labelled tokens (inverse of tokenLabels, up to token granularity). */
export function labelSpans(labels: readonly number[], offsets: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < labels.length && i < offsets.length; i++) {
    const [s, e] = offsets[i];
    if (labels[i] !== 1 || e <= s) continue;
    const last = out[out.length - 1];
    if (last && i > 0 && labels[i - 1] === 1) last[1] = e;
    else out.push([s, e]);
  }
  return out;
}

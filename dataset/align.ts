// Rationale alignment: locate rationale substrings in the response (exact first, then ignoring
// whitespace differences) and map character spans onto token labels through tokenizer offsets.

/**
 * Find each rationale in `response`. Exact (literal, no regex) first — the k-th repeat of the same
 * rationale takes the k-th occurrence — then a whitespace-insensitive match (the three public files
 * differ in spacing around quotes). Spans are [start, end) character offsets, sorted, merged.
 */
export function locateRationales(response: string, rationales: readonly string[]): { spans: Array<[number, number]>; missed: string[] } {
  const spans: Array<[number, number]> = [];
  const missed: string[] = [];
  const nextFrom = new Map<string, number>();
  let squeezed: { text: string; map: number[] } | undefined;
  for (const raw of rationales) {
    const r = raw.trim();
    if (r === '') continue;
    const from = nextFrom.get(r) ?? 0;
    let at = response.indexOf(r, from);
    if (at < 0 && from > 0) at = response.indexOf(r);
    if (at >= 0) {
      spans.push([at, at + r.length]);
      nextFrom.set(r, at + r.length);
      continue;
    }
    // Whitespace-insensitive fallback: compare with all whitespace removed, map back to offsets.
    squeezed ??= squeeze(response);
    const rs = r.replace(/\s+/g, '');
    const j = rs === '' ? -1 : squeezed.text.indexOf(rs);
    if (j >= 0) {
      spans.push([squeezed.map[j], squeezed.map[j + rs.length - 1] + 1]);
      continue;
    }
    missed.push(raw);
  }
  return { spans: mergeSpans(spans), missed };
}

function squeeze(s: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (/\s/.test(s[i])) continue;
    text += s[i];
    map.push(i);
  }
  return { text, map };
}

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

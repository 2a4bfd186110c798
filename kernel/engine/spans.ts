// Rationale spans from token probabilities: maximal runs of tokens with prob ≥ threshold, merged into
// character spans of the response (tokens that share a character, e.g. a split emoji, join one span),
// widened to whole words: a sub-word piece ("discou[ra]ging") names its word, as the dataset's
// rationales (whole phrases of the response) do.
import type { RationaleToken, Span } from './types';

/** Letters, digits, marks and in-word apostrophes: what a span must not cut through. */
const WORD_CHAR = /[\p{L}\p{N}\p{M}'’]/u;

function isWordChar(text: string, i: number): boolean {
  return i >= 0 && i < text.length && WORD_CHAR.test(text[i]);
}

export function extractSpans(text: string, tokens: readonly RationaleToken[], threshold = 0.5): Span[] {
  const runs: Array<{ start: number; end: number; probSum: number; n: number }> = [];
  let run: RationaleToken[] = [];
  const flush = () => {
    if (run.length === 0) return;
    let start = run[0].start;
    let end = run[run.length - 1].end;
    // Widen to word boundaries (only when the run starts or ends inside a word).
    if (isWordChar(text, start) && isWordChar(text, start - 1)) while (isWordChar(text, start - 1)) start--;
    if (isWordChar(text, end - 1) && isWordChar(text, end)) while (isWordChar(text, end)) end++;
    const probSum = run.reduce((s, t) => s + t.prob, 0);
    const prev = runs[runs.length - 1];
    if (prev && start <= prev.end) {
      // Two runs inside one word (or overlapping after widening) are one span.
      prev.end = Math.max(prev.end, end);
      prev.probSum += probSum;
      prev.n += run.length;
    } else {
      runs.push({ start, end, probSum, n: run.length });
    }
    run = [];
  };
  for (const t of tokens) {
    if (t.prob >= threshold && t.end > t.start) run.push(t);
    else flush();
  }
  flush();
  return runs.map(r => ({ start: r.start, end: r.end, text: text.slice(r.start, r.end), score: r.probSum / r.n }));
}

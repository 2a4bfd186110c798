// Rationale spans from token probabilities: maximal runs of tokens with prob ≥ threshold, merged into
// character spans of the response (tokens that share a character, e.g. a split emoji, join one span).
import type { RationaleToken, Span } from './types';

export function extractSpans(text: string, tokens: readonly RationaleToken[], threshold = 0.5): Span[] {
  const spans: Span[] = [];
  let run: RationaleToken[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const start = run[0].start, end = run[run.length - 1].end;
    const score = run.reduce((s, t) => s + t.prob, 0) / run.length;
    spans.push({ start, end, text: text.slice(start, end), score });
    run = [];
  };
  for (const t of tokens) {
    if (t.prob >= threshold && t.end > t.start) run.push(t);
    else flush();
  }
  flush();
  return spans;
}

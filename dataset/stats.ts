// Dataset statistics: label distribution, post lengths, truncation at max_len (model tokens when a
// tokenizer is given, else word tokens — the result says which), duplicate seeker posts, rationale coverage.
import type { Mechanism } from './schema';
import type { RawRow } from './epitome';
import type { OffsetTokenizer } from './wordTokenizer';

export interface LengthSummary {
  mean: number;
  median: number;
  p95: number;
  max: number;
}

export interface DatasetStats {
  file: string;
  mechanism?: Mechanism;
  rows: number;
  levels: { counts: [number, number, number]; shares: [number, number, number] };
  lengths: { seekerChars: LengthSummary; responseChars: LengthSummary; seekerTokens: LengthSummary; responseTokens: LengthSummary };
  truncation: { maxLen: number; tokens: string; seeker: number; response: number };
  duplicates: { seekerIds: number; seekerIdsWithSeveralResponses: number; seekerTextsUnderSeveralIds: number; duplicatePairIds: number };
  rationales: {
    rowsWithRationale: number;
    positiveRows: number;
    positiveWithoutRationale: number;
    zeroWithRationale: number;
    /** Mean share of response characters inside rationales, over rows with a rationale. */
    meanCoverage: number;
    located: number;
    notFound: number;
  };
}

export function summarize(xs: readonly number[]): LengthSummary {
  if (xs.length === 0) return { mean: 0, median: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

export function datasetStats(file: string, rows: readonly RawRow[], tok: { tokenizer: OffsetTokenizer; description: string }, maxLen = 64, mechanism?: Mechanism): DatasetStats {
  const counts: [number, number, number] = [0, 0, 0];
  const seekerTok: number[] = [];
  const responseTok: number[] = [];
  let truncS = 0;
  let truncR = 0;
  const bySp = new Map<string, number>();
  const textIds = new Map<string, Set<string>>();
  const pairIds = new Map<string, number>();
  let withRat = 0;
  let positive = 0;
  let posNoRat = 0;
  let zeroRat = 0;
  let coverage = 0;
  let located = 0;
  let notFound = 0;
  const big = 1 << 20; // count tokens without truncation, then compare with max_len
  for (const r of rows) {
    counts[r.level]++;
    const s = tok.tokenizer.encode(r.seeker_post, big).offsets.length;
    const p = tok.tokenizer.encode(r.response_post, big).offsets.length;
    seekerTok.push(s - 2);
    responseTok.push(p - 2);
    if (s > maxLen) truncS++;
    if (p > maxLen) truncR++;
    bySp.set(r.sp_id, (bySp.get(r.sp_id) ?? 0) + 1);
    const ids = textIds.get(r.seeker_post) ?? new Set();
    ids.add(r.sp_id);
    textIds.set(r.seeker_post, ids);
    const pid = `${r.sp_id}_${r.rp_id}`;
    pairIds.set(pid, (pairIds.get(pid) ?? 0) + 1);
    if (r.level > 0) positive++;
    if (r.rationales.length > 0) {
      withRat++;
      if (r.level === 0) zeroRat++;
      const { spans, missed } = r;
      notFound += missed.length;
      located += r.rationales.length - missed.length;
      coverage += spans.reduce((a, [x, y]) => a + (y - x), 0) / Math.max(1, r.response_post.length);
    } else if (r.level > 0) posNoRat++;
  }
  const n = rows.length;
  return {
    file,
    mechanism,
    rows: n,
    levels: { counts, shares: counts.map((c) => (n ? c / n : 0)) as [number, number, number] },
    lengths: {
      seekerChars: summarize(rows.map((r) => r.seeker_post.length)),
      responseChars: summarize(rows.map((r) => r.response_post.length)),
      seekerTokens: summarize(seekerTok),
      responseTokens: summarize(responseTok),
    },
    truncation: { maxLen, tokens: tok.description, seeker: n ? truncS / n : 0, response: n ? truncR / n : 0 },
    duplicates: {
      seekerIds: bySp.size,
      seekerIdsWithSeveralResponses: [...bySp.values()].filter((c) => c > 1).length,
      seekerTextsUnderSeveralIds: [...textIds.values()].filter((s) => s.size > 1).length,
      duplicatePairIds: [...pairIds.values()].filter((c) => c > 1).length,
    },
    rationales: { rowsWithRationale: withRat, positiveRows: positive, positiveWithoutRationale: posNoRat, zeroWithRationale: zeroRat, meanCoverage: withRat ? coverage / withRat : 0, located, notFound },
  };
}

// A corrected copy of a raw EPITOME CSV from review judgements: each row keeps its cells, except the
// level (the reviewer's, where it differs) and the rationales (the reviewer's spans, where they judged
// spans), and gains a `review` column saying what changed and why. The data file is never modified.
import type { CsvRecord } from '../../dataset/csv';
import { DataError } from '../../dataset/dataError';
import { RAW_COLUMNS, headerIndex, parseLevel, splitRationales } from '../../dataset/epitome';
import type { Mechanism } from '../../dataset/schema';
import { reviewerSpans, type Judgement } from '../../dataset/reviewJudgements';

/** The column the corrected copy adds. */
export const REVIEW_COLUMN = 'review';

export interface ApplyOptions {
  mechanism: Mechanism;
  /** Only this reviewer's judgements count; without it, reviewers must agree on a pair for it to change. */
  reviewer?: string;
}

export interface AppliedCopy {
  header: string[];
  rows: string[][];
  /** Rows whose level or rationales changed. */
  changed: number;
  /** Rows left as they were because reviewers disagree (no --reviewer). */
  disagreements: number;
  /** Judged pair ids that are not in the data. */
  unmatched: string[];
}

/** What the judgements of one pair (one or more reviewers) do to its row. */
function decide(js: readonly Judgement[], goldLevel: number, response: string, reviewer?: string): { level?: number; rationales?: string; why: string[]; disagree: boolean } {
  const mine = reviewer ? js.filter((j) => j.reviewer === reviewer) : js;
  const why: string[] = [];
  const levels = new Map(mine.filter((j) => j.level !== undefined).map((j) => [j.reviewer, j.level!]));
  const distinct = new Set(levels.values());
  if (distinct.size > 1) {
    return { why: [`reviewers disagree (${[...levels].map(([r, l]) => `${r}: ${l}`).join(', ')}): unchanged`], disagree: true };
  }
  let level: number | undefined;
  if (distinct.size === 1) {
    const l = [...distinct][0];
    if (l !== goldLevel) {
      level = l;
      why.push(`level ${goldLevel}→${l} by ${[...levels.keys()].join(', ')}`);
    }
  }
  let rationales: string | undefined;
  const spanJudged = mine.filter((j) => reviewerSpans(j) !== undefined);
  if (spanJudged.length === 1) {
    const spans = reviewerSpans(spanJudged[0])!.filter(([, e]) => e <= response.length);
    rationales = spans.map(([s, e]) => response.slice(s, e)).join('|');
    why.push(`rationales by ${spanJudged[0].reviewer}`);
  } else if (spanJudged.length > 1) {
    why.push(`rationales judged by several reviewers (${spanJudged.map((j) => j.reviewer).join(', ')}): unchanged; pass --reviewer`);
  }
  for (const j of mine) if (j.goldSuspect) why.push(`gold suspect (${j.reviewer})`);
  for (const j of mine) for (const n of j.notes) why.push(`note (${j.reviewer}): ${n}`);
  return { level, rationales, why, disagree: false };
}

/** Apply `judgements` (any mechanisms; those of `opts.mechanism` count) to raw CSV records (header first). */
export function applyReview(records: readonly CsvRecord[], file: string, judgementsOf: Iterable<Judgement>, opts: ApplyOptions): AppliedCopy {
  if (records.length === 0) throw new DataError(file, undefined, 'empty file (expected a CSV header and rows)');
  const [head, ...body] = records;
  const ix = headerIndex(head, RAW_COLUMNS, file);
  if (head.fields.some((f) => f.trim() === REVIEW_COLUMN)) throw new DataError(file, head.line, `already has a "${REVIEW_COLUMN}" column (a corrected copy?): apply judgements to the original data`);
  const byPair = new Map<string, Judgement[]>();
  for (const j of judgementsOf) if (j.mechanism === opts.mechanism) byPair.set(j.pairId, [...(byPair.get(j.pairId) ?? []), j]);
  const seen = new Set<string>();
  const out: AppliedCopy = { header: [...head.fields, REVIEW_COLUMN], rows: [], changed: 0, disagreements: 0, unmatched: [] };
  for (const rec of body) {
    const cells = [...rec.fields];
    const id = `${cells[ix.sp_id].trim()}_${cells[ix.rp_id].trim()}`;
    const js = byPair.get(id);
    if (!js) {
      out.rows.push([...cells, '']);
      continue;
    }
    seen.add(id);
    const gold = parseLevel(cells[ix.level]);
    if (gold === undefined) throw new DataError(file, rec.line, `level must be 0, 1 or 2, found ${JSON.stringify(cells[ix.level])}`);
    const d = decide(js, gold, cells[ix.response_post].trim(), opts.reviewer);
    let changed = false;
    if (d.level !== undefined) {
      cells[ix.level] = String(d.level);
      changed = true;
    }
    if (d.rationales !== undefined && d.rationales !== splitRationales(cells[ix.rationales]).join('|')) {
      cells[ix.rationales] = d.rationales;
      changed = true;
    }
    if (changed) out.changed++;
    if (d.disagree) out.disagreements++;
    out.rows.push([...cells, d.why.join('; ')]);
  }
  out.unmatched = [...byPair.keys()].filter((p) => !seen.has(p));
  return out;
}

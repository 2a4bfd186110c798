// The notebook's side of reviews: `loadReview(path)` gives every judgement as a flat record (a table
// danfojs reads: `new dfd.DataFrame(await loadReview(p))`), `reviewStatsOf(review, gold)` the agreement
// numbers that `display.review(stats)` shows — the same numbers as `empathy review stats`.
import type { ReviewKind } from '../../dataset/reviewFile';
import type { Mechanism } from '../../dataset/schema';
import { activeIds } from '../../dataset/reviewJudgements';
import { loadGoldIndex, loadReviews } from '../review/reviewSources';
import { reviewStats, type ReviewStats } from '../review/reviewStats';

/** One review line as a table row; `in_force` is false for retracted lines and for retractions. */
export interface ReviewRecord {
  id: string;
  time: string;
  reviewer: string;
  pair_id: string;
  mechanism: Mechanism;
  kind: ReviewKind;
  level: number | null;
  span_start: number | null;
  span_end: number | null;
  remove: boolean;
  note: string | null;
  of: string | null;
  model_level: number | null;
  in_force: boolean;
}

const list = (x: string | readonly string[]) => (typeof x === 'string' ? [x] : [...x]);

/** Every line of the review file(s) as a record; lines that cannot be read are warned about (file:line) and left out. */
export function loadReview(files: string | readonly string[]): ReviewRecord[] {
  const { lines, problems } = loadReviews(list(files));
  for (const p of problems) console.warn(`${p.file}:${p.line}: ${p.message}`);
  const on = activeIds(lines);
  return lines.map((l) => ({
    id: l.id, time: l.time, reviewer: l.reviewer, pair_id: l.pair_id, mechanism: l.mechanism, kind: l.kind,
    level: l.level ?? null, span_start: l.span?.[0] ?? null, span_end: l.span?.[1] ?? null, remove: l.remove === true,
    note: l.note ?? null, of: l.of ?? null, model_level: l.model_level ?? null, in_force: l.kind !== 'retract' && on.has(l.id),
  }));
}

/** Agreement stats of the review file(s), against gold CSVs when given (mechanism from each name). */
export async function reviewStatsOf(files: string | readonly string[], gold: string | readonly string[] = []): Promise<ReviewStats> {
  const { judgements, problems } = loadReviews(list(files));
  for (const p of problems) console.warn(`${p.file}:${p.line}: ${p.message}`);
  const g = await loadGoldIndex(list(gold));
  return reviewStats(judgements, g.gold);
}

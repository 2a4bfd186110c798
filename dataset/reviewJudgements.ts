// What a review file says once retractions are applied: per reviewer, pair and mechanism, the level
// that counts (the latest non-retracted `level` line), the rationale spans the reviewer believes, the
// gold-suspect flag and the notes. The one place review lines are folded; stats, apply, the notebook
// table and the Inspector all read this.
import { mergeSpans } from './align';
import type { ReviewLine } from './reviewFile';
import type { Level, Mechanism } from './schema';

export interface Judgement {
  reviewer: string;
  pairId: string;
  mechanism: Mechanism;
  /** The level that counts, with the line that set it. */
  level?: Level;
  levelLine?: ReviewLine;
  /** Spans added and spans rejected (non-retracted `span` lines), merged. */
  added: Array<[number, number]>;
  removed: Array<[number, number]>;
  /** What the model said when last shown to this reviewer (from the latest line that recorded it). */
  modelLevel?: Level;
  modelSpans?: Array<[number, number]>;
  /** sha256 of the checkpoint shown, when recorded. */
  model?: string;
  goldSuspect: boolean;
  notes: string[];
  /** Time of the latest non-retracted line. */
  time: string;
}

/** Ids of the lines that are in force: not retracted by a retraction that is itself in force. */
export function activeIds(lines: readonly ReviewLine[]): Set<string> {
  const retractors = new Map<string, ReviewLine[]>();
  for (const l of lines) if (l.kind === 'retract' && l.of) retractors.set(l.of, [...(retractors.get(l.of) ?? []), l]);
  const active = new Map<string, boolean>();
  // Later lines first: a line is out when any retraction of it is in force (retracting a retraction is a redo).
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    const by = retractors.get(l.id) ?? [];
    active.set(l.id, !by.some((r) => active.get(r.id) === true));
  }
  return new Set([...active].filter(([, on]) => on).map(([id]) => id));
}

export const judgementKey = (reviewer: string, mechanism: Mechanism, pairId: string) => `${reviewer}\u0000${mechanism}\u0000${pairId}`;

function blank(l: ReviewLine): Judgement {
  return { reviewer: l.reviewer, pairId: l.pair_id, mechanism: l.mechanism, added: [], removed: [], goldSuspect: false, notes: [], time: l.time };
}

/** Fold lines (in file order) into judgements keyed by reviewer, mechanism and pair. */
export function judgements(lines: readonly ReviewLine[]): Map<string, Judgement> {
  const on = activeIds(lines);
  const out = new Map<string, Judgement>();
  for (const l of lines) {
    if (l.kind === 'retract' || !on.has(l.id)) continue;
    const key = judgementKey(l.reviewer, l.mechanism, l.pair_id);
    const j = out.get(key) ?? blank(l);
    out.set(key, j);
    j.time = l.time > j.time ? l.time : j.time;
    if (l.model_level !== undefined) j.modelLevel = l.model_level;
    if (l.model_spans !== undefined) j.modelSpans = mergeSpans(l.model_spans);
    if (l.model !== undefined) j.model = l.model;
    if (l.kind === 'level') {
      j.level = l.level;
      j.levelLine = l;
    } else if (l.kind === 'span' && l.span) {
      (l.remove ? j.removed : j.added).push(l.span);
    } else if (l.kind === 'gold-suspect') {
      j.goldSuspect = true;
    }
    if (l.note) j.notes.push(l.note);
  }
  for (const j of out.values()) {
    j.added = mergeSpans(j.added);
    j.removed = mergeSpans(j.removed);
  }
  return out;
}

/** Subtract `cut` from sorted, merged spans. */
function subtract(spans: ReadonlyArray<[number, number]>, cut: ReadonlyArray<[number, number]>): Array<[number, number]> {
  let out: Array<[number, number]> = spans.map(([s, e]) => [s, e]);
  for (const [cs, ce] of cut) {
    out = out.flatMap(([s, e]): Array<[number, number]> => {
      if (ce <= s || cs >= e) return [[s, e]];
      const parts: Array<[number, number]> = [];
      if (cs > s) parts.push([s, cs]);
      if (ce < e) parts.push([ce, e]);
      return parts;
    });
  }
  return out;
}

/**
 * The rationale the reviewer believes, or undefined when they judged no span: the model's spans as
 * shown (when recorded), less the spans marked wrong, plus the spans added. A span both added and
 * rejected is rejected.
 */
export function reviewerSpans(j: Judgement): Array<[number, number]> | undefined {
  if (j.added.length === 0 && j.removed.length === 0) return undefined;
  return subtract(mergeSpans([...(j.modelSpans ?? []), ...j.added]), j.removed);
}

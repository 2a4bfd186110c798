// process-data: raw EPITOME rows → the original model rows (id, seeker_post, response_post, labels,
// rationale_labels over max_len token slots, rationale_labels_trimmed, response_post_masked), plus
// our `rationale_spans` column (character offsets) so any tokenizer can re-derive exact labels.
// Corrected by default: the spans located when the rows were read (dataset/label.ts), misses counted,
// every row kept. `paperFaithful` restores the original conventions (epitome-science.md, quirks 1, 3).
import type { Level } from './schema';
import { tokenLabels } from './align';
import { pairId, type RawRow } from './epitome';
import type { OffsetTokenizer } from './wordTokenizer';

export const PROCESSED_COLUMNS = ['id', 'seeker_post', 'response_post', 'labels', 'rationale_labels', 'rationale_labels_trimmed', 'response_post_masked', 'rationale_spans'] as const;

export interface ProcessOptions {
  /** Token slots per response including `<s>`/`</s>` (the original's 64). */
  maxLen: number;
  /**
   * The original's conventions: a row without rationale labels every response token and `</s>` 1,
   * `rationale_labels_trimmed` is the character length of the comma-joined labels, and such rows'
   * masked response is ''. Default false.
   */
  paperFaithful: boolean;
  tokenizer: OffsetTokenizer;
}

export interface ProcessedRow {
  id: string;
  seeker_post: string;
  response_post: string;
  labels: Level;
  /** max_len slots: `<s>`, response tokens, `</s>`, padding. */
  rationale_labels: number[];
  /** Corrected: number of response tokens; paper-faithful: len(','.join(labels[1:n+2])). */
  rationale_labels_trimmed: number;
  response_post_masked: string;
  /** Located rationale spans, [start, end) character offsets into response_post. */
  rationale_spans: Array<[number, number]>;
}

export interface ProcessStats {
  rows: number;
  rationales: number;
  /** Rationales not found in their response. */
  missedCount: number;
  /** The first `MISSED_LISTED` of them (by line): kept few, so a streamed file's stats stay small. */
  missed: Array<{ line: number; rationale: string }>;
  /** Responses longer than max_len tokens (their tail gets no labels). */
  truncated: number;
}

/** Replace spans by a space and collapse runs of spaces (the original's masking). */
function maskSpans(text: string, spans: ReadonlyArray<[number, number]>): string {
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    out += text.slice(at, s) + ' ';
    at = e;
  }
  return (out + text.slice(at)).replace(/ +/g, ' ');
}

export function processRow(r: RawRow, opts: ProcessOptions, stats?: ProcessStats): ProcessedRow {
  const enc = opts.tokenizer.encode(r.response_post, opts.maxLen);
  const n = enc.offsets.length - 2; // response tokens without the specials
  const { spans, missed } = r; // located when the row was read
  const hasRationale = r.rationales.length > 0;
  const labels = new Array<number>(opts.maxLen).fill(0);
  if (!hasRationale && opts.paperFaithful) {
    for (let i = 1; i <= n + 1; i++) labels[i] = 1; // tokens and </s>, as process_data.py
  } else {
    tokenLabels(spans, enc.offsets).forEach((v, i) => {
      if (i < opts.maxLen) labels[i] = v;
    });
  }
  let masked: string;
  if (opts.paperFaithful) {
    masked = r.response_post;
    if (!hasRationale) masked = '';
    for (const rat of r.rationales) {
      if (missed.includes(rat) || !masked.includes(rat)) continue;
      masked = masked.split(rat).join(' ').replace(/ +/g, ' '); // Python str.replace: every occurrence
    }
  } else {
    masked = maskSpans(r.response_post, spans);
  }
  if (stats) {
    stats.rows++;
    stats.rationales += r.rationales.length;
    stats.missedCount += missed.length;
    for (const m of missed) if (stats.missed.length < MISSED_LISTED) stats.missed.push({ line: r.line, rationale: m });
    if (enc.truncated) stats.truncated++;
  }
  return {
    id: pairId(r),
    seeker_post: r.seeker_post,
    response_post: r.response_post,
    labels: r.level,
    rationale_labels: labels,
    rationale_labels_trimmed: opts.paperFaithful ? labels.slice(1, n + 2).join(',').length : n,
    response_post_masked: masked,
    rationale_spans: spans,
  };
}

/** How many missed rationales the stats list (process-data prints them, then "… and N more"). */
export const MISSED_LISTED = 5;

export function emptyProcessStats(): ProcessStats {
  return { rows: 0, rationales: 0, missedCount: 0, missed: [], truncated: 0 };
}

export function processRows(rows: readonly RawRow[], opts: ProcessOptions): { rows: ProcessedRow[]; stats: ProcessStats } {
  const stats = emptyProcessStats();
  return { rows: rows.map((r) => processRow(r, opts, stats)), stats };
}

export function formatSpans(spans: ReadonlyArray<[number, number]>): string {
  return spans.map(([s, e]) => `${s}:${e}`).join('|');
}

export function processedCsvRow(p: ProcessedRow): string[] {
  return [p.id, p.seeker_post, p.response_post, String(p.labels), p.rationale_labels.join(','), String(p.rationale_labels_trimmed), p.response_post_masked, formatSpans(p.rationale_spans)];
}

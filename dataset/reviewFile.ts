// The review file (`*.review.jsonl`): reviewers' judgements of pairs, one JSON object a line, append-only.
// Lines are never edited or removed (undo appends a `retract`); the data CSV and the model are never
// touched. A bad line is reported with its number and skipped on read, and stays in the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { MECHANISMS, type Level, type Mechanism } from './schema';

/** Version of the line format this code writes and reads. */
export const REVIEW_VERSION = 1 as const;

/** What a line says: the level the reviewer believes, a rationale span (added, or `remove`d), a gold
 *  label the reviewer distrusts, a free note, or the retraction of an earlier line (`of`). */
export type ReviewKind = 'level' | 'span' | 'gold-suspect' | 'note' | 'retract';
export const REVIEW_KINDS: readonly ReviewKind[] = ['level', 'span', 'gold-suspect', 'note', 'retract'];

/** One judgement. Unknown fields are kept as they are (a later version's fields survive a round trip). */
export interface ReviewLine {
  v: typeof REVIEW_VERSION;
  /** Unique id of this line (what a `retract` names). */
  id: string;
  /** `<sp_id>_<rp_id>`, the id the CLI uses everywhere. */
  pair_id: string;
  mechanism: Mechanism;
  kind: ReviewKind;
  reviewer: string;
  /** ISO 8601. */
  time: string;
  /** sha256 of the checkpoint shown, when a model was shown. */
  model?: string;
  /** kind `level`: the level the reviewer believes. */
  level?: Level;
  /** kind `span`: [start, end) character offsets into the response post. */
  span?: [number, number];
  /** kind `span`: true rejects the span (a predicted rationale the reviewer marks wrong). */
  remove?: boolean;
  /** kind `note` (and optional on any line). */
  note?: string;
  /** kind `retract`: the `id` of the retracted line. */
  of?: string;
  /** What the model said when the reviewer judged (recorded by the Inspector; used for reviewer↔model agreement). */
  model_level?: Level;
  model_spans?: Array<[number, number]>;
  [extra: string]: unknown;
}

/** A line to append: id, time, v and reviewer are filled in when absent. */
export type NewReviewLine = Omit<ReviewLine, 'v' | 'id' | 'time' | 'reviewer'> & Partial<Pick<ReviewLine, 'id' | 'time' | 'reviewer'>>;

export interface ReviewProblem {
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface ReviewRead {
  lines: ReviewLine[];
  /** Lines skipped, with why: never fatal, never removed from the file. */
  problems: ReviewProblem[];
}

/** The default reviewer name: the OS user. */
export function defaultReviewer(): string {
  try {
    return os.userInfo().username || 'reviewer';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'reviewer';
  }
}

const isLevel = (x: unknown): x is Level => x === 0 || x === 1 || x === 2;
const isSpan = (x: unknown): x is [number, number] =>
  Array.isArray(x) && x.length === 2 && x.every((n) => Number.isInteger(n) && n >= 0) && (x[0] as number) < (x[1] as number);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.trim() !== '';

/** Why `o` is not a valid line, or undefined when it is. */
export function reviewLineProblem(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'not a JSON object';
  const r = o as Record<string, unknown>;
  if (r.v !== REVIEW_VERSION) return typeof r.v === 'number' && r.v > REVIEW_VERSION ? `format version ${r.v} is newer than this workbench reads (${REVIEW_VERSION})` : `"v" must be ${REVIEW_VERSION}`;
  for (const f of ['id', 'pair_id', 'reviewer', 'time'] as const) if (!nonEmpty(r[f])) return `"${f}" must be a non-empty string`;
  if (!MECHANISMS.includes(r.mechanism as Mechanism)) return `"mechanism" must be one of ${MECHANISMS.join(', ')}`;
  if (!REVIEW_KINDS.includes(r.kind as ReviewKind)) return `"kind" must be one of ${REVIEW_KINDS.join(', ')}`;
  if (r.kind === 'level' && !isLevel(r.level)) return '"level" must be 0, 1 or 2 for kind "level"';
  if (r.kind === 'span' && !isSpan(r.span)) return '"span" must be [start, end) character offsets (whole numbers, start < end) for kind "span"';
  if (r.kind === 'note' && !nonEmpty(r.note)) return '"note" must be a non-empty string for kind "note"';
  if (r.kind === 'retract' && !nonEmpty(r.of)) return '"of" must name the retracted line\'s id for kind "retract"';
  if (r.model_level !== undefined && !isLevel(r.model_level)) return '"model_level" must be 0, 1 or 2';
  if (r.model_spans !== undefined && !(Array.isArray(r.model_spans) && r.model_spans.every(isSpan))) return '"model_spans" must be a list of [start, end) spans';
  return undefined;
}

/** Parse a review file's text: valid lines in order, and the problems of the others. */
export function parseReviewText(text: string, file: string): ReviewRead {
  const lines: ReviewLine[] = [];
  const problems: ReviewProblem[] = [];
  const rows = text.split('\n');
  const ids = new Set<string>();
  rows.forEach((raw, i) => {
    const s = raw.trim();
    if (s === '') return;
    const line = i + 1;
    const last = i === rows.length - 1; // no newline after it: the write that made it did not finish
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch {
      problems.push({ file, line, message: last ? 'truncated last line (an append that did not finish?): skipped, kept in the file' : 'not valid JSON: skipped, kept in the file' });
      return;
    }
    const why = reviewLineProblem(o);
    if (why) return void problems.push({ file, line, message: `${why}: skipped, kept in the file` });
    const r = o as ReviewLine;
    if (ids.has(r.id)) return void problems.push({ file, line, message: `id ${JSON.stringify(r.id)} repeats an earlier line: skipped, kept in the file` });
    ids.add(r.id);
    lines.push(r);
  });
  return { lines, problems };
}

/** Read a review file; a file that does not exist yet is an empty review. */
export function readReviewFile(file: string): ReviewRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], problems: [] };
    throw new Error(`${file}: cannot read the review file (${(e as Error).message})`);
  }
  return parseReviewText(text, file);
}

/** A complete, validated line from a new judgement (throws naming the field when it is not valid). */
export function completeReviewLine(entry: NewReviewLine, now: () => Date = () => new Date()): ReviewLine {
  const line = { ...entry, v: REVIEW_VERSION, id: entry.id ?? randomUUID(), time: entry.time ?? now().toISOString(), reviewer: entry.reviewer ?? defaultReviewer() } as ReviewLine;
  const why = reviewLineProblem(line);
  if (why) throw new Error(`review line not written: ${why}`);
  return line;
}

/**
 * Append judgements to `file` (created when missing). Each call is one `write` of whole lines on a
 * file opened for appending, so two processes appending at once never interleave inside a line; the
 * data is fsynced before returning. When the file ends in a truncated line (an earlier append that
 * did not finish) a newline goes first, so that line stays reported and this one stays whole.
 */
export function appendReviewLines(file: string, entries: readonly NewReviewLine[], now?: () => Date): ReviewLine[] {
  const lines = entries.map((e) => completeReviewLine(e, now));
  if (lines.length === 0) return lines;
  const fd = fs.openSync(file, 'a+');
  try {
    const size = fs.fstatSync(fd).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    const buf = Buffer.from(lead + lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: the judgement was not saved (${code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : (e as Error).message}); earlier lines are kept`);
  } finally {
    fs.closeSync(fd);
  }
  return lines;
}

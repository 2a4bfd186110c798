// A panel's review file: `<data>.review.jsonl` beside the CSV the examples come from. The host appends
// the reviewer's judgements (never in Restricted Mode: there it only reads), retracts on undo, and
// folds the file into the view the panel draws. The data CSV and the model are never touched.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendReviewLines, defaultReviewer, readReviewFile, type NewReviewLine, type ReviewLine } from '../../dataset/reviewFile';
import { activeIds, judgements } from '../../dataset/reviewJudgements';
import type { ReviewDraft, ReviewView } from '../../kernel/protocol/panels';

/** The review file that goes with a data file: `dev.csv` → `dev.review.jsonl`. */
export function reviewFileFor(dataFile: string): string {
  const ext = path.extname(dataFile);
  return path.join(path.dirname(dataFile), `${path.basename(dataFile, ext)}.review.jsonl`);
}

/** sha256 of a checkpoint file (recorded with judgements as `model`), streamed. */
export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (b) => h.update(b)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

export class ReviewSession {
  readonly reviewer: string;

  constructor(readonly file: string, private readonly readOnly: string | undefined, private readonly model: () => string | undefined) {
    const named = vscode.workspace.getConfiguration('empathy').get<string>('review.reviewer', '').trim();
    this.reviewer = named || defaultReviewer();
  }

  private lines(): { lines: ReviewLine[]; problems: string[] } {
    const r = readReviewFile(this.file);
    return { lines: r.lines, problems: r.problems.map((p) => `${path.basename(p.file)}:${p.line}: ${p.message}`) };
  }

  /** This reviewer's judgements, folded, for the panel. */
  view(): ReviewView {
    const { lines, problems } = this.lines();
    const pairs: ReviewView['pairs'] = {};
    for (const j of judgements(lines).values()) {
      if (j.reviewer !== this.reviewer) continue;
      (pairs[j.pairId] ??= {})[j.mechanism] = { ...(j.level !== undefined ? { level: j.level } : {}), added: j.added, removed: j.removed, goldSuspect: j.goldSuspect, notes: j.notes };
    }
    return { file: this.file, reviewer: this.reviewer, ...(this.readOnly ? { readOnly: this.readOnly } : {}), pairs, problems, canUndo: this.lastOwn(lines) !== undefined };
  }

  /** Append one judgement (refused in Restricted Mode). */
  record(d: ReviewDraft): void {
    if (this.readOnly) throw new Error(this.readOnly);
    const line: NewReviewLine = {
      pair_id: d.pairId, mechanism: d.mechanism, kind: d.kind, reviewer: this.reviewer,
      ...(d.level !== undefined ? { level: d.level } : {}), ...(d.span ? { span: d.span } : {}), ...(d.remove ? { remove: true } : {}),
      ...(d.note !== undefined ? { note: d.note } : {}), ...(d.modelLevel !== undefined ? { model_level: d.modelLevel } : {}),
      ...(d.modelSpans ? { model_spans: d.modelSpans } : {}), ...(this.model() ? { model: this.model() } : {}),
    };
    mkdirSync(path.dirname(this.file), { recursive: true });
    appendReviewLines(this.file, [line]);
  }

  /** Retract this reviewer's latest judgement in force; false when there is none. */
  undo(): boolean {
    if (this.readOnly) throw new Error(this.readOnly);
    const last = this.lastOwn(this.lines().lines);
    if (!last) return false;
    appendReviewLines(this.file, [{ pair_id: last.pair_id, mechanism: last.mechanism, kind: 'retract', of: last.id, reviewer: this.reviewer }]);
    return true;
  }

  private lastOwn(lines: ReviewLine[]): ReviewLine | undefined {
    const on = activeIds(lines);
    return [...lines].reverse().find((l) => l.reviewer === this.reviewer && l.kind !== 'retract' && on.has(l.id));
  }
}

// The Rationale Inspector's review bar: keyboard-first judgements of the pair on screen (level 0/1/2,
// a selected span as rationale or as wrong, gold suspect, a note, undo), the reviewer's progress and the
// review filters. It only drafts judgements; the host appends them to the review file and answers
// with the folded state (ReviewView), which this bar draws.
import type { Level, Mechanism } from '../../kernel/protocol/mime';
import { MECHANISMS, LEVEL_NAMES } from '../../kernel/protocol/mime';
import type { InspectorExample, PairReviewView, ReviewDraft, ReviewView, RowPredictions } from '../../kernel/protocol/panels';
import { append, clear, h } from '../core/dom';
import { button, select } from '../core/controls';

/** Which examples the list shows. */
export type ReviewFilter = 'all' | 'disagrees' | 'mine' | 'unreviewed' | 'suspect';

/** The keys, as the help line shows them. */
export const REVIEW_KEYS = 'j/k or ↓/↑ next/previous · e/i/x mechanism · 0/1/2 level · s selection is rationale · w selection is wrong (Alt+S/Alt+W in the response box) · g gold suspect · n note · u undo';

export interface ReviewTarget {
  example(): InspectorExample | undefined;
  /** The model's level and spans for `mechanism` on the pair as shown (undefined until scored, or when edited). */
  model(mechanism: Mechanism): { level?: Level; spans?: Array<[number, number]> } | undefined;
  /** The selected [start, end) of the response in the heatmaps, if any. */
  selection(): [number, number] | undefined;
  /** How many examples there are to review. */
  total(): number;
}

export class ReviewBar {
  readonly root = h('div', { class: 'ew-review', role: 'region', 'aria-label': 'review' });
  mechanism: Mechanism = 'ER';
  filter: ReviewFilter = 'all';
  private view: ReviewView | undefined;
  private levels: RowPredictions | undefined;
  private message = '';
  /** The bar's parts: the toolbar and the state lines are redrawn; the note being typed is never (a host
   *  answer arriving meanwhile must not take its focus or its text). */
  private readonly head = h('div');
  private readonly noteSlot = h('div');
  private readonly info = h('div');

  constructor(
    private readonly target: ReviewTarget,
    private readonly send: (m: { type: 'review'; draft: ReviewDraft } | { type: 'undoReview' } | { type: 'requestLevels' }) => void,
    private readonly onFilterChange: () => void,
  ) {}

  setView(v: ReviewView): void {
    this.view = v;
    this.draw();
    this.onFilterChange();
  }

  setLevels(p: RowPredictions, error?: string): void {
    this.levels = p;
    this.message = error ? `model levels unavailable: ${error}` : '';
    this.draw();
    this.onFilterChange();
  }

  private mine(id: string, m: Mechanism = this.mechanism): PairReviewView | undefined {
    return this.view?.pairs[id]?.[m];
  }

  /** Whether the list shows `e` under the current filter. */
  shows(e: InspectorExample): boolean {
    const r = this.mine(e.id);
    switch (this.filter) {
      case 'all': return true;
      case 'mine': return r?.level !== undefined || !!r?.added.length || !!r?.removed.length;
      case 'unreviewed': return r?.level === undefined;
      case 'suspect': return r?.goldSuspect === true;
      case 'disagrees': {
        const pred = this.levels?.[e.id]?.[this.mechanism];
        const gold = e.gold?.[this.mechanism]?.level;
        return pred !== undefined && gold !== undefined && pred !== gold;
      }
    }
  }

  /** A short mark for the example list: this reviewer's level for the current mechanism. */
  mark(e: InspectorExample): string {
    const r = this.mine(e.id);
    return r?.level !== undefined ? `✓${r.level}` : '';
  }

  /** Handle a review key; true when it was one. */
  key(k: string): boolean {
    if (k === 'e' || k === 'i' || k === 'x') return this.setMechanism(({ e: 'ER', i: 'IP', x: 'EX' } as const)[k]), true;
    if (k === '0' || k === '1' || k === '2') return this.judge({ kind: 'level', level: Number(k) as Level }), true;
    if (k === 's' || k === 'w') {
      const span = this.target.selection();
      if (!span) this.say(`Select part of the response in a heatmap (then ${k}) or in the response box (then Alt+${k.toUpperCase()}) first.`);
      else this.judge({ kind: 'span', span, ...(k === 'w' ? { remove: true } : {}) });
      return true;
    }
    if (k === 'g') return this.judge({ kind: 'gold-suspect' }), true;
    if (k === 'n') return this.openNote(), true;
    if (k === 'u') return this.undo(), true;
    return false;
  }

  private setMechanism(m: Mechanism): void {
    this.mechanism = m;
    this.draw();
    this.onFilterChange();
  }

  private say(text: string): void {
    this.message = text;
    this.draw();
  }

  private judge(d: Omit<ReviewDraft, 'pairId' | 'mechanism'>): void {
    const e = this.target.example();
    if (!e) return this.say('Pick an example to review.');
    if (this.view?.readOnly) return this.say(this.view.readOnly);
    const model = this.target.model(this.mechanism);
    this.send({ type: 'review', draft: { pairId: e.id, mechanism: this.mechanism, ...d,
      ...(model?.level !== undefined ? { modelLevel: model.level } : {}), ...(model?.spans ? { modelSpans: model.spans } : {}) } });
    this.message = d.kind === 'level' ? `${this.mechanism} level ${d.level} (${LEVEL_NAMES[d.level!]}) recorded for ${e.id}` : `${d.kind}${d.remove ? ' (wrong)' : ''} recorded for ${e.id}`;
  }

  private undo(): void {
    if (this.view?.readOnly) return this.say(this.view.readOnly);
    if (!this.view?.canUndo) return this.say('Nothing of yours to undo.');
    this.send({ type: 'undoReview' });
    this.message = 'undone (a retraction was appended)';
  }

  private openNote(): void {
    if (this.view?.readOnly) return this.say(this.view.readOnly);
    let input = this.noteSlot.querySelector<HTMLInputElement>('[data-control="note"]');
    if (!input) {
      input = this.noteField();
      this.noteSlot.appendChild(h('div', { style: 'display:flex;gap:6px' }, input));
    }
    input.focus();
  }

  private closeNote(): void {
    clear(this.noteSlot);
    this.draw();
  }

  private noteField(): HTMLInputElement {
    const input = h('input', { type: 'text', 'data-control': 'note', 'aria-label': `note on this pair (${this.mechanism}); Enter saves, Escape cancels`, placeholder: 'note — Enter saves, Escape cancels', style: 'flex:1' });
    input.addEventListener('keydown', (ev) => {
      ev.stopPropagation();
      if (ev.key === 'Enter' && input.value.trim()) {
        this.judge({ kind: 'note', note: input.value.trim() });
        this.closeNote();
      } else if (ev.key === 'Escape') {
        this.closeNote();
      }
    });
    return input;
  }

  private progress(): string {
    const ids = Object.keys(this.view?.pairs ?? {}).filter((id) => this.mine(id)?.level !== undefined);
    return `${ids.length} of ${this.target.total()} reviewed (${this.mechanism})`;
  }

  draw(): void {
    if (this.root.childElementCount === 0) append(this.root, this.head, this.noteSlot, this.info);
    clear(this.head);
    clear(this.info);
    const e = this.target.example();
    const r = e ? this.mine(e.id) : undefined;
    const levelButtons = ([0, 1, 2] as Level[]).map((l) => {
      const b = button(`${l} ${LEVEL_NAMES[l]}`, () => this.judge({ kind: 'level', level: l }), { secondary: r?.level !== l, name: `level${l}` });
      b.setAttribute('aria-pressed', String(r?.level === l));
      return b;
    });
    append(this.head,
      h('div', { class: 'ew-toolbar' },
        select('reviewing', MECHANISMS.map((m): [string, string] => [m, m]), this.mechanism, (m) => this.setMechanism(m as Mechanism), 'reviewMechanism'),
        ...levelButtons,
        button('Gold suspect', () => this.judge({ kind: 'gold-suspect' }), { secondary: true, name: 'goldSuspect' }),
        button('Note…', () => this.openNote(), { secondary: true, name: 'noteButton' }),
        button('Undo', () => this.undo(), { secondary: true, name: 'undo' }),
        select('show', [['all', 'all examples'], ['disagrees', 'model disagrees with gold'], ['mine', 'reviewed by me'], ['unreviewed', 'not reviewed by me'], ['suspect', 'gold suspect']], this.filter, (f) => {
          this.filter = f as ReviewFilter;
          if (f === 'disagrees' && !this.levels) this.send({ type: 'requestLevels' });
          this.onFilterChange();
        }, 'reviewFilter'),
        h('span', { class: 'ew-muted', 'data-review-progress': '' }, this.progress())));
    append(this.info,
      h('div', { class: 'ew-muted', 'data-review-state': '' }, e ? this.stateText(e.id, r) : ''),
      h('div', { class: this.view?.readOnly ? 'ew-warning' : 'ew-muted', role: 'status', 'aria-live': 'polite', 'data-review-status': '' },
        this.view?.readOnly ?? this.message),
      h('div', { class: 'ew-muted ew-review-keys' }, `Keys: ${REVIEW_KEYS}. Review file: ${this.view?.file ?? '—'} (reviewer ${this.view?.reviewer ?? '—'})`),
      ...(this.view?.problems.length ? [h('div', { class: 'ew-warning' }, `${this.view.problems.length} line(s) of the review file could not be read and were skipped (kept in the file): ${this.view.problems[0]}`)] : []));
  }

  private stateText(id: string, r: PairReviewView | undefined): string {
    if (!r) return `${id}: not reviewed yet for ${this.mechanism}.`;
    const parts = [r.level !== undefined ? `level ${r.level}` : 'no level', `${r.added.length} span(s) added`, `${r.removed.length} marked wrong`];
    if (r.goldSuspect) parts.push('gold suspect');
    if (r.notes.length) parts.push(`notes: ${r.notes.join(' | ')}`);
    return `${id} · ${this.mechanism}: ${parts.join(', ')}`;
  }
}

// The Rationale Inspector panel (browser side): pick an example or type/edit a seeker post and response,
// the host re-scores it (debounced, latest request wins) and the panel shows, per mechanism, the gold
// annotation, the predicted rationale heatmap and the gradient × input salience side by side.
import type { Level, Mechanism, RationalesPayload } from '../../kernel/protocol/mime';
import { MECHANISMS, MECHANISM_NAMES } from '../../kernel/protocol/mime';
import type { HostToRationaleInspector, InspectorExample, InspectorModel, RationaleInspectorToHost } from '../../kernel/protocol/panels';
import type { RenderContext } from '../core/context';
import { stateOf } from '../core/context';
import { append, clear, h } from '../core/dom';
import { ellipsis } from '../core/format';
import { button, checkbox, debounce, select, textField } from '../core/controls';
import { renderError } from '../core/errorBox';
import { heatLegend, MECH_COLOR } from '../components/heatmap';
import { goldChip, rationaleCard } from '../components/rationaleCard';
import { spanText } from '../components/spanText';
import { validateRationales } from '../renderers/rationales';
import type { HostBridge } from './hostBridge';
import { ReviewBar } from './reviewBar';

type Item = RationalesPayload['items'][number];

export interface InspectorOptions {
  /** Quiet time after the last keystroke before asking the host to re-score (ms, default 350). */
  debounceMs?: number;
}

export class RationaleInspector {
  private examples: InspectorExample[] = [];
  private models: InspectorModel[] = [];
  private modelId: string | undefined;
  private current: InspectorExample | undefined;
  private requestId = 0;
  private pendingSince = 0;
  private salience: boolean;
  private filter = '';
  private lastItem: Item | undefined;
  /** The host's reason for returning no salience (e.g. the model family offers none). */
  private salienceNote: string | undefined;
  private healthNote: string | undefined;
  private maxLen: number | undefined;
  private readonly list = h('div', { class: 'ew-list ew-examples-list', role: 'listbox', tabindex: 0, 'aria-label': 'examples (j/k or ↓/↑ to move)' });
  private readonly modelSlot = h('span');
  private readonly seeker = h('textarea', { 'data-control': 'seeker', 'aria-label': 'seeker post', rows: 3 });
  private readonly response = h('textarea', { 'data-control': 'response', 'aria-label': 'response post', rows: 3 });
  private readonly status = h('div', { class: 'ew-status ew-muted', role: 'status' }, 'Waiting for the host…');
  private readonly results = h('div', { class: 'ew-grid ew-results' });
  private readonly scheduleScore: () => void;
  private readonly review: ReviewBar;

  constructor(root: HTMLElement, private readonly bridge: HostBridge<RationaleInspectorToHost, HostToRationaleInspector>, private readonly ctx: RenderContext, opts: InspectorOptions = {}) {
    this.salience = stateOf(ctx).get<boolean>('inspector.salience') ?? true;
    this.scheduleScore = debounce(() => this.score(), opts.debounceMs ?? 350);
    root.classList.add('ew-root', 'ew-panel');
    // The host's <title> does not always survive the webview's document swap: screen readers name the page by it.
    if (!root.ownerDocument.title.trim()) root.ownerDocument.title = 'Rationale Inspector';
    this.review = new ReviewBar({
      example: () => this.current,
      model: (m) => this.modelOf(m),
      selection: () => this.selectedSpan(),
      total: () => this.examples.length,
    }, (m) => bridge.post({ ...m, v: 1 } as RationaleInspectorToHost), () => this.drawList());
    const onEdit = () => { this.status.textContent = 'editing…'; this.scheduleScore(); };
    this.seeker.addEventListener('input', onEdit);
    this.response.addEventListener('input', onEdit);
    append(root,
      h('h2', { class: 'ew-title', style: 'font-size:130%' }, 'Rationale Inspector'),
      h('div', { class: 'ew-toolbar' }, this.modelSlot,
        button('Open checkpoint…', () => bridge.post({ type: 'pickModel', v: 1 }), { secondary: true, name: 'openModel' }),
        checkbox('gradient salience', this.salience, (x) => { this.salience = x; stateOf(ctx).set('inspector.salience', x); this.score(); }, 'salience'),
        heatLegend('var(--vscode-foreground,#3b3b3b)', 'shade')),
      h('div', { class: 'ew-split' },
        h('div', null,
          textField('filter examples…', '', (v) => { this.filter = v.toLowerCase(); this.drawList(); }, 'exampleFilter'),
          this.list),
        h('div', { class: 'ew-editor' },
          h('div', { class: 'ew-muted' }, 'seeker post'), this.seeker,
          h('div', { class: 'ew-muted' }, 'response post (edit it: levels and heatmaps re-score as you type)'), this.response,
          h('div', { style: 'display:flex;gap:8px;align-items:center' },
            button('Reset to original', () => this.current && this.select(this.current), { secondary: true, name: 'reset' }), this.status),
          this.review.root,
          this.results)));
    root.ownerDocument.addEventListener('keydown', (ev) => this.onKey(ev));
    bridge.onMessage((m) => this.handle(m));
    bridge.post({ type: 'ready', v: 1 });
  }

  handle(m: HostToRationaleInspector): void {
    switch (m.type) {
      case 'init':
        this.examples = m.examples;
        this.models = m.models;
        this.review.mechanism = MECHANISMS.find((x) => this.examples.some((e) => e.gold?.[x])) ?? 'ER';
        this.modelId = m.modelId ?? m.models[0]?.id;
        this.drawModels();
        this.drawList();
        if (this.examples[0]) this.select(this.examples[0]);
        else this.status.textContent = 'Type a seeker post and a response to score them.';
        return;
      case 'model':
        if (!this.models.some((x) => x.id === m.model.id)) this.models = [...this.models, m.model];
        this.modelId = m.model.id;
        this.drawModels();
        this.score();
        return;
      case 'scored': {
        if (m.requestId !== this.requestId) return; // an answer to an older edit: a newer one is on its way
        let item: Item;
        try {
          item = validateRationales({ v: 1, maxLen: m.maxLen, items: [m.item] }).items[0];
        } catch (e) {
          renderError(this.results, 'The host returned an invalid scoring result', e);
          return;
        }
        this.lastItem = item;
        this.salienceNote = m.salienceNote;
        this.healthNote = m.healthNote;
        this.maxLen = m.maxLen;
        this.setStatus(false, `scored in ${Math.round(m.elapsedMs ?? performance.now() - this.pendingSince)} ms`);
        this.drawResults();
        return;
      }
      case 'scoreError':
        if (m.requestId !== this.requestId) return;
        this.setStatus(true, `scoring failed: ${m.message}`);
        return;
      case 'review':
        this.review.setView(m.review);
        return;
      case 'levels':
        this.review.setLevels(m.predictions, m.error);
        return;
    }
  }

  /** Review keys and list navigation, when the focus is not in a text field or a control that takes keys. */
  private onKey(ev: KeyboardEvent): void {
    const t = ev.target as HTMLElement | null;
    // Alt+S / Alt+W in the response box: the text selected there is a rationale / is wrong (keyboard selection).
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey && t === this.response && (ev.code === 'KeyS' || ev.code === 'KeyW')) {
      this.review.key(ev.code === 'KeyS' ? 's' : 'w');
      ev.preventDefault();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.closest('textarea, input, select, vscode-textfield, vscode-single-select') || t.isContentEditable)) return;
    if (ev.key === 'j' || ev.key === 'ArrowDown') this.step(1);
    else if (ev.key === 'k' || ev.key === 'ArrowUp') this.step(-1);
    else if (!this.review.key(ev.key)) return;
    ev.preventDefault();
  }

  /** The next/previous example in the list as filtered. */
  private step(delta: number): void {
    const shown = this.visible();
    if (shown.length === 0) return;
    const at = this.current ? shown.indexOf(this.current) : -1;
    const next = shown[Math.min(shown.length - 1, Math.max(0, at < 0 ? 0 : at + delta))];
    if (next !== this.current) this.select(next);
  }

  private visible(): InspectorExample[] {
    return this.examples.filter((e) => (!this.filter || `${e.id} ${e.seekerPost} ${e.responsePost}`.toLowerCase().includes(this.filter)) && this.review.shows(e));
  }

  /** What the model showed for `mech` on the example as it is (nothing for edited text). */
  private modelOf(mech: Mechanism): { level?: Level; spans?: Array<[number, number]> } | undefined {
    const item = this.lastItem;
    if (!item || !this.current || item.responsePost !== this.current.responsePost) return undefined;
    const m = item.mechanisms[mech];
    return m ? { level: m.level, ...(m.spans ? { spans: m.spans.map(([s, e]): [number, number] => [s, e]) } : {}) } : undefined;
  }

  /** The response characters selected in the response box (unedited), or in a heatmap (whole tokens), if any. */
  private selectedSpan(): [number, number] | undefined {
    const box = this.response;
    if (box.ownerDocument.activeElement === box && box.selectionEnd > box.selectionStart && this.current?.responsePost === box.value) {
      return [box.selectionStart, box.selectionEnd];
    }
    const sel = this.results.ownerDocument.getSelection();
    const item = this.lastItem;
    // Heatmaps still showing the previous text (a score on its way) do not describe the pair on screen.
    if (!sel || sel.isCollapsed || !item || item.responsePost !== box.value) return undefined;
    const tokenOf = (n: Node | null) => (n instanceof Element ? n : n?.parentElement)?.closest<HTMLElement>('[data-token]');
    const a = tokenOf(sel.anchorNode);
    const b = tokenOf(sel.focusNode);
    const mech = a?.closest<HTMLElement>('[data-mechanism]')?.dataset.mechanism as Mechanism | undefined;
    const tokens = mech ? item.mechanisms[mech]?.tokens : undefined;
    if (!a || !b || !tokens) return undefined;
    const [i, j] = [Number(a.dataset.token), Number(b.dataset.token)].sort((x, y) => x - y);
    return tokens[i] && tokens[j] ? [tokens[i].start, tokens[j].end] : undefined;
  }

  private setStatus(bad: boolean, text: string): void {
    this.status.textContent = text;
    this.status.className = `ew-status ${bad ? 'ew-bad' : 'ew-muted'}`;
  }

  private drawModels(): void {
    clear(this.modelSlot);
    if (this.models.length === 0) { this.modelSlot.appendChild(h('span', { class: 'ew-muted' }, 'no model loaded')); return; }
    this.modelSlot.appendChild(select('model', this.models.map((x): [string, string] => [x.id, x.label]), this.modelId ?? '', (id) => {
      this.modelId = id;
      this.bridge.post({ type: 'pickModel', v: 1, modelId: id });
    }, 'model'));
    const note = this.models.find((x) => x.id === this.modelId)?.note;
    if (note) this.modelSlot.appendChild(h('span', { class: 'ew-muted ew-model-note', 'data-model-note': '' }, ` ${note}`));
  }

  private drawList(): void {
    clear(this.list);
    const shown = this.visible();
    for (const e of shown) {
      const mark = this.review.mark(e);
      // An id per option: the focused listbox names the selected one (aria-activedescendant) for screen readers.
      const row = h('div', { 'data-id': e.id, id: `ew-ex-${shown.indexOf(e)}`, class: e === this.current ? 'ew-selected' : null, title: e.responsePost, role: 'option', 'aria-selected': String(e === this.current) },
        h('b', null, e.id), mark ? h('span', { class: 'ew-chip', 'data-reviewed': mark, 'aria-label': `reviewed: level ${mark.slice(1)}` }, ` ${mark}`) : null, ' ', h('span', { class: 'ew-muted' }, ellipsis(e.responsePost, 90)));
      row.addEventListener('click', () => this.select(e));
      this.list.appendChild(row);
    }
    this.markActive();
    if (shown.length === 0) this.list.appendChild(h('div', { class: 'ew-muted' }, 'No examples match.'));
  }

  private markActive(): void {
    const id = this.list.querySelector('[aria-selected=true]')?.id;
    if (id) this.list.setAttribute('aria-activedescendant', id); else this.list.removeAttribute('aria-activedescendant');
  }

  select(e: InspectorExample): void {
    this.current = e;
    this.review.draw();
    this.seeker.value = e.seekerPost;
    this.response.value = e.responsePost;
    this.list.querySelectorAll('.ew-selected').forEach((x) => { x.classList.remove('ew-selected'); x.setAttribute('aria-selected', 'false'); });
    const row = this.list.querySelector(`[data-id="${CSS.escape(e.id)}"]`);
    row?.classList.add('ew-selected');
    row?.setAttribute('aria-selected', 'true');
    row?.scrollIntoView({ block: 'nearest' });
    this.markActive();
    this.score();
  }

  /** Ask the host to score the text now (selection, model or salience change; or after the debounce). */
  score(): void {
    if (!this.response.value.trim()) { this.setStatus(false, 'Type a response to score it.'); return; }
    this.requestId++;
    this.pendingSince = performance.now();
    this.setStatus(false, 'scoring…');
    const edited = !this.current || this.current.seekerPost !== this.seeker.value || this.current.responsePost !== this.response.value;
    this.bridge.post({ type: 'score', v: 1, requestId: this.requestId, seekerPost: this.seeker.value, responsePost: this.response.value,
      salience: this.salience, exampleId: edited ? undefined : this.current?.id });
  }

  private drawResults(): void {
    const item = this.lastItem;
    if (!item) return;
    clear(this.results);
    if (this.healthNote) this.results.appendChild(h('div', { class: 'ew-warning', role: 'note', 'data-health': 'not-learned' }, `⚠ ${this.healthNote}`));
    const edited = !this.current || this.current.responsePost !== item.responsePost;
    const mechs = MECHANISMS.filter((m) => item.mechanisms[m]) as Mechanism[];
    for (const mech of mechs) {
      const m = item.mechanisms[mech]!;
      const gold = edited ? undefined : this.current?.gold?.[mech];
      const withGold = { ...m, goldSpans: gold?.spans ?? m.goldSpans, goldLevel: gold?.level ?? m.goldLevel };
      const goldCard = h('div', { class: 'ew-card ew-gold-card', 'data-mechanism': mech },
        h('h3', null, `${mech} · gold`),
        gold
          ? h('div', null, h('div', { style: 'margin-bottom:4px' }, goldChip(gold.level)), h('div', { class: 'ew-heat' }, spanText(item.responsePost, { [mech]: gold.spans })))
          : h('div', { class: 'ew-muted' }, edited ? 'Edited text: the gold annotation applies to the original response only.' : 'No gold annotation for this example.'));
      const hasSal = m.tokens.some((t) => t.salience !== undefined);
      const salCard = hasSal
        ? salienceCard(rationaleCard(item.responsePost, mech, withGold, { mode: 'salience', maxLen: this.maxLen, title: `${mech} · gradient × input` }))
        : h('div', { class: 'ew-card', 'data-mechanism': mech }, h('h3', null, `${mech} · gradient × input`), h('div', { class: 'ew-muted' }, this.salience ? `The host returned no salience${this.salienceNote ? `: ${this.salienceNote}` : ''}.` : 'Salience is off.'));
      this.results.appendChild(h('div', { class: 'ew-mech-row', 'data-mechanism': mech },
        h('div', { class: 'ew-muted', style: `border-left:3px solid ${MECH_COLOR[mech]};padding-left:6px;margin:2px 0` }, MECHANISM_NAMES[mech]),
        h('div', { class: 'ew-cols ew-cols3' },
          goldCard,
          rationaleCard(item.responsePost, mech, withGold, { mode: 'prob', maxLen: this.maxLen, title: `${mech} · predicted` }),
          salCard)));
    }
  }
}

/** The salience column's card, captioned so the shading is not mistaken for rationale probability. */
function salienceCard(card: HTMLElement): HTMLElement {
  card.appendChild(h('div', { class: 'ew-muted ew-salience-note' }, 'shaded by salience (per token, largest = 1)'));
  return card;
}

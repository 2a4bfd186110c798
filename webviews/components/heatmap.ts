// The token heatmap: a response's text sliced by the tokens' character offsets (never by token text, so
// emoji, accents and byte-level BPE pieces display exactly as written), each token shaded by a score,
// gold rationale spans outlined, and the part cut off at max_len struck through behind a ✂ marker.
import type { RationaleTokenView } from '../../kernel/protocol/mime';
import { h } from '../core/dom';
import { tinter, watchTints } from '../core/contrast';

export type HeatMode = 'prob' | 'salience' | 'gold';

export interface HeatmapOptions {
  /** What shades a token: predicted rationale probability (default), salience, or gold membership. */
  mode?: HeatMode;
  /** CSS colour of full shading (a var() with fallback is fine). */
  color?: string;
  goldSpans?: Array<[number, number]>;
  /** Character offset where the model input ended (tokens past it were cut at max_len). */
  truncatedAt?: number;
  maxLen?: number;
  /** Called with the hovered token (undefined when the pointer leaves). */
  onHover?: (t: { text: string; prob: number; salience?: number; gold: boolean } | undefined) => void;
}

interface Piece { start: number; end: number; tok?: { prob: number; salience?: number; index: number } }

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** Cut the text into token pieces and gaps; tokens sharing characters (BPE bytes of one emoji) merge, keeping the max score. */
export function pieces(text: string, tokens: RationaleTokenView[], limit: number): Piece[] {
  const sorted = tokens.map((t, index) => ({ ...t, index })).filter((t) => t.end > t.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Piece[] = [];
  let cursor = 0;
  for (const t of sorted) {
    let s = Math.max(0, Math.min(t.start, limit)), e = Math.max(0, Math.min(t.end, limit));
    // Never split a surrogate pair, whatever unit the producer counted in.
    if (s > 0 && isLow(text.charCodeAt(s))) s--;
    if (e < text.length && e > 0 && isHigh(text.charCodeAt(e - 1))) e++;
    s = Math.max(s, cursor);
    if (e <= s) {
      const prev = out[out.length - 1];
      if (prev?.tok && t.start < prev.end) {
        prev.tok.prob = Math.max(prev.tok.prob, t.prob);
        if (t.salience !== undefined) prev.tok.salience = Math.max(prev.tok.salience ?? 0, t.salience);
      }
      continue;
    }
    if (s > cursor) out.push({ start: cursor, end: s });
    out.push({ start: s, end: e, tok: { prob: t.prob, salience: t.salience, index: t.index } });
    cursor = e;
  }
  if (cursor < limit) out.push({ start: cursor, end: limit });
  return out;
}

const inGold = (spans: Array<[number, number]>, s: number, e: number, whole: boolean) =>
  spans.some(([a, b]) => (whole ? s >= a && e <= b : s < b && e > a));

export function heatmap(text: string, tokens: RationaleTokenView[], opts: HeatmapOptions = {}): HTMLElement {
  const mode = opts.mode ?? 'prob';
  const color = opts.color ?? 'var(--vscode-charts-orange,#d18616)';
  const gold = opts.goldSpans ?? [];
  const cut = opts.truncatedAt !== undefined ? Math.max(0, Math.min(opts.truncatedAt, text.length)) : text.length;
  const root = h('div', { class: 'ew-heat', 'data-mode': mode });
  let group: HTMLElement | null = null; // the open gold outline wrapper
  const sink = () => group ?? root;
  const ps = pieces(text, tokens, cut);
  const scoreOf = (p: Piece) => {
    if (!p.tok) return 0;
    const isGold = inGold(gold, p.start, p.end, false);
    const x = mode === 'prob' ? p.tok.prob : mode === 'salience' ? (p.tok.salience ?? 0) : isGold ? 1 : 0;
    return Math.max(0, Math.min(1, x));
  };
  // Opaque shades with a text colour chosen from each shade's luminance, so every token keeps >= 4.5:1.
  const paint = tinter(color);
  watchTints();
  const shaded = (el: HTMLElement, shade: number) => { paint.paint(el, shade * 0.85); return el; };
  ps.forEach((p, i) => {
    const str = text.slice(p.start, p.end);
    if (!p.tok) {
      // A gap inside one gold span stays in the outline; otherwise it closes it.
      if (group && !inGold(gold, p.start, p.end, true)) group = null;
      // Between two shaded tokens the gap takes the lighter shade, so a highlighted phrase reads as one.
      const prev = ps[i - 1], next = ps[i + 1];
      const shade = prev?.tok && next?.tok ? Math.min(scoreOf(prev), scoreOf(next)) : 0;
      sink().appendChild(shade > 0.02 ? shaded(h('span', { class: 'ew-gap' }, str), shade) : document.createTextNode(str));
      return;
    }
    const isGold = inGold(gold, p.start, p.end, false);
    if (isGold && !group) { group = h('span', { class: 'ew-gold' }); root.appendChild(group); }
    if (!isGold) group = null;
    const shade = scoreOf(p);
    const label = `${JSON.stringify(str)} · p(rationale)=${p.tok.prob.toFixed(3)}${p.tok.salience !== undefined ? ` · salience=${p.tok.salience.toFixed(3)}` : ''}${isGold ? ' · gold' : ''}`;
    const span = h('span', {
      class: `ew-tok${isGold ? ' ew-tok-gold' : ''}${shade >= 0.5 ? ' ew-tok-hi' : ''}`, 'data-prob': p.tok.prob.toFixed(4), 'data-shade': shade.toFixed(3),
      'data-token': p.tok.index, title: label,
      // Screen readers hear it through CSS generated text (not part of textContent, which stays the response).
      'data-sr': shade >= 0.5 ? ` (${mode === 'salience' ? 'salience' : 'rationale, probability'} ${(mode === 'salience' ? shade : p.tok.prob).toFixed(2)})` : null,
    }, str);
    shaded(span, shade);
    if (opts.onHover) {
      const t = { text: str, prob: p.tok.prob, salience: p.tok.salience, gold: isGold };
      span.addEventListener('mouseenter', () => opts.onHover!(t));
      span.addEventListener('mouseleave', () => opts.onHover!(undefined));
    }
    sink().appendChild(span);
  });
  if (cut < text.length) {
    root.appendChild(h('span', { class: 'ew-trunc-mark', title: `The model saw only the text before this point${opts.maxLen ? ` (max_len=${opts.maxLen} tokens)` : ''}.` },
      `✂ max_len${opts.maxLen ? ' ' + opts.maxLen : ''}`));
    const tail = h('span', { class: 'ew-trunc', 'data-truncated-chars': text.length - cut });
    // Gold spans in the unseen tail stay visible: the model could not have found them.
    let pos = cut;
    const bounds = [...new Set(gold.flat().filter((x) => x > cut && x < text.length))].sort((a, b) => a - b);
    for (const b of [...bounds, text.length]) {
      const seg = text.slice(pos, b);
      if (seg) tail.appendChild(inGold(gold, pos, b, true) ? h('span', { class: 'ew-gold' }, seg) : document.createTextNode(seg));
      pos = b;
    }
    root.appendChild(tail);
  }
  return root;
}

/** A legend strip: low → high shading, the gold outline, the truncation mark. */
export function heatLegend(color: string, label = 'p(rationale)'): HTMLElement {
  return h('div', { class: 'ew-legend' },
    h('span', null, label, ' 0 ', h('span', { class: 'ew-swatch', style: `background:linear-gradient(90deg, transparent, color-mix(in srgb, ${color} 85%, transparent))` }), ' 1 ', h('span', { class: 'ew-tok-hi' }, 'underlined'), ' ≥ 0.5'),
    h('span', null, h('span', { class: 'ew-gold', style: 'padding:0 6px' }, 'gold'), ' rationale span'),
    h('span', null, h('span', { class: 'ew-trunc-mark' }, '✂'), ' cut at max_len'));
}

export const MECH_COLOR = {
  ER: 'var(--vscode-charts-red,#e51400)',
  IP: 'var(--vscode-charts-blue,#1a85ff)',
  EX: 'var(--vscode-charts-green,#388a34)',
} as const;

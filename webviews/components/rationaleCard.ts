// One mechanism's view of one response: predicted (and gold) level, class probabilities, the token
// heatmap and a hover read-out. Used by the rationales renderer and the Rationale Inspector panel.
import type { Mechanism, RationalesPayload } from '../../kernel/protocol/mime';
import { LEVEL_NAMES, MECHANISM_NAMES } from '../../kernel/protocol/mime';
import { h } from '../core/dom';
import { pct } from '../core/format';
import { heatmap, MECH_COLOR, type HeatMode } from './heatmap';

export type MechView = NonNullable<RationalesPayload['items'][number]['mechanisms'][Mechanism]>;

/** The gold level alone (the gold column of the Rationale Inspector). */
export function goldChip(level: number): HTMLElement {
  return h('span', { class: `ew-chip ew-lv${level}`, 'data-level': level, title: 'gold level' }, `gold: ${LEVEL_NAMES[level]}`);
}

export function levelChips(level: number, goldLevel?: number): HTMLElement {
  const ok = goldLevel === undefined || goldLevel === level;
  return h('span', null,
    h('span', { class: `ew-chip ew-lv${level}`, 'data-level': level, title: 'predicted level' }, `pred: ${LEVEL_NAMES[level]}`),
    goldLevel !== undefined ? h('span', { class: `ew-chip ew-lv${goldLevel}`, title: 'gold level', style: ok ? null : 'outline:1.5px solid var(--vscode-errorForeground,#c72e0f)' }, `gold: ${LEVEL_NAMES[goldLevel]}`) : null);
}

/** Class probabilities as three small horizontal bars, the most likely level in bold. */
export function probBars(probs: number[], color: string): HTMLElement {
  const top = probs.indexOf(Math.max(...probs));
  return h('div', { class: 'ew-probrow', title: probs.map((p, i) => `${LEVEL_NAMES[i]} ${pct(p)}`).join(' · ') },
    ...probs.map((p, i) => h('span', { class: 'ew-prob', 'data-level': i, style: i === top ? 'font-weight:700' : null },
      h('span', { class: 'ew-muted' }, LEVEL_NAMES[i]),
      h('span', { class: 'ew-probtrack' }, h('span', { style: `width:${Math.round(Math.max(0, Math.min(1, p)) * 100)}%;background:${color}` })),
      pct(p, 0))));
}

export function rationaleCard(responsePost: string, mech: Mechanism, m: MechView, opts: { mode?: HeatMode; maxLen?: number; title?: string } = {}): HTMLElement {
  const color = MECH_COLOR[mech];
  const readout = h('div', { class: 'ew-hover ew-muted' }, 'hover a token to see its probability');
  const heat = heatmap(responsePost, m.tokens, {
    mode: opts.mode, color, goldSpans: m.goldSpans, truncatedAt: m.truncatedAt, maxLen: opts.maxLen,
    onHover: (t) => {
      readout.textContent = t
        ? `${JSON.stringify(t.text)}  p(rationale) = ${t.prob.toFixed(3)}${t.salience !== undefined ? `  salience = ${t.salience.toFixed(3)}` : ''}${t.gold ? '  (in a gold span)' : ''}`
        : 'hover a token to see its probability';
    },
  });
  return h('div', { class: 'ew-card ew-rationale-card', 'data-mechanism': mech, 'data-mode': opts.mode ?? 'prob' },
    h('h3', null, opts.title ?? `${mech} — ${MECHANISM_NAMES[mech]}`),
    h('div', { style: 'display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin-bottom:6px' }, levelChips(m.level, m.goldLevel), probBars(m.probs, color)),
    heat, readout);
}

// Renderer for application/vnd.empathy.rationales+json: per response, ER/IP/EX side by side, tokens
// shaded by predicted rationale probability (or salience), gold spans outlined, levels and class probs.
import type { Mechanism, RationalesPayload } from '../../kernel/protocol/mime';
import { MECHANISMS, MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { ellipsis } from '../core/format';
import { select } from '../core/controls';
import { stateOf } from '../core/context';
import { heatLegend, type HeatMode } from '../components/heatmap';
import { rationaleCard } from '../components/rationaleCard';

export function validateRationales(p: unknown): RationalesPayload {
  const c = new Checker(MIME.rationales);
  const o = c.payload(p, 1);
  if (o.maxLen !== undefined) c.num(o.maxLen, 'maxLen');
  if (o.warnings !== undefined) c.arr(o.warnings, 'warnings').forEach((w, i) => c.str(w, `warnings[${i}]`));
  c.arr(c.has(o, 'items', ''), 'items').forEach((it, i) => {
    const path = `items[${i}]`;
    const io = c.obj(it, path);
    c.str(c.has(io, 'id', path), `${path}.id`);
    c.str(c.has(io, 'seekerPost', path), `${path}.seekerPost`);
    const resp = c.str(c.has(io, 'responsePost', path), `${path}.responsePost`);
    const mechs = c.obj(c.has(io, 'mechanisms', path), `${path}.mechanisms`);
    for (const [k, mv] of Object.entries(mechs)) {
      const mp = `${path}.mechanisms.${k}`;
      c.mechanism(k, mp);
      const mo = c.obj(mv, mp);
      c.level(c.has(mo, 'level', mp), `${mp}.level`);
      if (mo.goldLevel !== undefined) c.level(mo.goldLevel, `${mp}.goldLevel`);
      const probs = c.arr(c.has(mo, 'probs', mp), `${mp}.probs`);
      if (probs.length !== 3) c.fail(`${mp}.probs`, `expected 3 class probabilities, got ${probs.length}`);
      probs.forEach((x, j) => c.num(x, `${mp}.probs[${j}]`));
      c.arr(c.has(mo, 'tokens', mp), `${mp}.tokens`).forEach((t, j) => {
        const tp = `${mp}.tokens[${j}]`;
        const to = c.obj(t, tp);
        c.str(c.has(to, 'text', tp), `${tp}.text`);
        const s = c.num(c.has(to, 'start', tp), `${tp}.start`), e = c.num(c.has(to, 'end', tp), `${tp}.end`);
        if (s < 0 || e < s || e > resp.length) c.fail(tp, `offsets [${s}, ${e}) fall outside the response (length ${resp.length})`);
        c.num(c.has(to, 'prob', tp), `${tp}.prob`);
        if (to.salience !== undefined) c.num(to.salience, `${tp}.salience`);
      });
      if (mo.goldSpans !== undefined) c.spans(mo.goldSpans, `${mp}.goldSpans`);
      if (mo.spans !== undefined) c.spans(mo.spans, `${mp}.spans`);
      if (mo.truncatedAt !== undefined) c.num(mo.truncatedAt, `${mp}.truncatedAt`);
    }
  });
  return o as unknown as RationalesPayload;
}

export const render = guarded('rationale heatmap', (el, payload, ctx) => {
  const p = validateRationales(payload);
  const state = stateOf(ctx);
  const hasSalience = p.items.some((it) => Object.values(it.mechanisms).some((m) => m?.tokens.some((t) => t.salience !== undefined)));
  let mode = state.get<HeatMode>('rationales.mode') ?? 'prob';
  if (mode === 'salience' && !hasSalience) mode = 'prob';
  clear(el);
  for (const w of p.warnings ?? []) el.appendChild(h('div', { class: 'ew-warning', role: 'note' }, `⚠ ${w}`));
  const body = h('div', { class: 'ew-grid' });
  const draw = () => {
    clear(body);
    if (p.items.length === 0) body.appendChild(h('div', { class: 'ew-muted' }, 'No responses to show.'));
    for (const it of p.items) {
      const mechs = MECHANISMS.filter((m) => it.mechanisms[m]) as Mechanism[];
      body.appendChild(h('div', { class: 'ew-item', 'data-id': it.id },
        h('div', { class: 'ew-muted', style: 'margin-bottom:4px' }, h('b', null, it.id), ' · seeker: ', h('span', { class: 'ew-quote' }, ellipsis(it.seekerPost, 300))),
        h('div', { class: 'ew-cols' }, ...mechs.map((m) => rationaleCard(it.responsePost, m, it.mechanisms[m]!, { mode, maxLen: p.maxLen })))));
    }
  };
  const modes: Array<[string, string]> = [['prob', 'predicted probability'], ['gold', 'gold spans only'], ...(hasSalience ? [['salience', 'gradient salience'] as [string, string]] : [])];
  el.append(
    h('div', { class: 'ew-toolbar' },
      select('shade by', modes, mode, (x) => { mode = x as HeatMode; state.set('rationales.mode', mode); draw(); }, 'mode'),
      heatLegend('var(--vscode-foreground,#3b3b3b)', 'shade')),
    body);
  draw();
});

// The rationale heatmaps as static HTML: each response with its tokens shaded by predicted rationale
// probability (a background alpha; <mark> from 0.5) and gold spans underlined, per mechanism.
import { LEVEL_NAMES, MECHANISM_NAMES, MECHANISMS, type RationalesPayload } from '../../protocol/mime';
import { fmt } from '../../protocol/numberFormat';
import { caption, escapeHtml, warnings } from './html';

type MechanismView = NonNullable<RationalesPayload['items'][number]['mechanisms'][keyof RationalesPayload['items'][number]['mechanisms']]>;

/** The response with every token shaded by probability (overlapping byte pieces take their maximum). */
function heat(text: string, m: MechanismView): string {
  const byStart = new Map<number, { end: number; prob: number }>();
  for (const t of m.tokens) {
    const seen = byStart.get(t.start);
    byStart.set(t.start, { end: Math.max(t.end, seen?.end ?? 0), prob: Math.max(t.prob, seen?.prob ?? 0) });
  }
  const inGold = (a: number, b: number) => (m.goldSpans ?? []).some(([s, e]) => a < e && b > s);
  let html = '';
  let at = 0;
  for (const [start, t] of [...byStart.entries()].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    html += escapeHtml(text.slice(at, start));
    // Where a sanitizer strips styles (GitHub), <mark> still highlights a likely rationale token and <u> a gold one.
    let inner = escapeHtml(text.slice(start, t.end));
    if (t.prob >= 0.5) inner = `<mark style="background-color:transparent;color:inherit">${inner}</mark>`;
    if (inGold(start, t.end)) inner = `<u style="text-decoration-color:#c0392b">${inner}</u>`;
    html += `<span class="ew-tok" data-prob="${t.prob.toFixed(4)}" title="p(rationale)=${t.prob.toFixed(3)}" style="background-color:rgba(230,126,34,${(0.85 * t.prob).toFixed(3)})">${inner}</span>`;
    at = t.end;
  }
  const cut = m.truncatedAt ?? text.length;
  if (at < cut) html += escapeHtml(text.slice(at, cut));
  if (cut < text.length) html += `<span class="ew-trunc" style="color:#888;text-decoration:line-through" title="past max_len">${escapeHtml(text.slice(Math.max(at, cut)))}</span>`;
  return html;
}

export function rationalesHtml(p: RationalesPayload): string {
  const items = p.items.map((item) => {
    const cards = MECHANISMS.filter((k) => item.mechanisms[k]).map((k) => {
      const m = item.mechanisms[k]!;
      const gold = m.goldLevel !== undefined ? ` (gold ${LEVEL_NAMES[m.goldLevel]})` : '';
      const probs = m.probs.map((x) => fmt(x)).join(' / ');
      return `<div class="ew-rationale-card" data-mechanism="${k}" style="margin:4px 0"><b>${k}</b> ${escapeHtml(MECHANISM_NAMES[k])}: ` +
        `<b class="ew-level">${LEVEL_NAMES[m.level]}</b>${gold} <span style="color:#666">p = ${probs}</span>` +
        `<div class="ew-heat" style="line-height:1.6">${heat(item.responsePost, m)}</div></div>`;
    }).join('');
    return `<div class="ew-item" data-id="${escapeHtml(item.id)}" style="border-top:1px solid #ddd;padding:4px 0">` +
      `<div style="color:#555"><i>seeker:</i> ${escapeHtml(item.seekerPost)}</div>${cards}</div>`;
  }).join('');
  return `<div class="empathy-fallback">${caption('Rationales (shaded: predicted probability; underlined: gold)')}${warnings(p.warnings)}${items}</div>`;
}

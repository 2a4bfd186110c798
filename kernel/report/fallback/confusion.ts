// The confusion matrices as a static table: counts (gold rows × predicted columns), per-class P/R/F1
// and the summary the renderer shows (acc, macro-F1, κ, κ²), with the renderer's number format.
import { LEVEL_NAMES, MECHANISM_NAMES, type ConfusionPayload } from '../../protocol/mime';
import { fmt } from '../../protocol/numberFormat';
import { caption, escapeHtml, table } from './html';

type MechanismView = ConfusionPayload['mechanisms'][number];

function mechanism(m: MechanismView): string {
  const max = Math.max(1, ...m.matrix.flat());
  const counts = m.matrix.map((row, gold) => [
    `<b>${LEVEL_NAMES[gold]}</b>`,
    ...row.map((n, pred) => `<span class="ew-cell" data-gold="${gold}" data-pred="${pred}" style="display:block;background-color:rgba(33,113,181,${(0.75 * n / max).toFixed(3)})">${n}</span>`),
  ]);
  const grid = table(['gold ↓ / predicted →', ...LEVEL_NAMES], counts, 'ew-cm');
  const classes = table(['level', 'P', 'R', 'F1', 'n'], m.perClass.map((c) => [LEVEL_NAMES[c.level], fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(c.support)]), 'ew-perclass');
  const summary = `<div class="ew-summary">acc <b>${fmt(m.accuracy)}</b> · macro-F1 <b>${fmt(m.macroF1)}</b> · κ <b>${fmt(m.kappa)}</b> · κ² <b>${fmt(m.kappaQuadratic)}</b></div>`;
  const n = m.matrix.flat().reduce((a, b) => a + b, 0);
  return `<div class="ew-card" data-mechanism="${escapeHtml(m.mechanism)}" style="display:inline-block;vertical-align:top;margin-right:16px">` +
    `${caption(`${m.mechanism} — ${MECHANISM_NAMES[m.mechanism]} · n=${n}`)}${grid}${classes}${summary}</div>`;
}

export function confusionHtml(p: ConfusionPayload): string {
  return `<div class="empathy-fallback">${p.title ? caption(p.title) : ''}${p.mechanisms.map(mechanism).join('')}</div>`;
}

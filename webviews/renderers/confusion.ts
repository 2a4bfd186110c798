// Renderer for application/vnd.empathy.confusion+json: one 3×3 matrix per mechanism (row-normalised by
// default, the choice remembered), per-class P/R/F1 and κ beside it; clicking a cell lists its examples.
import type { ConfusionPayload, ExampleRef, Mechanism } from '../../kernel/protocol/mime';
import { LEVEL_NAMES, MECHANISM_NAMES, MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { append, clear, h } from '../core/dom';
import { ellipsis, fmt, pct } from '../core/format';
import { checkbox } from '../core/controls';
import { stateOf } from '../core/context';
import { tinter, watchTints } from '../core/contrast';

export function validateConfusion(p: unknown): ConfusionPayload {
  const c = new Checker(MIME.confusion);
  const o = c.payload(p, 1);
  const mechs = c.arr(c.has(o, 'mechanisms', ''), 'mechanisms');
  mechs.forEach((m, i) => {
    const path = `mechanisms[${i}]`;
    const mo = c.obj(m, path);
    c.mechanism(c.has(mo, 'mechanism', path), `${path}.mechanism`);
    const mat = c.arr(c.has(mo, 'matrix', path), `${path}.matrix`);
    if (mat.length !== 3) c.fail(`${path}.matrix`, `expected 3 rows (gold levels 0..2), got ${mat.length}`);
    mat.forEach((row, g) => {
      const r = c.arr(row, `${path}.matrix[${g}]`);
      if (r.length !== 3) c.fail(`${path}.matrix[${g}]`, `expected 3 columns (predicted levels 0..2), got ${r.length}`);
      r.forEach((x, q) => { if (c.num(x, `${path}.matrix[${g}][${q}]`) < 0) c.fail(`${path}.matrix[${g}][${q}]`, 'counts cannot be negative'); });
    });
    for (const k of ['accuracy', 'macroF1', 'kappa', 'kappaQuadratic']) c.numOrNull(c.has(mo, k, path), `${path}.${k}`);
    c.arr(c.has(mo, 'perClass', path), `${path}.perClass`).forEach((pc, j) => {
      const pp = `${path}.perClass[${j}]`;
      const po = c.obj(pc, pp);
      c.level(c.has(po, 'level', pp), `${pp}.level`);
      for (const k of ['precision', 'recall', 'f1', 'support']) c.numOrNull(c.has(po, k, pp), `${pp}.${k}`);
    });
    if (mo.examples !== undefined) {
      const ex = c.obj(mo.examples, `${path}.examples`);
      for (const [k, list] of Object.entries(ex)) {
        if (!/^[0-2],[0-2]$/.test(k)) c.fail(`${path}.examples`, `key ${JSON.stringify(k)} is not "gold,pred"`);
        c.arr(list, `${path}.examples["${k}"]`).forEach((e, j) => {
          const ep = `${path}.examples["${k}"][${j}]`;
          const eo = c.obj(e, ep);
          c.str(c.has(eo, 'responsePost', ep), `${ep}.responsePost`);
          c.str(c.has(eo, 'seekerPost', ep), `${ep}.seekerPost`);
        });
      }
    }
  });
  return o as unknown as ConfusionPayload;
}

export const render = guarded('confusion matrix', (el, payload, ctx) => {
  const p = validateConfusion(payload);
  const state = stateOf(ctx);
  let normalised = state.get<boolean>('confusion.normalised') ?? true;
  clear(el);
  const body = h('div', { class: 'ew-cols' });
  const examples = h('div', { class: 'ew-examples' });
  const draw = () => {
    clear(body);
    for (const m of p.mechanisms) body.appendChild(mechanismCard(m, normalised, (gold, pred, cell) => {
      el.querySelectorAll('.ew-cell.ew-selected').forEach((x) => x.classList.remove('ew-selected'));
      cell.classList.add('ew-selected');
      showExamples(examples, m.mechanism, gold, pred, m.matrix[gold][pred], m.examples?.[`${gold},${pred}`]);
    }));
  };
  append(el,
    p.title ? h('div', { class: 'ew-title' }, p.title) : null,
    h('div', { class: 'ew-toolbar' },
      checkbox('row-normalised', normalised, (x) => { normalised = x; state.set('confusion.normalised', x); draw(); }, 'normalised'),
      h('span', { class: 'ew-muted' }, 'rows: gold level · columns: predicted level · click a cell to list its examples')),
    body, examples);
  draw();
});

function mechanismCard(m: ConfusionPayload['mechanisms'][number], normalised: boolean, onCell: (g: number, q: number, cell: HTMLElement) => void): HTMLElement {
  const rowSums = m.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...m.matrix.flat());
  const blue = tinter('var(--vscode-charts-blue,#1a85ff)');
  watchTints();
  const grid = h('table', { class: 'ew-cm', 'data-mechanism': m.mechanism },
    h('caption', { class: 'ew-sr' }, `${m.mechanism} confusion matrix: rows gold level, columns predicted level`),
    h('tr', null, h('th', null, h('span', { class: 'ew-sr' }, 'gold level by predicted level')), h('th', { colspan: 3, class: 'ew-axis', scope: 'colgroup' }, 'predicted')),
    h('tr', null, h('th', { class: 'ew-axis' }, 'gold'), ...LEVEL_NAMES.map((n) => h('th', null, n))));
  m.matrix.forEach((row, g) => {
    const tr = h('tr', null, h('th', { style: 'text-align:right' }, LEVEL_NAMES[g]));
    row.forEach((count, q) => {
      const frac = rowSums[g] > 0 ? count / rowSums[g] : 0;
      const intensity = normalised ? frac : count / max;
      const alpha = Math.round(8 + intensity * 72);
      const cell = h('td', {
        class: `ew-cell${g === q ? ' ew-diag' : ''}`, 'data-gold': g, 'data-pred': q, 'data-count': count, tabindex: 0,
        title: `gold ${LEVEL_NAMES[g]} → predicted ${LEVEL_NAMES[q]}: ${count} (${pct(frac)} of gold ${LEVEL_NAMES[g]})`,
        style: g === q ? 'font-weight:700' : null,
      }, normalised ? pct(frac, 0) : String(count), normalised ? h('div', { style: 'font-size:80%' }, String(count)) : null);
      blue.paint(cell, alpha / 100);
      cell.addEventListener('click', () => onCell(g, q, cell));
      cell.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') onCell(g, q, cell); });
      tr.appendChild(cell);
    });
    grid.appendChild(tr);
  });
  const classes = h('table', { class: 'ew-table ew-perclass' },
    h('tr', null, h('th', null, 'level'), h('th', { class: 'ew-num' }, 'P'), h('th', { class: 'ew-num' }, 'R'), h('th', { class: 'ew-num' }, 'F1'), h('th', { class: 'ew-num' }, 'n')),
    ...m.perClass.map((pc) => h('tr', null, h('td', null, LEVEL_NAMES[pc.level]), h('td', { class: 'ew-num' }, fmt(pc.precision)),
      h('td', { class: 'ew-num' }, fmt(pc.recall)), h('td', { class: 'ew-num' }, fmt(pc.f1)), h('td', { class: 'ew-num' }, fmt(pc.support)))));
  const n = rowSums.reduce((a, b) => a + b, 0);
  return h('div', { class: 'ew-card', 'data-mechanism': m.mechanism },
    h('h3', null, `${m.mechanism} — ${MECHANISM_NAMES[m.mechanism as Mechanism]}`, h('span', { class: 'ew-muted', style: 'font-weight:400' }, ` · n=${n}`)),
    h('div', { style: 'display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start' },
      grid,
      h('div', null, classes,
        h('div', { class: 'ew-stats ew-summary' },
          h('span', { class: 'ew-stat' }, 'acc ', h('b', null, fmt(m.accuracy))),
          h('span', { class: 'ew-stat' }, 'macro-F1 ', h('b', null, fmt(m.macroF1))),
          h('span', { class: 'ew-stat', title: "Cohen's kappa" }, 'κ ', h('b', null, fmt(m.kappa))),
          h('span', { class: 'ew-stat', title: 'quadratic-weighted kappa' }, 'κ² ', h('b', null, fmt(m.kappaQuadratic)))))));
}

function showExamples(box: HTMLElement, mech: Mechanism, gold: number, pred: number, count: number, list: ExampleRef[] | undefined): void {
  clear(box);
  const head = h('div', { class: 'ew-title' }, `${mech}: gold ${LEVEL_NAMES[gold]} → predicted ${LEVEL_NAMES[pred]} (${count} example${count === 1 ? '' : 's'})`);
  box.appendChild(head);
  if (!list || list.length === 0) {
    box.appendChild(h('div', { class: 'ew-muted ew-no-examples' }, count === 0 ? 'No examples in this cell.' : 'The producer did not record examples for this cell.'));
    return;
  }
  const ul = h('ul', { class: 'ew-example-list' });
  for (const e of list) {
    ul.appendChild(h('li', { 'data-id': e.id },
      h('div', null, h('span', { class: 'ew-muted' }, 'seeker: '), ellipsis(e.seekerPost, 240)),
      h('div', null, h('span', { class: 'ew-muted' }, 'response: '), h('span', { class: 'ew-quote' }, ellipsis(e.responsePost, 400)))));
  }
  box.appendChild(ul);
  if (list.length < count) box.appendChild(h('div', { class: 'ew-muted' }, `showing ${list.length} of ${count}`));
}

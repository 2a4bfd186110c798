// The numbers behind the loss curve as a table, the plot's text alternative (keyboard and screen readers):
// one row per run and epoch — last step, mean total/level/rationale loss over the epoch, last lr, dev metrics.
import type { LossCurvePayload } from '../../kernel/protocol/mime';
import { h } from '../core/dom';
import { fmt } from '../core/format';

type Run = LossCurvePayload['runs'][number];

const mean = (xs: Array<number | null>) => {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
};

function rows(run: Run, metricKeys: string[]): HTMLElement[] {
  const epochs = [...new Set([...run.steps.map((s) => s.epoch), ...run.epochs.map((e) => e.epoch)])].sort((a, b) => a - b);
  return epochs.map((epoch) => {
    const steps = run.steps.filter((s) => s.epoch === epoch);
    const dev = run.epochs.find((e) => e.epoch === epoch);
    const last = steps[steps.length - 1];
    const num = (x: number | null | undefined, digits = 4) => h('td', { class: 'ew-num' }, x === null || x === undefined ? '–' : fmt(x, digits));
    return h('tr', null, h('th', { scope: 'row' }, run.label), h('td', { class: 'ew-num' }, String(epoch)),
      h('td', { class: 'ew-num' }, last ? String(last.step) : dev ? String(dev.step) : '–'),
      num(mean(steps.map((s) => s.loss))), num(mean(steps.map((s) => s.lossLevel))), num(mean(steps.map((s) => s.lossRationale))),
      h('td', { class: 'ew-num' }, last && typeof last.lr === 'number' ? last.lr.toExponential(2) : '–'),
      ...metricKeys.map((k) => num(dev?.metrics[k], 3)));
  });
}

/** A collapsed <details> with the table; `open` keeps it open across live re-renders. */
export function lossTable(p: LossCurvePayload, open = false): HTMLElement {
  const metricKeys = [...new Set(p.runs.flatMap((r) => r.epochs.flatMap((e) => Object.keys(e.metrics))))].sort();
  const head = h('tr', null, ...['run', 'epoch', 'last step', 'mean loss', 'mean level loss', 'mean rationale loss', 'lr', ...metricKeys.map((k) => `dev ${k}`)]
    .map((t, i) => h('th', { scope: 'col', class: i === 0 ? null : 'ew-num' }, t)));
  const body = p.runs.flatMap((r) => rows(r, metricKeys));
  return h('details', { class: 'ew-data ew-loss-table', open },
    h('summary', null, `The loss curve as a table (${body.length} epoch${body.length === 1 ? '' : 's'})`),
    // The table can be wider than the cell: a focusable, named scroll region.
    h('div', { tabindex: 0, role: 'region', 'aria-label': 'loss per epoch', style: 'overflow-x:auto' },
      h('table', { class: 'ew-table' }, h('thead', null, head), h('tbody', null, ...body))));
}

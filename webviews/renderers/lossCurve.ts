// Renderer for application/vnd.empathy.loss-curve+json: total/level/rationale loss per step (EMA
// smoothing, raw total kept faint), lr on a second axis, dev metrics per epoch, several runs overlaid.
// Re-rendering the same element with a newer payload updates the plots in place (live training).
import type { LossCurvePayload } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { checkbox, select, slider } from '../core/controls';
import { stateOf, type RenderContext } from '../core/context';
import { baseLayout, loadPlotly, PLOT_CONFIG, type PlotlyApi } from '../core/plotly';
import { chartColors } from '../core/theme';
import { lossTable } from '../components/lossTable';

export function validateLossCurve(p: unknown): LossCurvePayload {
  const c = new Checker(MIME.lossCurve);
  const o = c.payload(p, 1);
  const runs = c.arr(c.has(o, 'runs', ''), 'runs');
  runs.forEach((r, i) => {
    const path = `runs[${i}]`;
    const ro = c.obj(r, path);
    c.str(c.has(ro, 'id', path), `${path}.id`);
    c.str(c.has(ro, 'label', path), `${path}.label`);
    c.arr(c.has(ro, 'steps', path), `${path}.steps`).forEach((s, j) => {
      const sp = `${path}.steps[${j}]`;
      const so = c.obj(s, sp);
      for (const k of ['step', 'epoch', 'loss', 'lossLevel', 'lossRationale', 'lr']) c.numOrNull(c.has(so, k, sp), `${sp}.${k}`);
    });
    c.arr(c.has(ro, 'epochs', path), `${path}.epochs`).forEach((e, j) => {
      const ep = `${path}.epochs[${j}]`;
      const eo = c.obj(e, ep);
      c.num(c.has(eo, 'epoch', ep), `${ep}.epoch`);
      c.num(c.has(eo, 'step', ep), `${ep}.step`);
      const m = c.obj(c.has(eo, 'metrics', ep), `${ep}.metrics`);
      for (const [k, v] of Object.entries(m)) c.numOrNull(v, `${ep}.metrics.${k}`);
    });
  });
  return o as unknown as LossCurvePayload;
}

/** TensorBoard's debiased exponential moving average; weight 0 = raw values. NaN/null points are skipped. */
export function smooth(ys: Array<number | null>, weight: number): Array<number | null> {
  if (weight <= 0) return ys;
  let last = 0, n = 0;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return null;
    last = last * weight + (1 - weight) * y;
    n++;
    return last / (1 - Math.pow(weight, n));
  });
}

interface View {
  smoothing: number; parts: boolean; lr: boolean; logY: boolean; devMetric: string;
  lossDiv: HTMLElement; devDiv: HTMLElement; badge: HTMLElement; devSlot: HTMLElement; tableSlot: HTMLElement;
  payload: LossCurvePayload;
}
const views = new WeakMap<HTMLElement, View>();

const DASH = { loss: 'solid', lossLevel: 'dash', lossRationale: 'dot' } as const;
const PART_NAME = { loss: 'total', lossLevel: 'level', lossRationale: 'rationale' } as const;

export const render = guarded('loss curves', async (el, payload, ctx) => {
  const p = validateLossCurve(payload);
  const Plotly = await loadPlotly(ctx);
  let v = views.get(el);
  if (!v || !el.contains(v.lossDiv)) v = build(el, p, ctx, Plotly);
  v.payload = p;
  v.badge.textContent = p.live ? '● live' : '';
  refreshDevSelect(v, ctx, Plotly);
  // The text alternative follows live updates, staying open if the reader opened it.
  const wasOpen = !!v.tableSlot.querySelector('details[open]');
  v.tableSlot.replaceChildren(lossTable(p, wasOpen));
  await draw(el, v, Plotly);
});

function build(el: HTMLElement, p: LossCurvePayload, ctx: RenderContext, Plotly: PlotlyApi): View {
  const state = stateOf(ctx);
  clear(el);
  const v: View = {
    smoothing: state.get<number>('loss.smoothing') ?? 0.6,
    parts: state.get<boolean>('loss.parts') ?? true,
    lr: state.get<boolean>('loss.lr') ?? true,
    logY: state.get<boolean>('loss.logY') ?? false,
    devMetric: '',
    lossDiv: h('div', { class: 'ew-plot ew-loss-plot', style: 'height:340px', role: 'figure', 'aria-label': 'training loss per optimiser step; the numbers are in the table below the plots' }),
    devDiv: h('div', { class: 'ew-plot ew-dev-plot', style: 'height:240px', role: 'figure', 'aria-label': 'dev metrics per epoch; the numbers are in the table below' }),
    badge: h('span', { class: 'ew-chip ew-live', style: 'background:var(--vscode-charts-green,#388a34);color:#fff' }),
    devSlot: h('span'),
    tableSlot: h('div'),
    payload: p,
  };
  const redraw = () => void draw(el, v, Plotly);
  const toolbar = h('div', { class: 'ew-toolbar' },
    slider('smoothing', 0, 0.99, 0.01, v.smoothing, (x) => { v.smoothing = x; state.set('loss.smoothing', x); redraw(); }, 'smoothing'),
    checkbox('level + rationale loss', v.parts, (x) => { v.parts = x; state.set('loss.parts', x); redraw(); }, 'parts'),
    checkbox('learning rate', v.lr, (x) => { v.lr = x; state.set('loss.lr', x); redraw(); }, 'lr'),
    checkbox('log scale', v.logY, (x) => { v.logY = x; state.set('loss.logY', x); redraw(); }, 'logY'),
    v.devSlot, v.badge);
  el.append(h('div', { class: 'ew-title' }, 'Training loss (x: optimiser step)'), toolbar, v.lossDiv, v.devDiv, v.tableSlot);
  views.set(el, v);
  return v;
}

/** The step at which each new epoch starts (for the longest run), capped to keep the plot light. */
export function epochBoundaries(p: LossCurvePayload): number[] {
  const run = p.runs.reduce<LossCurvePayload['runs'][number] | undefined>((a, r) => (!a || r.steps.length > a.steps.length ? r : a), undefined);
  if (!run) return [];
  const out: number[] = [];
  for (let i = 1; i < run.steps.length; i++) if (run.steps[i].epoch !== run.steps[i - 1].epoch) out.push(run.steps[i].step);
  return out.length <= 50 ? out : [];
}

function devKeys(p: LossCurvePayload): string[] {
  return [...new Set(p.runs.flatMap((r) => r.epochs.flatMap((e) => Object.keys(e.metrics))))].sort();
}

function refreshDevSelect(v: View, ctx: RenderContext, Plotly: PlotlyApi): void {
  const keys = devKeys(v.payload);
  const sig = keys.join('|');
  if (v.devSlot.dataset.keys === sig) return;
  v.devSlot.dataset.keys = sig;
  clear(v.devSlot);
  if (keys.length === 0) return;
  const f1 = keys.filter((k) => /macroF1$/i.test(k));
  const opts: Array<[string, string]> = [...(f1.length ? [['@f1', 'all macro-F1'] as [string, string]] : []), ['@all', 'all metrics'], ...keys.map((k): [string, string] => [k, k])];
  const remembered = stateOf(ctx).get<string>('loss.devMetric');
  if (!v.devMetric) v.devMetric = remembered && opts.some(([o]) => o === remembered) ? remembered : opts[0][0];
  v.devSlot.appendChild(select('dev metric', opts, v.devMetric, (x) => {
    v.devMetric = x; stateOf(ctx).set('loss.devMetric', x);
    void draw(v.devDiv.parentElement as HTMLElement, v, Plotly);
  }, 'devMetric'));
}

async function draw(el: HTMLElement, v: View, Plotly: PlotlyApi): Promise<void> {
  const c = chartColors(el);
  const multi = v.payload.runs.length > 1;
  const traces: unknown[] = [];
  v.payload.runs.forEach((run, i) => {
    const color = c.series[i % c.series.length];
    const xs = run.steps.map((s) => s.step);
    const epochs = run.steps.map((s) => s.epoch);
    const prefix = multi ? `${run.label} · ` : '';
    if (v.smoothing > 0) {
      traces.push({ type: 'scatter', mode: 'lines', x: xs, y: run.steps.map((s) => s.loss), name: `${prefix}total (raw)`,
        line: { color, width: 1 }, opacity: 0.25, hoverinfo: 'skip', showlegend: false, legendgroup: run.id });
    }
    for (const key of (v.parts ? ['loss', 'lossLevel', 'lossRationale'] : ['loss']) as Array<keyof typeof DASH>) {
      traces.push({ type: 'scatter', mode: 'lines', x: xs, y: smooth(run.steps.map((s) => s[key]), v.smoothing),
        customdata: epochs, name: `${prefix}${PART_NAME[key]}`, legendgroup: run.id,
        line: { color, width: key === 'loss' ? 2 : 1.5, dash: DASH[key] },
        hovertemplate: `${prefix}${PART_NAME[key]} %{y:.4f}<br>step %{x} · epoch %{customdata}<extra></extra>` });
    }
    if (v.lr) {
      traces.push({ type: 'scatter', mode: 'lines', x: xs, y: run.steps.map((s) => s.lr), name: `${prefix}lr`, yaxis: 'y2', legendgroup: run.id,
        line: { color: c.muted, width: 1, dash: multi ? 'dashdot' : 'solid' }, opacity: 0.8, hovertemplate: `${prefix}lr %{y:.2e}<extra></extra>` });
    }
  });
  const layout = baseLayout(c, {
    margin: { l: 56, r: v.lr ? 64 : 20, t: 10, b: 30 },
    xaxis: { ...(baseLayout(c).xaxis as object) },
    yaxis: { ...(baseLayout(c).yaxis as object), title: { text: 'loss', font: { color: c.muted } }, type: v.logY ? 'log' : 'linear' },
    yaxis2: { overlaying: 'y', side: 'right', showgrid: false, zeroline: false, rangemode: 'nonnegative', // a learning rate is never negative, even when it is constant
      tickformat: '.1e', tickfont: { color: c.muted }, title: { text: 'lr', font: { color: c.muted } }, visible: v.lr },
    uirevision: 'keep-zoom', // live updates keep the user's zoom
    legend: { orientation: 'h', y: -0.1, yanchor: 'top', font: { color: c.fg } },
    // Epoch boundaries of the longest run, as faint dotted lines.
    shapes: epochBoundaries(v.payload).map((x) => ({ type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color: c.grid, width: 1, dash: 'dot' }, layer: 'below' })),
  });
  await Plotly.react(v.lossDiv, traces, layout, PLOT_CONFIG);

  const keys = devKeys(v.payload);
  if (keys.length === 0) { v.devDiv.style.display = 'none'; return; }
  v.devDiv.style.display = '';
  const chosen = v.devMetric === '@all' ? keys : v.devMetric === '@f1' ? keys.filter((k) => /macroF1$/i.test(k)) : keys.filter((k) => k === v.devMetric);
  const devTraces: unknown[] = [];
  const dashes = ['solid', 'dash', 'dot', 'dashdot', 'longdash'];
  v.payload.runs.forEach((run, i) => {
    chosen.forEach((k, j) => {
      const pts = run.epochs.filter((e) => typeof e.metrics[k] === 'number');
      if (pts.length === 0) return;
      devTraces.push({ type: 'scatter', mode: 'lines+markers', x: pts.map((e) => e.step), y: pts.map((e) => e.metrics[k]), customdata: pts.map((e) => e.epoch),
        name: `${multi ? run.label + ' · ' : ''}${k}`, line: { color: multi ? c.series[i % c.series.length] : c.series[j % c.series.length], dash: multi ? dashes[j % dashes.length] : 'solid' },
        hovertemplate: `${k} %{y:.4f}<br>epoch %{customdata} (step %{x})<extra></extra>` });
    });
  });
  await Plotly.react(v.devDiv, devTraces, baseLayout(c, {
    margin: { l: 56, r: 20, t: 24, b: 30 },
    title: { text: 'dev metrics per epoch (x: step)', font: { size: 12, color: c.muted }, x: 0, xanchor: 'left' },
    legend: { orientation: 'h', y: -0.12, yanchor: 'top', font: { color: c.fg } },
    uirevision: 'keep-zoom',
  }), PLOT_CONFIG);
}

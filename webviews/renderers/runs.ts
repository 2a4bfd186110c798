// Renderer for application/vnd.empathy.runs+json: runs × metrics, filtered by metric name and by a
// hyper-parameter value; only the hyper-parameters that differ between runs get a column.
import type { RunsPayload, RunSummaryView } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { fmt } from '../core/format';
import { select, textField } from '../core/controls';
import { DataTable, type Column } from '../components/dataTable';
import { lowerIsBetter } from './metrics';
import { stateOf } from '../core/context';

export function validateRuns(p: unknown): RunsPayload {
  const c = new Checker(MIME.runs);
  const o = c.payload(p, 1);
  c.arr(c.has(o, 'runs', ''), 'runs').forEach((r, i) => {
    const path = `runs[${i}]`;
    const ro = c.obj(r, path);
    c.str(c.has(ro, 'id', path), `${path}.id`);
    c.str(c.has(ro, 'label', path), `${path}.label`);
    c.str(c.has(ro, 'createdAt', path), `${path}.createdAt`);
    c.obj(c.has(ro, 'config', path), `${path}.config`);
    const m = c.obj(c.has(ro, 'metrics', path), `${path}.metrics`);
    for (const [k, v] of Object.entries(m)) c.numOrNull(v, `${path}.metrics.${k}`);
  });
  return o as unknown as RunsPayload;
}

const ANY = '*';
/** Hyper-parameter values as people write them: 2e-5 rather than 0.00002. */
const show = (v: unknown) => {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3) return v.toExponential().replace(/\.?0+e/, 'e');
  return String(v);
};

export const render = guarded('run comparison', (el, payload, ctx) => {
  const p = validateRuns(payload);
  const state = stateOf(ctx);
  clear(el);
  const allMetrics = [...new Set(p.runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const params = [...new Set(p.runs.flatMap((r) => Object.keys(r.config)))].sort();
  const varying = params.filter((k) => new Set(p.runs.map((r) => show(r.config[k]))).size > 1);
  let metricFilter = state.get<string>('runs.metricFilter') ?? '';
  let paramKey = varying[0] ?? params[0] ?? '';
  let paramValue = ANY;

  const host = h('div');
  const valueSlot = h('span');
  const table = (runs: RunSummaryView[], metrics: string[]) => {
    const best = new Map(metrics.map((m) => {
      const vs = runs.map((r) => r.metrics[m]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return [m, vs.length > 1 ? (lowerIsBetter(m) ? Math.min(...vs) : Math.max(...vs)) : undefined] as const;
    }));
    const cols: Array<Column<RunSummaryView>> = [
      { key: 'label', label: 'run', cell: (r) => h('span', { title: `${r.id} · ${r.createdAt}` }, r.label) },
      { key: 'createdAt', label: 'created', cell: (r) => r.createdAt.replace('T', ' ').slice(0, 16) },
      ...varying.map((k): Column<RunSummaryView> => ({ key: `cfg:${k}`, label: k, cell: (r) => show(r.config[k]),
        sortValue: (r) => (typeof r.config[k] === 'number' ? (r.config[k] as number) : show(r.config[k])), className: 'ew-muted' })),
      ...metrics.map((m): Column<RunSummaryView> => ({ key: `m:${m}`, label: m, numeric: true, sortValue: (r) => r.metrics[m],
        cell: (r) => {
          const v = r.metrics[m];
          return h('span', { class: v !== undefined && v === best.get(m) ? 'ew-best' : null, style: v === best.get(m) ? 'font-weight:700' : null }, fmt(v));
        } })),
    ];
    const t = new DataTable(cols, { noun: 'runs', pageSize: 50 });
    t.setRows(runs);
    return t.el;
  };
  const refresh = () => {
    const needle = metricFilter.trim().toLowerCase();
    const metrics = allMetrics.filter((m) => !needle || needle.split(/[\s,]+/).some((n) => m.toLowerCase().includes(n)));
    const runs = p.runs.filter((r) => paramValue === ANY || show(r.config[paramKey]) === paramValue);
    clear(host);
    host.append(h('div', { class: 'ew-muted' }, `${runs.length} of ${p.runs.length} runs · ${metrics.length} of ${allMetrics.length} metrics`), table(runs, metrics));
  };
  const valueSelect = () => {
    const values = [...new Set(p.runs.map((r) => show(r.config[paramKey])))].sort();
    clear(valueSlot);
    valueSlot.appendChild(select('=', [[ANY, 'any'], ...values.map((v): [string, string] => [v, v])], paramValue, (v) => { paramValue = v; refresh(); }, 'paramValue'));
  };
  const toolbar = h('div', { class: 'ew-toolbar' },
    textField('filter metrics (e.g. F1, ER.)', metricFilter, (v) => { metricFilter = v; state.set('runs.metricFilter', v); refresh(); }, 'metricFilter'));
  if (params.length > 0) {
    toolbar.append(select('hyper-parameter', params.map((k): [string, string] => [k, k]), paramKey, (k) => { paramKey = k; paramValue = ANY; valueSelect(); refresh(); }, 'paramKey'), valueSlot);
    valueSelect();
  }
  el.append(h('div', { class: 'ew-title' }, `Run comparison (${p.runs.length} runs)`), toolbar, host);
  refresh();
});

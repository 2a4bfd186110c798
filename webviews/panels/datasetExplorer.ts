// The Dataset Explorer panel (browser side): the dataset browser plus per-slice statistics, per-slice
// metrics once the host has scored the rows with a model, and "export the current slice as CSV".
import type { DatasetPayload, DatasetRowView, Mechanism } from '../../kernel/protocol/mime';
import { LEVEL_NAMES } from '../../kernel/protocol/mime';
import type { DatasetExplorerToHost, HostToDatasetExplorer, RowPredictions } from '../../kernel/protocol/panels';
import type { RenderContext } from '../core/context';
import { append, clear, h } from '../core/dom';
import { fmt, pct } from '../core/format';
import { button } from '../core/controls';
import { renderError } from '../core/errorBox';
import { toCsv } from '../core/csv';
import { levelMetrics } from '../core/sliceMetrics';
import { DatasetView, mechanismsIn } from '../components/datasetView';
import { validateDataset } from '../renderers/dataset';
import type { HostBridge } from './hostBridge';

export class DatasetExplorer {
  private view: DatasetView | undefined;
  private dataset: DatasetPayload | undefined;
  private modelLabel: string | undefined;
  private readonly title = h('h2', { class: 'ew-title', style: 'font-size:130%' }, 'Dataset Explorer');
  private readonly status = h('div', { class: 'ew-status ew-muted', role: 'status' }, 'Waiting for a dataset…');
  private readonly stats = h('div', { class: 'ew-card ew-slice-stats' });
  private readonly metrics = h('div', { class: 'ew-card ew-slice-metrics' });
  private readonly body = h('div');

  constructor(private readonly root: HTMLElement, private readonly bridge: HostBridge<DatasetExplorerToHost, HostToDatasetExplorer>, private readonly ctx: RenderContext) {
    root.classList.add('ew-root', 'ew-panel');
    // The host's <title> does not always survive the webview's document swap: screen readers name the page by it.
    if (!root.ownerDocument.title.trim()) root.ownerDocument.title = 'Dataset Explorer';
    append(root,
      this.title,
      h('div', { class: 'ew-toolbar' },
        button('Open CSV…', () => bridge.post({ type: 'openDataset', v: 1 }), { secondary: true, name: 'open' }),
        button('Score with a model…', () => { this.setStatus('info', 'Asking the host to score the rows…'); bridge.post({ type: 'requestPredictions', v: 1 }); }, { secondary: true, name: 'score' }),
        button('Export slice as CSV', () => this.exportSlice(), { name: 'export' })),
      this.status,
      h('div', { class: 'ew-cols', style: 'margin-bottom:8px' }, this.stats, this.metrics),
      this.body);
    bridge.onMessage((m) => this.handle(m));
    bridge.post({ type: 'ready', v: 1 });
  }

  handle(m: HostToDatasetExplorer): void {
    switch (m.type) {
      case 'dataset': return this.load(m.dataset);
      case 'predictions': return this.applyPredictions(m.modelLabel, m.predictions);
      case 'exported':
        return this.setStatus('info', m.path ? `Exported ${m.rowCount} rows to ${m.path}` : 'Export cancelled.');
      case 'status': return this.setStatus(m.level, m.message);
    }
  }

  private setStatus(level: 'info' | 'error', message: string): void {
    this.status.textContent = message;
    this.status.className = `ew-status ${level === 'error' ? 'ew-bad' : 'ew-muted'}`;
  }

  private load(payload: unknown): void {
    try {
      this.dataset = validateDataset(payload);
    } catch (e) {
      renderError(this.body, 'Cannot show this dataset', e);
      this.setStatus('error', 'The host sent an invalid dataset.');
      return;
    }
    this.modelLabel = undefined;
    this.title.textContent = `Dataset Explorer — ${this.dataset.name}`;
    this.setStatus('info', `${this.dataset.rows.length.toLocaleString('en-US')} rows loaded.`);
    clear(this.body);
    this.view = new DatasetView(this.dataset, { ctx: this.ctx, onSlice: (s) => this.sliceChanged(s) });
    this.body.appendChild(this.view.el);
  }

  private applyPredictions(label: string, preds: RowPredictions): void {
    if (!this.dataset || !this.view) return this.setStatus('error', 'Predictions arrived before a dataset.');
    this.modelLabel = label;
    let matched = 0;
    const rows = this.dataset.rows.map((r) => {
      const p = preds[r.id];
      if (p) matched++;
      return p ? { ...r, pred: p } : r;
    });
    this.dataset = { ...this.dataset, rows };
    this.view.setRows(rows);
    this.setStatus('info', `Scored by ${label}: predictions for ${matched} of ${rows.length} rows.`);
  }

  private sliceChanged(slice: readonly DatasetRowView[]): void {
    const mechs = mechanismsIn(this.dataset?.rows ?? []);
    clear(this.stats);
    const n = slice.length;
    const lens = slice.map((r) => r.responseTokens ?? Array.from(r.responsePost).length);
    append(this.stats,
      h('h3', null, 'Slice statistics'),
      h('div', { class: 'ew-stats' },
        h('span', { class: 'ew-stat', 'data-stat': 'rows' }, 'rows ', h('b', null, n.toLocaleString('en-US'))),
        h('span', { class: 'ew-stat' }, 'mean length ', h('b', null, n ? fmt(lens.reduce((a, b) => a + b, 0) / n, 1) : '–')),
        h('span', { class: 'ew-stat' }, 'truncated ', h('b', null, n ? pct(slice.filter((r) => r.truncated).length / n) : '–'))),
      h('table', { class: 'ew-table' },
        h('tr', null, h('th', null, ''), ...LEVEL_NAMES.map((l) => h('th', { class: 'ew-num' }, l)), h('th', { class: 'ew-num' }, 'has rationale')),
        ...mechs.map((m) => {
          const withLevel = slice.filter((r) => r.levels[m] !== undefined);
          const k = withLevel.length;
          return h('tr', { 'data-mechanism': m }, h('th', null, m),
            ...[0, 1, 2].map((l) => h('td', { class: 'ew-num' }, k ? pct(withLevel.filter((r) => r.levels[m] === l).length / k, 0) : '–')),
            h('td', { class: 'ew-num' }, k ? pct(withLevel.filter((r) => (r.spans[m]?.length ?? 0) > 0).length / k, 0) : '–'));
        })));
    clear(this.metrics);
    this.metrics.appendChild(h('h3', null, this.modelLabel ? `Slice metrics — ${this.modelLabel}` : 'Slice metrics'));
    if (!this.modelLabel) {
      this.metrics.appendChild(h('div', { class: 'ew-muted' }, 'Score the rows with a model to see accuracy, macro-F1 and κ for the current slice.'));
      return;
    }
    const table = h('table', { class: 'ew-table ew-metrics' },
      h('tr', null, h('th', null, ''), h('th', { class: 'ew-num' }, 'n'), h('th', { class: 'ew-num' }, 'accuracy'), h('th', { class: 'ew-num' }, 'macro-F1'), h('th', { class: 'ew-num' }, 'κ')));
    for (const m of mechs) {
      const judged = slice.filter((r) => r.levels[m] !== undefined && r.pred?.[m] !== undefined);
      const lm = levelMetrics(judged.map((r) => r.levels[m] as number), judged.map((r) => r.pred![m] as number));
      table.appendChild(h('tr', { 'data-mechanism': m }, h('th', null, m), h('td', { class: 'ew-num' }, lm.n),
        h('td', { class: 'ew-num', 'data-metric': 'accuracy' }, lm.n ? lm.accuracy.toFixed(3) : '–'), h('td', { class: 'ew-num', 'data-metric': 'macroF1' }, lm.n ? lm.macroF1.toFixed(3) : '–'),
        h('td', { class: 'ew-num' }, lm.n ? lm.kappa.toFixed(3) : '–')));
    }
    this.metrics.appendChild(table);
  }

  /** The current slice (filters and sort applied) as CSV; the host saves it. */
  sliceCsv(): { csv: string; rowCount: number } {
    const slice = this.view?.slice ?? [];
    const mechs = mechanismsIn(this.dataset?.rows ?? []);
    const hasPred = slice.some((r) => r.pred);
    const header = ['id', 'seeker_post', 'response_post', ...mechs.flatMap((m) => [`${m}_level`, `${m}_rationales`, ...(hasPred ? [`${m}_pred`] : [])]), 'response_tokens', 'truncated'];
    const rows = slice.map((r) => [r.id, r.seekerPost, r.responsePost,
      ...mechs.flatMap((m: Mechanism) => [r.levels[m] ?? null, (r.spans[m] ?? []).map(([a, b]) => r.responsePost.slice(a, b)).join('|'), ...(hasPred ? [r.pred?.[m] ?? null] : [])]),
      r.responseTokens ?? null, r.truncated === undefined ? null : r.truncated]);
    return { csv: toCsv(header, rows), rowCount: rows.length };
  }

  private exportSlice(): void {
    if (!this.view || !this.dataset) return this.setStatus('error', 'Nothing to export yet.');
    const { csv, rowCount } = this.sliceCsv();
    const f = this.view.filters;
    const base = this.dataset.name.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
    this.bridge.post({ type: 'exportSlice', v: 1, suggestedName: `${base}.slice.csv`, csv, rowCount,
      filters: { mechanism: f.mechanism, level: f.level, rationale: f.rationale, truncated: f.truncated, correct: f.correct, minLen: f.minLen, maxLen: f.maxLen, search: f.search } });
    this.setStatus('info', `Exporting ${rowCount} rows…`);
  }
}

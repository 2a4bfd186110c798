// The dataset browser shared by the dataset renderer and the Dataset Explorer panel: filters (mechanism,
// level, has-rationale, length, truncated, prediction correctness, text search), a sortable paged table
// with rationale spans highlighted, and level distribution charts that follow the current slice.
import type { DatasetPayload, DatasetRowView, Level, Mechanism } from '../../kernel/protocol/mime';
import { LEVEL_NAMES, MECHANISMS } from '../../kernel/protocol/mime';
import { append, clear, h } from '../core/dom';
import { ellipsis } from '../core/format';
import { debounce, select, textField } from '../core/controls';
import type { RenderContext } from '../core/context';
import { baseLayout, loadPlotly, PLOT_CONFIG } from '../core/plotly';
import { chartColors } from '../core/theme';
import { DataTable, type Column } from './dataTable';
import { spanText } from './spanText';

export type Tri = 'any' | 'yes' | 'no';
export interface DatasetFilters {
  mechanism: 'any' | Mechanism;   // restricts level / rationale / correctness filters to one mechanism
  level: 'any' | '0' | '1' | '2';
  rationale: Tri;                 // has a gold rationale span
  truncated: Tri;                 // response cut at max_len
  correct: 'any' | 'correct' | 'wrong'; // only when predictions are present
  minLen: number | null;          // response length (tokens when known, else characters)
  maxLen: number | null;
  search: string;                 // case-insensitive substring of seeker or response
}
export const defaultFilters: DatasetFilters = { mechanism: 'any', level: 'any', rationale: 'any', truncated: 'any', correct: 'any', minLen: null, maxLen: null, search: '' };

export interface DatasetViewOptions {
  ctx: RenderContext;
  /** Called whenever the slice changes (after filtering), e.g. to update panel statistics. */
  onSlice?: (slice: readonly DatasetRowView[]) => void;
  pageSize?: number;
}

const lengthOf = (r: DatasetRowView) => r.responseTokens ?? Array.from(r.responsePost).length;

export function mechanismsIn(rows: readonly DatasetRowView[]): Mechanism[] {
  const seen = new Set<Mechanism>();
  for (const r of rows) for (const m of Object.keys(r.levels) as Mechanism[]) seen.add(m);
  return MECHANISMS.filter((m) => seen.has(m));
}

export function matches(r: DatasetRowView, f: DatasetFilters, hay?: string): boolean {
  const mechs: Mechanism[] = f.mechanism === 'any' ? (Object.keys(r.levels) as Mechanism[]) : [f.mechanism];
  if (f.mechanism !== 'any' && r.levels[f.mechanism] === undefined) return false;
  if (f.level !== 'any' && !mechs.some((m) => r.levels[m] === Number(f.level))) return false;
  if (f.rationale !== 'any') {
    const has = mechs.some((m) => (r.spans[m]?.length ?? 0) > 0);
    if (has !== (f.rationale === 'yes')) return false;
  }
  if (f.truncated !== 'any' && !!r.truncated !== (f.truncated === 'yes')) return false;
  if (f.correct !== 'any') {
    const judged = mechs.filter((m) => r.pred?.[m] !== undefined && r.levels[m] !== undefined);
    if (judged.length === 0) return false;
    const wrong = judged.some((m) => r.pred![m] !== r.levels[m]);
    if (wrong !== (f.correct === 'wrong')) return false;
  }
  const len = lengthOf(r);
  if (f.minLen !== null && len < f.minLen) return false;
  if (f.maxLen !== null && len > f.maxLen) return false;
  if (f.search) {
    const s = hay ?? `${r.seekerPost}\n${r.responsePost}`.toLowerCase();
    if (!s.includes(f.search.toLowerCase())) return false;
  }
  return true;
}

export class DatasetView {
  readonly el: HTMLElement;
  readonly filters: DatasetFilters = { ...defaultFilters };
  /** Resolves once the first chart is drawn. */
  readonly ready: Promise<void>;
  private rows: DatasetRowView[] = [];
  private hay: string[] = [];
  private sliceRows: DatasetRowView[] = [];
  private table!: DataTable<DatasetRowView>;
  private readonly tableSlot = h('div');
  private readonly chart = h('div', { class: 'ew-plot ew-level-chart', style: 'height:180px', role: 'img' });
  private readonly summary = h('span', { class: 'ew-muted ew-slice-summary' });
  private readonly toolbar = h('div', { class: 'ew-toolbar' });
  private mechs: Mechanism[] = [];
  private hasPred = false;

  constructor(private payload: DatasetPayload, private readonly opts: DatasetViewOptions) {
    const key = h('span', { class: 'ew-legend', style: 'display:inline-flex;margin-left:8px' }, 'rationale spans:',
      ...MECHANISMS.map((m) => h('mark', { class: `ew-span ew-span-${m}`, style: 'color:inherit;padding:0 4px' }, m)), h('mark', { class: 'ew-span ew-span-multi', style: 'color:inherit;padding:0 4px' }, 'overlap'));
    this.el = h('div', { class: 'ew-dataset' }, this.toolbar, h('div', null, this.summary, key), this.chart, this.tableSlot);
    this.setRows(payload.rows);
    this.ready = this.drawChart();
  }

  get slice(): readonly DatasetRowView[] { return this.table.ordered; }

  /** New rows (e.g. predictions merged in by the panel); keeps the filters. */
  setRows(rows: DatasetRowView[]): void {
    this.rows = rows;
    this.hay = rows.map((r) => `${r.seekerPost}\n${r.responsePost}`.toLowerCase());
    this.mechs = mechanismsIn(rows);
    this.hasPred = rows.some((r) => r.pred && Object.keys(r.pred).length > 0);
    this.buildToolbar();
    this.table = new DataTable(this.columns(), { pageSize: this.opts.pageSize ?? 50, noun: 'rows' });
    clear(this.tableSlot);
    this.tableSlot.appendChild(this.table.el);
    this.apply(false);
  }

  /** Re-filter; `chart` false skips the chart (the constructor draws it once plotly is loaded). */
  apply(chart = true): void {
    const f = this.filters;
    const out: DatasetRowView[] = [];
    for (let i = 0; i < this.rows.length; i++) if (matches(this.rows[i], f, this.hay[i])) out.push(this.rows[i]);
    this.sliceRows = out;
    this.table.setRows(out);
    const lenUnit = this.rows.some((r) => r.responseTokens !== undefined) ? 'tokens' : 'chars';
    const meanLen = out.length ? out.reduce((a, r) => a + lengthOf(r), 0) / out.length : 0;
    const trunc = out.filter((r) => r.truncated).length;
    this.summary.textContent = `${out.length.toLocaleString('en-US')} of ${this.rows.length.toLocaleString('en-US')} rows · mean response length ${meanLen.toFixed(1)} ${lenUnit}` +
      (this.payload.maxLen ? ` · ${trunc} truncated at max_len ${this.payload.maxLen}` : trunc ? ` · ${trunc} truncated` : '');
    this.summary.dataset.count = String(out.length);
    if (chart) void this.drawChart();
    this.opts.onSlice?.(this.table.ordered);
  }

  private buildToolbar(): void {
    clear(this.toolbar);
    const set = <K extends keyof DatasetFilters>(k: K, v: DatasetFilters[K]) => { this.filters[k] = v; this.apply(); };
    const tri = (label: string, key: 'rationale' | 'truncated', yes: string, no: string) =>
      select(label, [['any', 'any'], ['yes', yes], ['no', no]], this.filters[key], (v) => set(key, v as Tri), key);
    const num = (ph: string, key: 'minLen' | 'maxLen') => {
      const i = h('input', { type: 'number', min: 0, placeholder: ph, 'data-control': key, 'aria-label': `${ph} response length` });
      if (this.filters[key] !== null) i.value = String(this.filters[key]);
      i.addEventListener('input', debounce(() => set(key, i.value === '' ? null : Number(i.value)), 150));
      return i;
    };
    const searchDebounced = debounce((v: string) => set('search', v), 150);
    append(this.toolbar,
      textField('search text…', this.filters.search, searchDebounced, 'search'),
      select('mechanism', [['any', 'any'], ...this.mechs.map((m): [string, string] => [m, m])], this.filters.mechanism, (v) => set('mechanism', v as DatasetFilters['mechanism']), 'mechanism'),
      select('level', [['any', 'any'], ...LEVEL_NAMES.map((n, i): [string, string] => [String(i), n])], this.filters.level, (v) => set('level', v as DatasetFilters['level']), 'level'),
      tri('rationale', 'rationale', 'has span', 'none'),
      tri('truncated', 'truncated', 'truncated', 'fits'),
      h('label', null, h('span', { class: 'ew-muted' }, 'length'), num('min', 'minLen'), '–', num('max', 'maxLen')),
      this.hasPred ? select('prediction', [['any', 'any'], ['correct', 'correct'], ['wrong', 'wrong']], this.filters.correct, (v) => set('correct', v as DatasetFilters['correct']), 'correct') : null,
    );
  }

  private columns(): Array<Column<DatasetRowView>> {
    const f = this.filters;
    const levelCell = (r: DatasetRowView, m: Mechanism) => {
      const g = r.levels[m], p = r.pred?.[m];
      if (g === undefined) return '–';
      const chip = h('span', { class: `ew-chip ew-lv${g}`, title: `gold ${m} level` }, LEVEL_NAMES[g]);
      if (p === undefined) return chip;
      return h('span', null, chip, h('span', { class: p === g ? 'ew-muted' : '', style: p === g ? null : 'color:var(--vscode-errorForeground,#c72e0f)', title: p === g ? 'predicted (right)' : 'predicted (wrong)' },
        // a wrong prediction is marked by a sign too, not by colour alone
        `→ ${LEVEL_NAMES[p]}${p === g ? '' : ' ✗'}`));
    };
    return [
      { key: 'id', label: 'id', cell: (r) => r.id, className: 'ew-muted ew-id' },
      { key: 'seeker', label: 'seeker post', cell: (r) => ellipsis(r.seekerPost, 160), sortValue: (r) => r.seekerPost, className: 'ew-text' },
      { key: 'response', label: 'response post (rationales highlighted)', cell: (r) => spanText(r.responsePost, r.spans, f.mechanism === 'any' ? undefined : f.mechanism),
        sortValue: (r) => r.responsePost, className: 'ew-text' },
      ...this.mechs.map((m): Column<DatasetRowView> => ({ key: `lv:${m}`, label: m, cell: (r) => levelCell(r, m), sortValue: (r) => r.levels[m] as Level | undefined })),
      { key: 'len', label: 'length', numeric: true, cell: (r) => String(lengthOf(r)), sortValue: lengthOf },
      { key: 'trunc', label: '✂', title: 'Truncated at max_len (sort)', cell: (r) => (r.truncated ? h('span', { class: 'ew-trunc-flag', title: 'cut at max_len' }, '✂') : ''), sortValue: (r) => (r.truncated ? 1 : 0) },
    ];
  }

  private async drawChart(): Promise<void> {
    if (this.mechs.length === 0) { this.chart.style.display = 'none'; return; }
    const Plotly = await loadPlotly(this.opts.ctx);
    const c = chartColors(this.el.isConnected ? this.el : document.body);
    const color: Record<Mechanism, string> = { ER: c.series[4], IP: c.series[0], EX: c.series[2] };
    const perMech: string[] = [];
    const traces = this.mechs.map((m) => {
      const counts = [0, 0, 0];
      for (const r of this.sliceRows) { const l = r.levels[m]; if (l !== undefined) counts[l]++; }
      perMech.push(`${m}: ${LEVEL_NAMES.map((n, i) => `${n} ${counts[i]}`).join(', ')}`);
      return { type: 'bar', name: m, x: LEVEL_NAMES.slice(), y: counts, marker: { color: color[m] }, hovertemplate: `${m} %{x}: %{y}<extra></extra>` };
    });
    // The chart's text alternative: the counts it draws.
    this.chart.setAttribute('aria-label', `level distribution of the current slice: ${perMech.join('; ')}`);
    await Plotly.react(this.chart, traces, baseLayout(c, {
      barmode: 'group', margin: { l: 48, r: 12, t: 30, b: 28 },
      title: { text: 'level distribution (current slice)', font: { size: 12, color: c.muted }, x: 0, xanchor: 'left', y: 0.97 },
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom', font: { color: c.fg } },
    }), { ...PLOT_CONFIG, displayModeBar: false });
  }
}

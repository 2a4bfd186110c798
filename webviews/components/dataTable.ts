// A sortable, paged table over any row type: only the current page is in the DOM, so 10k+ rows stay fast.
import { clear, h } from '../core/dom';

export interface Column<R> {
  key: string;
  label: string;
  /** Right-aligned, sorted numerically. */
  numeric?: boolean;
  /** Value used for sorting (default: the text of `cell`). null/undefined sort last. */
  sortValue?: (r: R) => number | string | null | undefined;
  cell: (r: R) => Node | string;
  className?: string;
  title?: string;
}

export interface DataTableOptions {
  /** Rows per page (default 50). */
  pageSize?: number;
  /** Initial sort column and direction (default: producer order). */
  sort?: { key: string; dir: 1 | -1 };
  /** Caption shown beside the pager, e.g. "examples". */
  noun?: string;
  /** Called after every page render (panels use it to keep statistics in sync). */
  onChange?: () => void;
}

export class DataTable<R> {
  readonly el: HTMLElement;
  private rows: R[] = [];
  private sorted: R[] = [];
  private page = 0;
  private sort: { key: string; dir: 1 | -1 } | undefined;
  private readonly pageSize: number;
  private readonly thead = h('thead');
  private readonly tbody = h('tbody');
  private readonly pager = h('div', { class: 'ew-pager' });

  constructor(private readonly columns: Array<Column<R>>, private readonly opts: DataTableOptions = {}) {
    this.pageSize = opts.pageSize ?? 50;
    this.sort = opts.sort;
    this.el = h('div', { class: 'ew-datatable' }, h('table', { class: 'ew-table' }, this.thead, this.tbody), this.pager);
    this.renderHead();
  }

  /** Replace the rows (after filtering); keeps the sort, returns to the first page. */
  setRows(rows: R[]): void {
    this.rows = rows;
    this.page = 0;
    this.applySort();
    this.renderBody();
  }

  /** The rows in display order (all pages): what "export slice" writes. */
  get ordered(): readonly R[] { return this.sorted; }

  sortBy(key: string, dir?: 1 | -1): void {
    const d = dir ?? (this.sort?.key === key ? (-this.sort.dir as 1 | -1) : 1);
    this.sort = { key, dir: d };
    this.applySort();
    this.page = 0;
    this.renderHead();
    this.renderBody();
  }

  goTo(page: number): void {
    const last = Math.max(0, Math.ceil(this.sorted.length / this.pageSize) - 1);
    this.page = Math.min(Math.max(0, page), last);
    this.renderBody();
  }

  private applySort(): void {
    const s = this.sort;
    const col = s && this.columns.find((c) => c.key === s.key);
    if (!s || !col) { this.sorted = this.rows.slice(); return; }
    const key = col.sortValue ?? ((r: R) => { const c = col.cell(r); return typeof c === 'string' ? c : c.textContent ?? ''; });
    // Decorate-sort-undecorate: each key computed once; stable for equal keys.
    const dec = this.rows.map((r, i) => ({ r, i, k: key(r) }));
    dec.sort((a, b) => {
      const an = a.k === null || a.k === undefined, bn = b.k === null || b.k === undefined;
      if (an || bn) return an && bn ? a.i - b.i : an ? 1 : -1;
      const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
      return c !== 0 ? c * s.dir : a.i - b.i;
    });
    this.sorted = dec.map((d) => d.r);
  }

  private renderHead(): void {
    clear(this.thead);
    const tr = h('tr');
    for (const c of this.columns) {
      const arrow = this.sort?.key === c.key ? (this.sort.dir === 1 ? ' ▲' : ' ▼') : '';
      const th = h('th', {
        class: `ew-sortable${c.numeric ? ' ew-num' : ''}`, 'data-key': c.key, title: c.title ?? `Sort by ${c.label}`,
        'aria-sort': this.sort?.key === c.key ? (this.sort.dir === 1 ? 'ascending' : 'descending') : 'none',
      // A button inside the header: reachable with Tab, sorts on Enter/Space (its click reaches the th).
      }, h('button', { type: 'button', class: 'ew-sort' }, c.label + arrow));
      th.addEventListener('click', () => {
        const focused = th.contains(th.ownerDocument.activeElement);
        this.sortBy(c.key);
        // The head is redrawn: keep the keyboard user's focus on the header they sorted by.
        if (focused) this.thead.querySelector<HTMLElement>(`th[data-key="${CSS.escape(c.key)}"] button`)?.focus();
      });
      tr.appendChild(th);
    }
    this.thead.appendChild(tr);
  }

  private renderBody(): void {
    const start = this.page * this.pageSize;
    const pageRows = this.sorted.slice(start, start + this.pageSize);
    const frag = document.createDocumentFragment();
    for (const r of pageRows) {
      const tr = h('tr');
      for (const c of this.columns) {
        const td = h('td', { class: [c.numeric ? 'ew-num' : '', c.className ?? ''].join(' ').trim() || null });
        const v = c.cell(r);
        td.append(v);
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    clear(this.tbody);
    if (pageRows.length === 0) {
      this.tbody.appendChild(h('tr', { class: 'ew-empty' }, h('td', { colspan: this.columns.length, class: 'ew-muted' }, 'No rows match.')));
    } else this.tbody.appendChild(frag);
    this.renderPager();
    this.opts.onChange?.();
  }

  private renderPager(): void {
    clear(this.pager);
    const n = this.sorted.length;
    const pages = Math.max(1, Math.ceil(n / this.pageSize));
    const from = n === 0 ? 0 : this.page * this.pageSize + 1;
    const to = Math.min(n, (this.page + 1) * this.pageSize);
    const btn = (label: string, target: number, disabled: boolean, name: string) => {
      const b = h('button', { disabled, 'data-page': name, type: 'button' }, label);
      b.addEventListener('click', () => this.goTo(target));
      return b;
    };
    const range = h('span', { class: 'ew-muted ew-range', 'data-total': n, 'data-page-index': this.page },
      `${from}–${to} of ${n.toLocaleString('en-US')} ${this.opts.noun ?? 'rows'} · page ${this.page + 1}/${pages}`);
    if (pages === 1) { this.pager.append(range); return; } // no buttons to press
    this.pager.append(
      btn('«', 0, this.page === 0, 'first'),
      btn('‹', this.page - 1, this.page === 0, 'prev'),
      range,
      btn('›', this.page + 1, this.page >= pages - 1, 'next'),
      btn('»', pages - 1, this.page >= pages - 1, 'last'),
    );
  }
}

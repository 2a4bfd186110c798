// Renderer for application/vnd.empathy.dataset+json: the filterable, sortable, paged dataset browser.
import type { DatasetPayload } from '../../kernel/protocol/mime';
import { MIME } from '../../kernel/protocol/mime';
import { Checker } from '../core/validate';
import { guarded } from '../core/guard';
import { clear, h } from '../core/dom';
import { DatasetView } from '../components/datasetView';

export function validateDataset(p: unknown): DatasetPayload {
  const c = new Checker(MIME.dataset);
  const o = c.payload(p, 1);
  c.str(c.has(o, 'name', ''), 'name');
  if (o.maxLen !== undefined) c.num(o.maxLen, 'maxLen');
  c.arr(c.has(o, 'rows', ''), 'rows').forEach((r, i) => {
    const path = `rows[${i}]`;
    const ro = c.obj(r, path);
    c.str(c.has(ro, 'id', path), `${path}.id`);
    c.str(c.has(ro, 'seekerPost', path), `${path}.seekerPost`);
    c.str(c.has(ro, 'responsePost', path), `${path}.responsePost`);
    const lv = c.obj(c.has(ro, 'levels', path), `${path}.levels`);
    for (const [m, l] of Object.entries(lv)) { c.mechanism(m, `${path}.levels`); c.level(l, `${path}.levels.${m}`); }
    const sp = c.obj(c.has(ro, 'spans', path), `${path}.spans`);
    for (const [m, s] of Object.entries(sp)) { c.mechanism(m, `${path}.spans`); c.spans(s, `${path}.spans.${m}`); }
    if (ro.pred !== undefined) for (const [m, l] of Object.entries(c.obj(ro.pred, `${path}.pred`))) { c.mechanism(m, `${path}.pred`); c.level(l, `${path}.pred.${m}`); }
    if (ro.responseTokens !== undefined) c.num(ro.responseTokens, `${path}.responseTokens`);
  });
  return o as unknown as DatasetPayload;
}

export const render = guarded('dataset', async (el, payload, ctx) => {
  const p = validateDataset(payload);
  clear(el);
  // Notebook outputs stay compact: 20 rows a page (the Dataset Explorer panel shows 50).
  const view = new DatasetView(p, { ctx, pageSize: 20 });
  el.append(h('div', { class: 'ew-title' }, `Dataset: ${p.name}`), view.el);
  await view.ready;
});

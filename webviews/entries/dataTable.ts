// Entry of the data table panel (out/webviews/dataTable.js): a kernel variable (a danfojs DataFrame, an
// array of records) in the same sortable, paged table the notebook's table renderer draws.
import type { TablePayload } from '../../kernel/protocol/mime';
import { h } from '../core/dom';
import { render } from '../renderers/table';
import { initialState, onReady, panelRoot } from '../panels/bootstrap';

onReady(() => {
  const root = panelRoot();
  const state = initialState() as { title?: string; table?: TablePayload } | undefined;
  root.appendChild(h('h2', {}, state?.title ?? 'Table'));
  const body = root.appendChild(h('div'));
  void render(body, state?.table, {});
});

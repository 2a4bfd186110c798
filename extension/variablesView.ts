// The Variables view (`empathy.variables`, in the Explorer): the active Empathy notebook's kernel variables
// with their type, shape and a preview, refreshed after every cell run; tables (danfojs DataFrames, arrays
// of records) open in the data table panel (the notebook's sortable, paged table renderer), their rows
// asked of the kernel with the typed query `variableTable` (kernel/protocol/query.ts).
import * as vscode from 'vscode';
import type { VariableInfo } from '../kernel/protocol/kernel';
import type { TablePayload } from '../kernel/protocol/mime';
import type { KernelManager } from './kernelManager';
import { NOTEBOOK_TYPE } from './serializer';
import { panelHtml, webviewRoots } from './panels/webviewHtml';

export const VARIABLES_VIEW_ID = 'empathy.variables';

/** Whether a variable's type is one the data table can show. */
export function isTableType(type: string): boolean {
  return /^(DataFrame|Series)\b/.test(type) || /^Array\(\d+\)$/.test(type);
}

/** Shape of a variable, from its runtime type name: `[24×5]`, `(3)`, `[2,3]`; '' when it has none. */
export function shapeOf(type: string): string {
  const m = /(\[[^\]]*\]|\(\d+\))\s*$/.exec(type);
  return m ? m[1] : '';
}

export class VariableItem extends vscode.TreeItem {
  constructor(readonly variable: VariableInfo, readonly notebook: vscode.NotebookDocument) {
    super(variable.name, vscode.TreeItemCollapsibleState.None);
    this.description = `${variable.type} · ${variable.value}`;
    this.tooltip = new vscode.MarkdownString().appendMarkdown(`**${variable.name}** (${variable.kind})\n\n`)
      .appendMarkdown(`type: \`${variable.type}\`${shapeOf(variable.type) ? `, shape ${shapeOf(variable.type)}` : ''}\n\n`)
      .appendCodeblock(variable.value, 'text');
    this.contextValue = isTableType(variable.type) ? 'empathyVariable.table' : 'empathyVariable';
    this.iconPath = new vscode.ThemeIcon(variable.kind === 'function' ? 'symbol-method' : variable.kind === 'class' ? 'symbol-class' : isTableType(variable.type) ? 'table' : 'symbol-variable');
    if (isTableType(variable.type)) this.command = { command: 'empathy.variables.openTable', title: 'Open in Data Table', arguments: [this] };
  }
}

export class VariablesView implements vscode.TreeDataProvider<VariableItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  /** The last listing shown (tests and the table command read it). */
  items: VariableItem[] = [];
  private view: vscode.TreeView<VariableItem> | undefined;
  private last: vscode.NotebookDocument | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly kernels: KernelManager) {
    this.subs.push(
      vscode.window.onDidChangeActiveNotebookEditor((e) => {
        if (e?.notebook.notebookType === NOTEBOOK_TYPE) this.last = e.notebook;
        this.refresh();
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => { if (nb === this.last) { this.last = undefined; this.refresh(); } }),
      // A cell finished (its execution summary changed): its declarations may have too.
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook.notebookType === NOTEBOOK_TYPE && e.cellChanges.some((c) => c.executionSummary?.success !== undefined)) this.refresh();
      }),
    );
  }

  static register(context: vscode.ExtensionContext, kernels: KernelManager): VariablesView {
    const v = new VariablesView(context, kernels);
    v.view = vscode.window.createTreeView(VARIABLES_VIEW_ID, { treeDataProvider: v, showCollapseAll: false });
    context.subscriptions.push(
      v, v.view,
      vscode.commands.registerCommand('empathy.variables.refresh', () => v.refresh()),
      vscode.commands.registerCommand('empathy.variables.openTable', (item?: VariableItem | string) => v.openTable(item)),
      vscode.commands.registerCommand('empathy.variables.list', () => v.load()),
    );
    return v;
  }

  refresh(): void { this.changed.fire(); }

  getTreeItem(item: VariableItem): vscode.TreeItem { return item; }

  async getChildren(parent?: VariableItem): Promise<VariableItem[]> {
    if (parent) return [];
    this.items = await this.load();
    if (this.view) this.view.message = this.items.length ? undefined : this.emptyMessage();
    return this.items;
  }

  /** The active Empathy notebook, else the last one that was active (a panel may have the focus now). */
  private notebook(): vscode.NotebookDocument | undefined {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    if (nb?.notebookType === NOTEBOOK_TYPE) return (this.last = nb);
    return this.last && !this.last.isClosed ? this.last : undefined;
  }

  private emptyMessage(): string {
    const nb = this.notebook();
    if (!nb) return 'Open an Empathy notebook to see its kernel variables.';
    return this.kernels.get(nb) ? 'No variables declared yet.' : 'Run a cell: the kernel of this notebook is not running yet.';
  }

  /** The active notebook's variables (empty without a running kernel). */
  async load(): Promise<VariableItem[]> {
    const nb = this.notebook();
    const kernel = nb && this.kernels.get(nb);
    if (!nb || !kernel) return [];
    try {
      const vars = await kernel.variables();
      return vars.map((v) => new VariableItem(v, nb));
    } catch {
      return []; // the kernel is restarting or gone: the next run refreshes the view
    }
  }

  /** Opens a table-shaped variable (by item or name) in the data table panel. */
  async openTable(item?: VariableItem | string): Promise<vscode.WebviewPanel | undefined> {
    const nb = item instanceof VariableItem ? item.notebook : this.notebook();
    const name = item instanceof VariableItem ? item.variable.name : item;
    const kernel = nb && this.kernels.get(nb);
    if (!nb || !kernel || !name) { void vscode.window.showInformationMessage('Run a cell first: the kernel of this notebook is not running.'); return undefined; }
    let table: TablePayload;
    try {
      table = await kernel.query('variableTable', { name, maxRows: 5000 });
    } catch (e) {
      // The kernel's message names the variable and why (no such variable, no table form).
      void vscode.window.showWarningMessage(`${name} cannot be shown as a table: ${(e as Error).message}`);
      return undefined;
    }
    const title = `${name}${table.totalRows !== undefined ? ` (${table.totalRows} rows)` : ` (${table.rows.length} rows)`}`;
    const panel = vscode.window.createWebviewPanel('empathy.dataTable', `Table: ${name}`, vscode.ViewColumn.Beside, {
      enableScripts: true, localResourceRoots: webviewRoots(this.context.extensionUri),
    });
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri, { script: 'dataTable.js', title, initialState: { title, table } });
    return panel;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

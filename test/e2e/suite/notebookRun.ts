// Helpers for the extension tests: open a notebook with the Empathy kernel selected, run cells, wait for
// their executions to finish, and read outputs by MIME type.
import * as vscode from 'vscode';
import { EXTENSION_ID, workspaceFile } from './workspace';
import { askBrowser, type BrowserAnswer, type BrowserQuestion } from './browserProtocol';

export const CONTROLLER_ID = 'empathy-typescript';

export async function openWithKernel(rel: string): Promise<vscode.NotebookEditor> {
  const nb = await vscode.workspace.openNotebookDocument(workspaceFile(rel));
  const editor = await vscode.window.showNotebookDocument(nb);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: EXTENSION_ID });
  return editor;
}

export function codeCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

export function cellById(nb: vscode.NotebookDocument, id: string): vscode.NotebookCell {
  const c = nb.getCells().find((x) => (x.metadata as { id?: string }).id === id);
  if (!c) throw new Error(`no cell with id ${id}`);
  return c;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether VS Code has recorded a finished execution (success true/false) for the cell. */
export function finished(c: vscode.NotebookCell): boolean {
  return c.executionSummary?.success !== undefined;
}

/** Runs the given cells (default: all) and waits until each of them has finished. */
export async function runCells(editor: vscode.NotebookEditor, cells?: vscode.NotebookCell[], timeoutMs = 90_000): Promise<void> {
  const nb = editor.notebook;
  const targets = cells ?? codeCells(nb);
  const before = new Map(targets.map((c) => [c.index, c.executionSummary?.timing?.startTime]));
  if (cells) {
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: cells.map((c) => ({ start: c.index, end: c.index + 1 })), document: nb.uri });
  } else {
    await vscode.commands.executeCommand('notebook.execute', nb.uri);
  }
  await waitFor(`cells ${targets.map((c) => c.index).join(',')} to finish`, () =>
    targets.every((c) => finished(c) && c.executionSummary?.timing?.startTime !== before.get(c.index)), timeoutMs);
}

/**
 * Run All, and wait until every code cell has finished, or one has failed (Run All stops there, so the
 * cells after it never run: waiting for them would only time out). Returns the failed cell, if any.
 */
export async function runAllUntilDoneOrFailed(editor: vscode.NotebookEditor, timeoutMs: number): Promise<vscode.NotebookCell | undefined> {
  const targets = codeCells(editor.notebook);
  const before = new Map(targets.map((c) => [c.index, c.executionSummary?.timing?.startTime]));
  const fresh = (c: vscode.NotebookCell) => finished(c) && c.executionSummary?.timing?.startTime !== before.get(c.index);
  await vscode.commands.executeCommand('notebook.execute', editor.notebook.uri);
  await waitFor(`Run All of ${editor.notebook.uri.path}`, () =>
    targets.every(fresh) || targets.some((c) => fresh(c) && c.executionSummary?.success === false), timeoutMs);
  return targets.find((c) => fresh(c) && c.executionSummary?.success === false);
}

const decoder = new TextDecoder();

export function outputMimes(c: vscode.NotebookCell): string[] {
  return c.outputs.flatMap((o) => o.items.map((i) => i.mime));
}

export function outputText(c: vscode.NotebookCell, mime?: string): string {
  return c.outputs.flatMap((o) => o.items).filter((i) => !mime || i.mime === mime).map((i) => decoder.decode(i.data)).join('');
}

export function outputJson<T>(c: vscode.NotebookCell, mime: string): T {
  const item = c.outputs.flatMap((o) => o.items).find((i) => i.mime === mime);
  if (!item) throw new Error(`cell ${c.index} has no ${mime} output (has ${outputMimes(c).join(', ')})`);
  return JSON.parse(decoder.decode(item.data)) as T;
}

/** Asks the browser about the DOM with notifications cleared first, so screenshots show the content. */
export async function lookAt(q: BrowserQuestion, waitMs?: number): Promise<BrowserAnswer> {
  await vscode.commands.executeCommand('notifications.clearAll');
  return askBrowser(q, waitMs);
}

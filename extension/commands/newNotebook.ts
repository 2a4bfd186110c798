// "New Empathy Notebook": an untitled `.empathy` notebook from a short template (markdown + a first cell).
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../serializer';

/** The template: what a student sees first. Cells use the kernel's public API (`display`, `empathy`). */
export function notebookTemplate(): vscode.NotebookData {
  const md = (s: string) => new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, s, 'markdown');
  const code = (s: string) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, 'typescript');
  return new vscode.NotebookData([
    md('# My empathy experiment\n\nCells are TypeScript. Variables declared in one cell are visible in the next. ' +
      'Run a cell with `Shift+Enter`; **Empathy: Train Model…** trains from the command palette.'),
    code("const greeting = 'Hello from the Empathy kernel';\nconsole.log(greeting);"),
  ]);
}

export async function newNotebook(): Promise<void> {
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, notebookTemplate());
  await vscode.window.showNotebookDocument(doc);
}

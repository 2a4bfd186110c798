// *Export as HTML* and *Export as .ipynb*: the active Empathy notebook with the outputs it shows now (no
// cell is re-run), written beside it by default (a save dialog asks, unless a target is given).
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../dataset/atomicFile';
import { join } from 'node:path';
import { parseNotebook, type Notebook } from '../../kernel/notebook/format/notebook';
import { EmpathySerializer, NOTEBOOK_TYPE } from '../serializer';
import { checkExportTarget, exportPath, renderExport, type ExportFormat } from '../exportFormats';

/** The document as the kernel's notebook model, outputs included (through the serializer's own mapping). */
export function notebookModel(doc: vscode.NotebookDocument): Notebook {
  const data = new vscode.NotebookData(doc.getCells().map((c) => {
    const cell = new vscode.NotebookCellData(c.kind, c.document.getText(), c.document.languageId);
    cell.metadata = { ...c.metadata };
    cell.outputs = [...c.outputs];
    if (c.executionSummary) cell.executionSummary = c.executionSummary;
    return cell;
  }));
  data.metadata = { ...doc.metadata };
  return parseNotebook(new TextDecoder().decode(new EmpathySerializer().serializeNotebook(data)));
}

function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  // From the notebook toolbar VS Code passes { notebookEditor: { notebookUri } }.
  const uri = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  const nb = (uri && vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString())) || vscode.window.activeNotebookEditor?.notebook;
  return nb?.notebookType === NOTEBOOK_TYPE ? nb : undefined;
}

/** Exports the notebook; `target` skips the save dialog (tests, scripts). Returns the written file. */
export async function exportNotebook(context: vscode.ExtensionContext, format: ExportFormat, arg?: unknown, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && !target) { target = arg; arg = undefined; }
  const nb = targetNotebook(arg);
  if (!nb) { void vscode.window.showInformationMessage('Open an Empathy notebook to export it.'); return undefined; }
  const name = nb.uri.path.split('/').pop() ?? 'notebook.empathy';
  if (!target) {
    const folder = nb.uri.scheme === 'file' ? vscode.Uri.joinPath(nb.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const suggested = exportPath(name, format);
    target = await vscode.window.showSaveDialog({
      title: format === 'html' ? 'Export as HTML' : 'Export as Jupyter notebook',
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : undefined,
      filters: format === 'html' ? { 'HTML page': ['html'] } : { 'Jupyter notebook': ['ipynb'] },
    });
    if (!target) return undefined;
  }
  checkExportTarget(target.fsPath, nb.uri.scheme === 'file' ? nb.uri.fsPath : undefined);
  const web = join(context.extensionPath, 'out', 'webviews');
  const text = renderExport(notebookModel(nb), format, {
    source: name, reportScript: join(web, 'report.js'), plotly: join(web, 'plotly.min.js'),
    title: typeof nb.metadata.title === 'string' ? nb.metadata.title : name,
  });
  if (target.scheme === 'file') {
    // The project's one writer: an interrupted export or a full disk leaves any earlier file whole.
    writeFileAtomic(target.fsPath, text);
  } else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  void vscode.window.showInformationMessage(`Exported ${name} to ${vscode.workspace.asRelativePath(target)} (the outputs as shown; nothing was re-run).`);
  return target;
}

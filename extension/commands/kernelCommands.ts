// Kernel commands on the active notebook: Restart Kernel and Show Kernel Variables.
import * as vscode from 'vscode';
import type { KernelManager } from '../kernelManager';
import { NOTEBOOK_TYPE } from '../serializer';

function activeEmpathyNotebook(): vscode.NotebookDocument | undefined {
  const nb = vscode.window.activeNotebookEditor?.notebook;
  return nb?.notebookType === NOTEBOOK_TYPE ? nb : undefined;
}

export async function restartKernel(kernels: KernelManager, arg?: unknown): Promise<void> {
  // From the notebook toolbar VS Code passes { notebookEditor: { notebookUri } }.
  const uri = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  const nb = (uri && vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString())) || activeEmpathyNotebook();
  if (!nb) { void vscode.window.showInformationMessage('Open an Empathy notebook to restart its kernel.'); return; }
  if (!kernels.get(nb)) { void vscode.window.showInformationMessage('The kernel of this notebook is not running yet.'); return; }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Restarting the Empathy kernel…' },
    () => kernels.restart(nb));
}

/** Lists the kernel's variables (name, type, preview) in a quick pick; picking one copies its name. */
export async function showVariables(kernels: KernelManager): Promise<void> {
  const nb = activeEmpathyNotebook();
  const kernel = nb && kernels.get(nb);
  if (!kernel) { void vscode.window.showInformationMessage('Run a cell first: the kernel of this notebook is not running.'); return; }
  const vars = await kernel.variables();
  const pick = await vscode.window.showQuickPick(
    vars.map((v) => ({ label: v.name, description: `${v.kind} ${v.type}`, detail: v.value })),
    { title: `Kernel variables (${vars.length})`, placeHolder: vars.length ? 'Pick one to copy its name' : 'No variables declared yet', matchOnDetail: true },
  );
  if (pick) await vscode.env.clipboard.writeText(pick.label);
}

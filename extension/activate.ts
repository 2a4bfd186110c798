// Extension entry point: activate() only registers (serializer, kernel controller, commands, status bar);
// all behaviour lives in the files it wires together.
import * as vscode from 'vscode';
import { EmpathySerializer, NOTEBOOK_TYPE } from './serializer';
import { EmpathyController } from './controller';
import { KernelManager } from './kernelManager';
import { BackendStatus } from './statusBar';
import { newNotebook } from './commands/newNotebook';
import { openTutorial } from './commands/openTutorial';
import { restartKernel, showVariables } from './commands/kernelCommands';
import { selectBackend } from './commands/selectBackend';
import { trainModel, type TrainRequest } from './commands/trainModel';
import { DatasetExplorerPanel } from './panels/datasetExplorerPanel';
import { RationaleInspectorPanel } from './panels/rationaleInspectorPanel';
import { RendererMessaging } from './rendererMessaging';
import { KernelCompletions } from './completions';
import { VariablesView } from './variablesView';
import { exportNotebook } from './commands/exportNotebook';

export function activate(context: vscode.ExtensionContext): void {
  const status = new BackendStatus();
  const kernels = new KernelManager(context, status);
  const controller = new EmpathyController(kernels);
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new EmpathySerializer(), { transientOutputs: false }),
    status,
    kernels,
    controller,
    vscode.commands.registerCommand('empathy.newNotebook', newNotebook),
    vscode.commands.registerCommand('empathy.openTutorial', (file?: string) => openTutorial(context, file)),
    vscode.commands.registerCommand('empathy.restartKernel', (arg?: unknown) => restartKernel(kernels, arg)),
    vscode.commands.registerCommand('empathy.showVariables', () => showVariables(kernels)),
    vscode.commands.registerCommand('empathy.selectBackend', () => selectBackend(kernels.backend?.name)),
    vscode.commands.registerCommand('empathy.trainModel', (req?: TrainRequest) => trainModel(context, kernels, req)),
    vscode.commands.registerCommand('empathy.openDatasetExplorer', (files?: string[]) => DatasetExplorerPanel.open(context, kernels, files)),
    vscode.commands.registerCommand('empathy.openRationaleInspector', (files?: string[], model?: string) => RationaleInspectorPanel.open(context, kernels, files, model)),
    new RendererMessaging(),
    KernelCompletions.register(kernels),
    vscode.commands.registerCommand('empathy.exportHtml', (arg?: unknown, target?: vscode.Uri) => exportNotebook(context, 'html', arg, target)),
    vscode.commands.registerCommand('empathy.exportIpynb', (arg?: unknown, target?: vscode.Uri) => exportNotebook(context, 'ipynb', arg, target)),
  );
  VariablesView.register(context, kernels);
}

export function deactivate(): void { /* disposables in context.subscriptions stop everything */ }

// Extension entry point: activate() only registers (serializer, kernel controller, renderer messaging,
// commands, status bar); all behaviour lives in the files it wires together.
import * as vscode from 'vscode';
import { EmpathySerializer, NOTEBOOK_TYPE } from './serializer';
import { newNotebook } from './commands/newNotebook';
import { openTutorial } from './commands/openTutorial';
import { BackendStatus } from './statusBar';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new EmpathySerializer(), { transientOutputs: false }),
  );
  const status = new BackendStatus();
  context.subscriptions.push(status);
  context.subscriptions.push(
    vscode.commands.registerCommand('empathy.newNotebook', newNotebook),
    vscode.commands.registerCommand('empathy.openTutorial', (file?: string) => openTutorial(context, file)),
  );
}

export function deactivate(): void { /* disposables in context.subscriptions stop everything */ }

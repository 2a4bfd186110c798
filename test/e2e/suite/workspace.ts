// Where the extension tests find their workspace files and the extension under test.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'empathy-workbench.empathy-workbench';

export function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e tests need a workspace folder');
  return vscode.Uri.joinPath(folder.uri, rel);
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

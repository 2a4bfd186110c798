// The runs folder the extension's kernels record into (their EMPATHY_RUNS_DIR): `empathy.runsFolder` of
// the notebook's workspace folder (default `<workspace folder>/runs`); for a file outside every workspace
// folder, the workspace found from its folder upwards (kernel/runs/location.ts, as the CLI finds it);
// never a folder inside the extension's install folder (an untitled notebook without a workspace records
// into the extension's global storage instead), unless a workspace folder holds it (development).
import * as vscode from 'vscode';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { findWorkspaceRoot, workspaceRunsSetting } from '../kernel/runs/location';

/** Whether `p` is `dir` or inside it. */
export function isInside(p: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(p));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The runs folder for a kernel serving `resource` (a notebook) or, without one, the first workspace folder. */
export function runsFolderFor(context: vscode.ExtensionContext, resource?: vscode.Uri): string {
  const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? (resource ? undefined : vscode.workspace.workspaceFolders?.[0]);
  const setting = vscode.workspace.getConfiguration('empathy', resource ?? folder?.uri).get<string>('runsFolder', 'runs').trim() || 'runs';
  let dir: string | undefined;
  if (folder?.uri.scheme === 'file') {
    dir = isAbsolute(setting) ? setting : join(folder.uri.fsPath, setting);
  } else if (resource?.scheme === 'file') {
    const root = findWorkspaceRoot(vscode.Uri.joinPath(resource, '..').fsPath);
    const fromSettings = root && workspaceRunsSetting(root);
    const chosen = fromSettings ?? setting;
    if (root) dir = isAbsolute(chosen) ? chosen : join(root, chosen);
    else if (isAbsolute(setting)) dir = setting;
    else dir = join(vscode.Uri.joinPath(resource, '..').fsPath, setting);
  } else if (vscode.workspace.workspaceFolders?.[0]?.uri.scheme === 'file') {
    const first = vscode.workspace.workspaceFolders[0].uri.fsPath;
    dir = isAbsolute(setting) ? setting : join(first, setting);
  } else if (isAbsolute(setting)) {
    dir = setting;
  }
  // Inside the extension's folder only when a workspace folder holds it (the repository in development).
  const inWorkspace = (d: string) => (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file' && isInside(d, f.uri.fsPath));
  if (!dir || (isInside(dir, context.extensionPath) && !inWorkspace(dir))) dir = join(context.globalStorageUri.fsPath, 'runs');
  return resolve(dir);
}

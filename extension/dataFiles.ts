// The data-file quick pick shared by the panels and Train Model…: EPITOME CSVs in the workspace, the
// samples shipped with the extension, or any file through an open dialog.
import * as vscode from 'vscode';

interface FileItem extends vscode.QuickPickItem { uri?: vscode.Uri; browse?: boolean }

export async function findDataFiles(context: vscode.ExtensionContext): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles('**/*.csv', '{**/node_modules/**,**/out/**,**/test-output/**}', 200);
  const samples = vscode.Uri.joinPath(context.extensionUri, 'dataset', 'samples');
  try {
    for (const [name] of await vscode.workspace.fs.readDirectory(samples)) {
      const uri = vscode.Uri.joinPath(samples, name);
      if (name.endsWith('.csv') && !found.some((f) => f.fsPath === uri.fsPath)) found.push(uri);
    }
  } catch { /* no samples shipped */ }
  // Labelled EPITOME files first (their names say the mechanism), then the rest.
  const score = (u: vscode.Uri) => (/emotional|interpretation|exploration/i.test(u.path) ? 0 : 1);
  return found.sort((a, b) => score(a) - score(b) || a.path.localeCompare(b.path));
}

export async function pickDataFiles(context: vscode.ExtensionContext, opts: { title: string; many: boolean }): Promise<string[] | undefined> {
  const files = await findDataFiles(context);
  const items: FileItem[] = files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, picked: false }));
  items.push({ label: '$(folder-opened) Browse…', browse: true, alwaysShow: true });
  const picked = opts.many
    ? await vscode.window.showQuickPick(items, { title: opts.title, canPickMany: true, placeHolder: 'One file per mechanism (ER, IP, EX); several files train a joint model' })
    : await vscode.window.showQuickPick(items, { title: opts.title }).then((x) => (x ? [x] : undefined));
  if (!picked || picked.length === 0) return undefined;
  if (picked.some((p) => p.browse)) {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: opts.many, filters: { 'EPITOME CSV': ['csv'] }, title: opts.title });
    return uris?.map((u) => u.fsPath);
  }
  return picked.map((p) => p.uri!.fsPath);
}

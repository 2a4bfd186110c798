// "Open Tutorial" (walkthrough buttons): opens examples/<file> from the workspace when it has the
// tutorials, otherwise the copy shipped inside the extension.
import * as vscode from 'vscode';

export async function openTutorial(context: vscode.ExtensionContext, file?: string): Promise<void> {
  const candidates: vscode.Uri[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, 'examples'));
  candidates.push(vscode.Uri.joinPath(context.extensionUri, 'examples'));
  if (!file) {
    const all = new Map<string, vscode.Uri>();
    for (const dir of candidates) {
      try {
        for (const [name] of await vscode.workspace.fs.readDirectory(dir)) {
          if (name.endsWith('.empathy') && !all.has(name)) all.set(name, vscode.Uri.joinPath(dir, name));
        }
      } catch { /* folder absent */ }
    }
    const pick = await vscode.window.showQuickPick([...all.keys()].sort(), { title: 'Open an Empathy tutorial' });
    if (!pick) return;
    file = pick;
  }
  for (const dir of candidates) {
    const uri = vscode.Uri.joinPath(dir, file);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch { continue; }
    await vscode.commands.executeCommand('vscode.openWith', uri, 'empathy-notebook');
    return;
  }
  void vscode.window.showErrorMessage(`Tutorial ${file} not found in the workspace's examples/ folder or in the extension.`);
}

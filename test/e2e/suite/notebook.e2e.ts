// The `.empathy` notebook in a real VS Code: opening, the serializer's round trip, corrupt files.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { workspaceFile, extension } from './workspace';

describe('the .empathy notebook', () => {
  before(async () => { await extension().activate(); });

  it('opens a fixture notebook with its markdown and code cells', async () => {
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('fixtures/basics.empathy'));
    assert.equal(nb.notebookType, 'empathy-notebook');
    assert.deepEqual(nb.getCells().map((c) => c.kind), [vscode.NotebookCellKind.Markup, vscode.NotebookCellKind.Code, vscode.NotebookCellKind.Code]);
    assert.equal(nb.cellAt(1).document.languageId, 'typescript');
    assert.match(nb.cellAt(2).document.getText(), /xs\.map/);
    await vscode.window.showNotebookDocument(nb);
  });

  it('refuses a corrupt file with an error naming the position, and leaves the file untouched', async () => {
    const uri = workspaceFile('fixtures/corrupt.empathy');
    const before = readFileSync(uri.fsPath, 'utf8');
    await assert.rejects(async () => { await vscode.workspace.openNotebookDocument(uri); }, /corrupt\.empathy|invalid JSON|:\d+:\d+/);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), before);
  });

  it('opens every shipped tutorial (examples/*.empathy)', async function () {
    const tutorials = (await vscode.workspace.findFiles('examples/*.empathy')).sort((a, b) => a.path.localeCompare(b.path));
    if (tutorials.length === 0) this.skip(); // examples/ not written yet
    for (const uri of tutorials) {
      const nb = await vscode.workspace.openNotebookDocument(uri);
      assert.equal(nb.notebookType, 'empathy-notebook', uri.path);
      assert.ok(nb.getCells().some((c) => c.kind === vscode.NotebookCellKind.Code), `${uri.path} has code cells`);
    }
  });

  it('New Empathy Notebook opens an untitled notebook from the template', async () => {
    await vscode.commands.executeCommand('empathy.newNotebook');
    const nb = vscode.window.activeNotebookEditor?.notebook;
    assert.ok(nb, 'an active notebook editor');
    assert.equal(nb.notebookType, 'empathy-notebook');
    assert.ok(nb.isUntitled);
    assert.ok(nb.cellCount >= 2);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

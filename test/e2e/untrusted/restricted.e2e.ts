// Restricted Mode: an Empathy notebook opens and its saved outputs render, but its cells do not run (the
// Restricted Mode view explains why with package.json's capabilities.untrustedWorkspaces description).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { askBrowser } from '../suite/browserProtocol';
import { extension, workspaceFile } from '../suite/workspace';
import { CONTROLLER_ID, cellById } from '../suite/notebookRun';

describe('in an untrusted workspace', function () {
  this.timeout(120_000);

  it('the extension activates (limited support) and the workspace is not trusted', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await extension().activate();
    assert.equal(extension().isActive, true);
    assert.equal(extension().packageJSON.capabilities?.untrustedWorkspaces?.supported, 'limited');
  });

  it('a notebook opens and its saved loss curve renders', async () => {
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('fixtures/saved.empathy'));
    await vscode.window.showNotebookDocument(nb);
    const answer = await askBrowser({ name: 'untrusted-saved-outputs', expectText: ['Training loss'] });
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });

  it('cells do not run, and the workbench shows Restricted Mode', async () => {
    const nb = vscode.window.activeNotebookEditor!.notebook;
    await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: extension().id });
    const probe = cellById(nb, 'probe');
    // VS Code requests workspace trust before any execution; without it the controller is never called.
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: probe.index, end: probe.index + 1 }], document: nb.uri });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(probe.outputs.length, 0, 'the cell produced no output');
    assert.equal(probe.executionSummary?.executionOrder, undefined, 'the cell was not executed');
    const answer = await askBrowser({ name: 'untrusted-restricted-mode', expectText: ['Restricted Mode'], includeTop: true });
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });
});

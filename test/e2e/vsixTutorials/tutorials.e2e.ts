// The installed .vsix, as a new user meets it: a workspace folder holding only the tutorials (not the
// repository), each tutorial opened and Run All: every cell succeeds with the bundled kernel, and the
// rich outputs it promises are there (the quickstart's also drawn by the bundled renderer). Then the
// Dataset Explorer and the Rationale Inspector (scoring with a model a tutorial trained) from the package.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { MIME } from '../../../kernel/protocol/mime';
import { TUTORIALS } from '../../examples/tutorialExpectations';
import { extension } from '../suite/workspace';
import { codeCells, lookAt, openWithKernel, outputJson, outputMimes, outputText, runAllUntilDoneOrFailed } from '../suite/notebookRun';
import { checkDatasetExplorer, checkRationaleInspector, checkRationaleInspectorShipped } from '../suite/panelChecks';

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

describe('the installed .vsix runs every tutorial', function () {
  this.timeout(420_000);

  before(async () => { await extension().activate(); });

  it('is the installed copy, in a folder that holds only the tutorials', () => {
    assert.match(extension().extensionPath, /vsix-extensions/, `loaded from ${extension().extensionPath}`);
    assert.deepEqual(readdirSync(folder()).sort(), Object.keys(TUTORIALS).sort());
  });

  for (const [name, want] of Object.entries(TUTORIALS)) {
    it(`${name}: Run All, every cell succeeds, showing ${want.mimes.map((m) => m.replace('application/vnd.empathy.', '')).join(', ')}`, async () => {
      const editor = await openWithKernel(name);
      const failed = await runAllUntilDoneOrFailed(editor, 400_000);
      assert.equal(failed, undefined, failed && `cell ${failed.index} failed:\n${outputText(failed).slice(-3000)}`);
      const cells = codeCells(editor.notebook);
      for (const c of cells) {
        assert.equal(c.executionSummary?.success, true, `cell ${c.index}: ${outputText(c).slice(-2000)}`);
        assert.doesNotMatch(outputText(c), /in background work|exited unexpectedly|type check skipped/, `cell ${c.index}`);
      }
      const shown = new Set(cells.flatMap(outputMimes));
      for (const m of want.mimes) assert.ok(shown.has(m), `${name} shows ${m} (has ${[...shown].join(', ')})`);

      if (name.startsWith('00-')) {
        // The bundled renderer draws the tutorial's outputs.
        const withMime = (mime: string) => cells.find((c) => outputMimes(c).includes(mime))!;
        const shots: Array<[string, string, string[]]> = [
          [MIME.lossCurve, 'vsix-quickstart-loss-curve', ['Training loss']],
          [MIME.confusion, 'vsix-quickstart-confusion-matrix', ['click a cell to list its examples', 'macro-F1']],
          [MIME.rationales, 'vsix-quickstart-rationale-heatmap', ['rationale span', outputJson<{ items: Array<{ id: string }> }>(withMime(MIME.rationales), MIME.rationales).items[0].id]],
        ];
        for (const [mime, shot, expectText] of shots) {
          const cell = withMime(mime);
          editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
          const answer = await lookAt({ name: shot, expectText });
          assert.ok(answer.ok, `${shot}: missing ${answer.missing.join(', ')}`);
        }
      }
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  }

  it('opens the Dataset Explorer on a shipped sample', async () => {
    await checkDatasetExplorer('vsix-panel-dataset-explorer');
  });

  it('opens the Rationale Inspector with the shipped model of the installed extension', async () => {
    await checkRationaleInspectorShipped('vsix-panel-rationale-inspector-shipped');
  });

  it('opens the Rationale Inspector and scores the selected pair with a model a tutorial trained', async () => {
    const [checkpoint] = await vscode.workspace.findFiles('runs/**/*.safetensors', undefined, 1);
    assert.ok(checkpoint, 'the tutorials recorded a run with its model in the folder');
    await checkRationaleInspector('vsix-panel-rationale-inspector', checkpoint.fsPath);
  });
});

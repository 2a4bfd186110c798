// The packaged .vsix, installed with `code-server --install-extension`: the bundled extension and kernel
// run a notebook and the bundled renderer draws, with no node_modules beside them.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MIME } from '../../../kernel/protocol/mime';
import { askBrowser } from '../suite/browserProtocol';
import { extension } from '../suite/workspace';
import { cellById, codeCells, openWithKernel, outputMimes, outputText, runCells } from '../suite/notebookRun';

describe('the installed .vsix', function () {
  this.timeout(180_000);

  it('is the installed copy (not the development folder), bundled without node_modules', async () => {
    const ext = extension();
    assert.notEqual(ext.extensionPath, process.env.EMPATHY_E2E_REPO, 'not the development folder');
    assert.match(ext.extensionPath, /vsix-extensions/, `loaded from ${ext.extensionPath}`);
    assert.ok(!existsSync(join(ext.extensionPath, 'out', 'test')), 'tests are not packaged');
    assert.ok(!existsSync(join(ext.extensionPath, 'node_modules')), 'no node_modules in the package');
    for (const f of ['out/extension/activate.js', 'out/kernel/process/main.js', 'out/webviews/renderer.js']) {
      assert.ok(existsSync(join(ext.extensionPath, f)), `${f} shipped`);
    }
    await ext.activate();
  });

  it('runs a notebook with the bundled kernel and renders a loss curve', async () => {
    const basics = await openWithKernel('fixtures/basics.empathy');
    await runCells(basics);
    const [decl, use] = codeCells(basics.notebook);
    assert.match(outputText(decl), /sum 6/);
    assert.match(outputText(use, 'text/plain'), /2,\s*4,\s*6/);
    // The bundled type checker finds its libs and the `empathy` API: clean cells get no error squiggles.
    const errors = basics.notebook.getCells().flatMap((c) => vscode.languages.getDiagnostics(c.document.uri))
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message);
    assert.deepEqual(errors, []);

    // The type checker's thread runs from the package: Node's APIs type-check (@types/node ships beside
    // the kernel, the folder is outside any node_modules), and a real type error is reported.
    const checked = await openWithKernel('fixtures/node-api.empathy');
    await runCells(checked);
    const [nodeCell, wrongCell] = codeCells(checked.notebook);
    assert.match(outputText(nodeCell), /node true true/);
    for (const c of [nodeCell, wrongCell]) assert.doesNotMatch(outputText(c), /type check skipped/);
    const errorsOf = (c: vscode.NotebookCell) => vscode.languages.getDiagnostics(c.document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message);
    assert.deepEqual(errorsOf(nodeCell), []);
    assert.match(errorsOf(wrongCell).join('\n'), /not assignable to type 'number'/);

    const editor = await openWithKernel('fixtures/outputs.empathy');
    const loss = cellById(editor.notebook, 'loss');
    await runCells(editor, [loss]);
    assert.equal(loss.executionSummary?.success, true, outputText(loss));
    assert.ok(outputMimes(loss).includes(MIME.lossCurve));
    editor.revealRange(new vscode.NotebookRange(loss.index, loss.index + 1), vscode.NotebookEditorRevealType.AtTop);
    const answer = await askBrowser({ name: 'vsix-loss-curve', expectText: ['Training loss'] });
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });
});

// The "Empathy TypeScript" kernel in a real VS Code: run all, outputs and MIME types, execution order and
// timing, renderers drawing in Chromium, interrupting a long cell with state surviving, restart.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseNotebook } from '../../../kernel/notebook/format/notebook';
import { MIME } from '../../../kernel/protocol/mime';
import { workspaceFile } from './workspace';
import { askBrowser } from './browserProtocol';
import { cellById, codeCells, openWithKernel, outputJson, outputMimes, outputText, runCells, waitFor, lookAt } from './notebookRun';

const STDOUT = 'application/vnd.code.notebook.stdout';

describe('the Empathy TypeScript kernel', function () {
  this.timeout(180_000);

  it('runs all cells in order: streams, results, execution order and timing', async () => {
    const editor = await openWithKernel('fixtures/basics.empathy');
    await runCells(editor);
    const [decl, use] = codeCells(editor.notebook);
    assert.equal(decl.executionSummary?.success, true, outputText(decl));
    assert.equal(use.executionSummary?.success, true, outputText(use));
    assert.match(outputText(decl, STDOUT), /sum 6/);
    assert.match(outputText(use, 'text/plain'), /2,\s*4,\s*6/);
    assert.ok(decl.executionSummary!.executionOrder! < use.executionSummary!.executionOrder!, 'execution order follows cell order');
    const t = use.executionSummary!.timing!;
    assert.ok(t.endTime >= t.startTime, 'timing recorded');
  });

  it('Show Kernel Variables lists what the cells declared', async () => {
    await openWithKernel('fixtures/basics.empathy');
    void vscode.commands.executeCommand('empathy.showVariables');
    const answer = await lookAt({ name: 'kernel-variables', expectText: ['Kernel variables (1)', 'const Array(3)'], includeTop: true });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });

  it('completes names declared by earlier cells and the display API, from the running kernel', async () => {
    const editor = await openWithKernel('fixtures/basics.empathy');
    const nb = editor.notebook;
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'display.lo', 'typescript')])]);
    await vscode.workspace.applyEdit(edit);
    const probe = nb.cellAt(nb.cellCount - 1);
    const labelsAt = async (pos: vscode.Position) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', probe.document.uri, pos);
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const members = await labelsAt(new vscode.Position(0, 10));
    assert.ok(members.includes('lossCurve'), `display.lossCurve among ${members.join(', ')}`);
    const names = await labelsAt(new vscode.Position(0, 0));
    assert.ok(names.includes('xs'), 'xs (declared by an earlier cell) is offered');
    const undo = new vscode.WorkspaceEdit();
    undo.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(probe.index, probe.index + 1))]);
    await vscode.workspace.applyEdit(undo);
  });

  it('shows a runtime error as an error output and stops Run All there', async () => {
    const editor = await openWithKernel('fixtures/basics.empathy');
    const edit = new vscode.WorkspaceEdit();
    edit.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(1, [
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, "throw new RangeError('boom from a cell')", 'typescript'),
    ])]);
    await vscode.workspace.applyEdit(edit);
    const cells = codeCells(editor.notebook);
    await vscode.commands.executeCommand('notebook.execute', editor.notebook.uri);
    await waitFor('the failing cell to finish', () => cells[0].executionSummary?.success === false);
    const err = outputJson<{ name: string; message: string }>(cells[0], 'application/vnd.code.notebook.error');
    assert.equal(err.name, 'RangeError');
    assert.match(err.message, /boom from a cell/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a kernel crash ends the cell with a clear message, and the next run starts a fresh kernel', async () => {
    const editor = await openWithKernel('fixtures/basics.empathy');
    const nb = editor.notebook;
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'process.exit(3)', 'typescript'),
    ])]);
    await vscode.workspace.applyEdit(edit);
    const crash = nb.cellAt(nb.cellCount - 1);
    await runCells(editor, [crash]);
    assert.equal(crash.executionSummary?.success, false);
    assert.match(outputText(crash), /exited unexpectedly|stopped/i);
    const offer = await askBrowser({ name: 'kernel-crash-offer', expectText: ['stopped unexpectedly', 'Its variables are lost.', 'Show Log'], includeTop: true });
    assert.ok(offer.ok, `crash notification: missing ${offer.missing.join(', ')}`);
    const decl = cellById(nb, 'decl');
    await runCells(editor, [decl]);
    assert.equal(decl.executionSummary?.success, true, outputText(decl));
    assert.match(outputText(decl, STDOUT), /sum 6/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('produces the workbench MIME types, and the renderers draw them in Chromium', async () => {
    const editor = await openWithKernel('fixtures/outputs.empathy');
    await runCells(editor);
    const nb = editor.notebook;
    for (const c of codeCells(nb)) assert.equal(c.executionSummary?.success, true, `cell ${c.index}: ${outputText(c)}`);
    assert.ok(outputMimes(cellById(nb, 'loss')).includes(MIME.lossCurve));
    assert.ok(outputMimes(cellById(nb, 'confusion')).includes(MIME.confusion));
    assert.ok(outputMimes(cellById(nb, 'rationales')).includes(MIME.rationales));
    const confusion = outputJson<{ mechanisms: Array<{ matrix: number[][] }> }>(cellById(nb, 'confusion'), MIME.confusion);
    assert.deepEqual(confusion.mechanisms[0].matrix, [[30, 4, 1], [6, 12, 3], [1, 2, 9]]);
    assert.match(outputText(cellById(nb, 'summary'), 'text/plain'), /40 steps, accuracy 0\.75/);

    // Saving keeps every output with its payload, and the execution order (the serializer's round trip).
    assert.ok(await nb.save(), 'saved');
    const saved = parseNotebook(readFileSync(nb.uri.fsPath, 'utf8'), nb.uri.fsPath);
    const savedConfusion = saved.cells.find((c) => c.id === 'confusion')!;
    const display = savedConfusion.outputs.find((o) => o.kind === 'display');
    assert.ok(display && display.kind === 'display');
    assert.deepEqual((display.bundle[MIME.confusion] as { mechanisms: Array<{ matrix: number[][] }> }).mechanisms[0].matrix, confusion.mechanisms[0].matrix);
    assert.equal(savedConfusion.execution?.status, 'ok');
    assert.equal(savedConfusion.execution?.count, cellById(nb, 'confusion').executionSummary?.executionOrder);
    assert.ok(saved.cells.find((c) => c.id === 'summary')!.outputs.some((o) => o.kind === 'result'));

    // Each rich output, scrolled into view, must be drawn by the renderer (text inside the output iframe).
    const shots: Array<[string, string, string[]]> = [
      ['loss', 'notebook-loss-curve', ['Training loss']],
      ['confusion', 'notebook-confusion-matrix', ['Emotional Reactions (fixture)']],
      ['rationales', 'notebook-rationale-heatmap', ['sorry']],
    ];
    for (const [id, name, expectText] of shots) {
      const cell = cellById(nb, id);
      editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
      const answer = await lookAt({ name, expectText });
      assert.ok(answer.ok, `${name}: missing ${answer.missing.join(', ')} in ${JSON.stringify(answer.frames)}`);
    }
  });

  it('runs the quickstart tutorial end to end: loss curve, metrics, confusion matrix and rationale heatmap drawn', async function () {
    if (!existsSync(workspaceFile('examples/00-quickstart.empathy').fsPath)) this.skip(); // examples/ not written yet
    const editor = await openWithKernel('examples/00-quickstart.empathy');
    const nb = editor.notebook;
    await runCells(editor, undefined, 150_000);
    for (const c of codeCells(nb)) assert.equal(c.executionSummary?.success, true, `cell ${c.index}: ${outputText(c)}`);
    const withMime = (mime: string) => {
      const cell = codeCells(nb).find((c) => outputMimes(c).includes(mime));
      assert.ok(cell, `some cell displays ${mime}`);
      return cell;
    };
    const shots: Array<[string, string, string[]]> = [
      [MIME.lossCurve, 'example-quickstart-loss-curve', ['Training loss']],
      [MIME.confusion, 'example-quickstart-confusion-matrix', ['click a cell to list its examples', 'macro-F1']],
      [MIME.rationales, 'example-quickstart-rationale-heatmap', ['rationale span', outputJson<{ items: Array<{ id: string }> }>(withMime(MIME.rationales), MIME.rationales).items[0].id]],
    ];
    withMime(MIME.metrics);
    for (const [mime, name, expectText] of shots) {
      const cell = withMime(mime);
      editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.AtTop);
      const answer = await lookAt({ name, expectText });
      assert.ok(answer.ok, `${name}: missing ${answer.missing.join(', ')}`);
    }
  });

  it('interrupts a long cell; variables from before it survive and the kernel keeps working', async () => {
    const editor = await openWithKernel('fixtures/interrupt.empathy');
    const nb = editor.notebook;
    const [state, long, after] = [cellById(nb, 'state'), cellById(nb, 'long'), cellById(nb, 'after')];
    await runCells(editor, [state]);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: long.index, end: long.index + 1 }], document: nb.uri });
    await waitFor('the long cell to print a few batches', () => /batch 3/.test(outputText(long, STDOUT)), 60_000);
    const t0 = Date.now();
    await vscode.commands.executeCommand('notebook.cancelExecution', nb.uri);
    await waitFor('the long cell to end', () => long.executionSummary?.success === false, 30_000);
    assert.ok(Date.now() - t0 < 15_000, 'interrupt stops the work promptly');
    assert.doesNotMatch(outputText(long, STDOUT), /batch 599/);
    await runCells(editor, [after]);
    assert.equal(after.executionSummary?.success, true, outputText(after));
    assert.match(outputText(after, 'text/plain'), /still here true/);
  });

  it('restarts the kernel: a fresh process without the old variables', async () => {
    const editor = await openWithKernel('fixtures/interrupt.empathy');
    const nb = editor.notebook;
    const after = cellById(nb, 'after');
    await vscode.commands.executeCommand('empathy.restartKernel');
    await runCells(editor, [after]);
    assert.equal(after.executionSummary?.success, false, 'the old variables are gone after a restart');
    assert.match(outputText(after, 'application/vnd.code.notebook.error'), /kept|not defined/);
    await runCells(editor, [cellById(nb, 'state'), after]);
    assert.equal(after.executionSummary?.success, true, outputText(after));
  });
});

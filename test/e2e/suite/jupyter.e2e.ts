// Jupyter habits in a real VS Code: keybindings pressed in the browser (run all, interrupt `i i`, restart
// `0 0`), the Variables view (type, shape, preview; a data frame opened in the data table panel), Export as
// HTML / .ipynb from the outputs already shown (nothing re-run), and the outline listing markdown headings.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { workspaceFile, extension } from './workspace';
import { codeCells, cellById, openWithKernel, outputText, runCells, waitFor, lookAt } from './notebookRun';

interface VariableItemLike { variable: { name: string; type: string; value: string } }

const listVariables = () => vscode.commands.executeCommand<VariableItemLike[]>('empathy.variables.list');

/** Command mode on the first cell: key presses go to the notebook, not into a cell editor. */
async function commandMode(editor: vscode.NotebookEditor): Promise<void> {
  await vscode.window.showNotebookDocument(editor.notebook, { preserveFocus: false });
  await vscode.commands.executeCommand('notebook.focusTop');
  await vscode.commands.executeCommand('notebook.cell.quitEdit');
}

describe('Jupyter habits', function () {
  this.timeout(240_000);

  it('the Variables view lists type, shape and a preview; a data frame opens in the data table', async () => {
    // The notebook stays open for the next tests (one run of its cells serves them all).
    const editor = await openWithKernel('fixtures/habits.empathy');
    await runCells(editor, undefined, 150_000);
    const vars = await listVariables();
    const byName = new Map(vars.map((v) => [v.variable.name, v.variable]));
    assert.equal(byName.get('scores')?.type, 'Array(3)');
    assert.match(byName.get('scores')?.value ?? '', /mechanism: 'ER'/);
    assert.equal(byName.get('count')?.type, 'number');
    assert.equal(byName.get('count')?.value, '3');
    assert.equal(byName.get('frame')?.type, 'DataFrame [3×2]');
    await vscode.commands.executeCommand('empathy.variables.focus');
    const view = await lookAt({ name: 'variables-view', expectText: ['Empathy Variables', 'DataFrame [3×2]', 'Array(3)'], includeTop: true });
    assert.ok(view.ok, `Variables view: missing ${view.missing.join(', ')}`);
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('empathy.variables.openTable', 'frame');
    assert.ok(panel, 'the data table panel opened');
    const table = await lookAt({ name: 'variables-data-table', expectText: ['frame (3 rows)', 'macroF1', 'mechanism'], timeoutMs: 60_000 });
    assert.ok(table.ok, `data table: missing ${table.missing.join(', ')}`);
    panel.dispose();
  });

  it('Export as HTML and as .ipynb write the outputs already shown, without re-running a cell', async () => {
    const editor = await openWithKernel('fixtures/habits.empathy');
    if (!codeCells(editor.notebook).every((c) => c.executionSummary?.success === true)) await runCells(editor, undefined, 150_000);
    const orders = codeCells(editor.notebook).map((c) => c.executionSummary?.executionOrder);
    const html = workspaceFile('exports/habits.html');
    const ipynb = workspaceFile('exports/habits.ipynb');
    await vscode.workspace.fs.createDirectory(workspaceFile('exports'));
    assert.equal((await vscode.commands.executeCommand<vscode.Uri>('empathy.exportHtml', undefined, html))?.fsPath, html.fsPath);
    assert.equal((await vscode.commands.executeCommand<vscode.Uri>('empathy.exportIpynb', undefined, ipynb))?.fsPath, ipynb.fsPath);
    assert.deepEqual(codeCells(editor.notebook).map((c) => c.executionSummary?.executionOrder), orders, 'no cell ran again');
    assert.ok(existsSync(html.fsPath) && existsSync(ipynb.fsPath));
    const page = readFileSync(html.fsPath, 'utf8');
    assert.match(page, /Habits outline heading/);
    assert.match(page, /habits ready 3/);
    const nb = JSON.parse(readFileSync(ipynb.fsPath, 'utf8')) as { nbformat: number; cells: Array<{ cell_type: string; outputs?: Array<{ output_type: string; text?: string[] }> }> };
    assert.equal(nb.nbformat, 4);
    assert.deepEqual(nb.cells.map((c) => c.cell_type), ['markdown', 'code', 'markdown', 'code']);
    assert.ok(nb.cells[1].outputs?.some((o) => o.output_type === 'stream' && o.text?.join('').includes('habits ready 3')), JSON.stringify(nb.cells[1].outputs));
  });

  it('the outline lists the markdown headings', async () => {
    const editor = await openWithKernel('fixtures/habits.empathy');
    const md = editor.notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Markup);
    assert.deepEqual(md.map((c) => c.document.languageId), ['markdown', 'markdown']);
    await vscode.commands.executeCommand('outline.focus');
    const outline = await lookAt({ name: 'notebook-outline', expectText: ['Habits outline heading', 'Second section heading'], topOnly: true, timeoutMs: 30_000 });
    assert.ok(outline.ok, `outline: missing ${outline.missing.join(', ')}`);
  });
  it('contributes Jupyter keybindings scoped to Empathy notebooks, and they run, interrupt and restart', async () => {
    const kb = (extension().packageJSON as { contributes: { keybindings: Array<{ command: string; key: string; when: string }> } }).contributes.keybindings;
    const byKey = new Map(kb.map((k) => [k.key, k]));
    assert.equal(byKey.get('i i')?.command, 'notebook.cancelExecution');
    assert.equal(byKey.get('0 0')?.command, 'empathy.restartKernel');
    assert.equal(byKey.get('ctrl+f9')?.command, 'notebook.execute');
    for (const k of kb) assert.match(k.when, /notebookType == empathy-notebook/, `${k.key} is scoped to Empathy notebooks`);

    const editor = await openWithKernel('fixtures/habits.empathy');
    await extension().activate();
    const known = new Set(await vscode.commands.getCommands(true));
    for (const k of kb) assert.ok(known.has(k.command), `${k.command} exists`);
    const cells = codeCells(editor.notebook);
    // Run All with Ctrl+F9, pressed in the browser: every cell runs again (a higher execution order).
    const before = cells.map((c) => c.executionSummary?.executionOrder ?? 0);
    await commandMode(editor);
    await lookAt({ name: 'keys-run-all', expectText: [], keys: ['Control+F9'], settleMs: 200 });
    await waitFor('Ctrl+F9 to run every cell', () => cells.every((c, i) => c.executionSummary?.success === true && (c.executionSummary.executionOrder ?? 0) > before[i]), 150_000);
    assert.match(outputText(cellById(editor.notebook, 'records')), /habits ready 3/);

    // i i interrupts a running cell.
    const edit = new vscode.WorkspaceEdit();
    edit.set(editor.notebook.uri, [vscode.NotebookEdit.insertCells(editor.notebook.cellCount, [
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'await new Promise((r) => setTimeout(r, 120_000));', 'typescript')])]);
    await vscode.workspace.applyEdit(edit);
    const slow = editor.notebook.cellAt(editor.notebook.cellCount - 1);
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: slow.index, end: slow.index + 1 }], document: editor.notebook.uri });
    await new Promise((r) => setTimeout(r, 3000)); // the cell is running (it waits two minutes)
    await commandMode(editor);
    await lookAt({ name: 'keys-interrupt', expectText: [], keys: ['i', 'i'], settleMs: 200 });
    await waitFor('i i to interrupt the slow cell', () => slow.executionSummary?.success === false, 60_000);

    // 0 0 restarts the kernel: the variables are gone.
    assert.ok((await listVariables()).some((v) => v.variable.name === 'scores'), 'scores exists before the restart');
    await commandMode(editor);
    await lookAt({ name: 'keys-restart', expectText: [], keys: ['0', '0'], settleMs: 200 });
    const until = Date.now() + 60_000;
    let names: string[] = ['scores'];
    while (Date.now() < until) {
      names = (await listVariables()).map((v) => v.variable.name);
      if (!names.includes('scores')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(!names.includes('scores'), `after 0 0 the kernel still has ${names.join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

});

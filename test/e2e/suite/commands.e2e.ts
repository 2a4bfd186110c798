// Commands and panels in a real VS Code: Train Model… (a real training run, interrupted, state kept),
// the status bar's backend, the Dataset Explorer and Rationale Inspector webviews, the walkthrough.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { MIME, type LossCurvePayload } from '../../../kernel/protocol/mime';
import { extension, workspaceFile } from './workspace';
import { loadGoldIndex, loadReviews } from '../../../kernel/review/reviewSources';
import { reviewStats } from '../../../kernel/review/reviewStats';
import { cellById, outputJson, outputMimes, outputText, runCells, waitFor, lookAt } from './notebookRun';
import { checkDatasetExplorer, checkRationaleInspector, checkRationaleInspectorShipped, shippedSample as sample } from './panelChecks';

function stepsShown(cell: vscode.NotebookCell): number {
  try { return outputJson<LossCurvePayload>(cell, MIME.lossCurve).runs[0]?.steps.length ?? 0; } catch { return 0; }
}

describe('commands and panels', function () {
  this.timeout(240_000);

  it('Train Model… trains with a live loss curve; interrupting keeps the data and the partly trained model', async () => {
    const request = { files: [sample('emotional-reactions-sample.csv')], preset: 'tiny', epochs: 40, overrides: { batch_size: 2 } };
    const done = vscode.commands.executeCommand<vscode.NotebookDocument>('empathy.trainModel', request);
    const editor = await waitFor('the training notebook', () => {
      const e = vscode.window.activeNotebookEditor;
      return e?.notebook.isUntitled && e.notebook.getCells().some((c) => (c.metadata as { id?: string }).id === 'train') ? e : undefined;
    });
    const nb = editor.notebook;
    const train = cellById(nb, 'train');
    await waitFor('the live loss curve to show a few steps', () => stepsShown(train) >= 3, 150_000);
    const live = outputJson<LossCurvePayload>(train, MIME.lossCurve);
    assert.equal(live.live, true, 'the curve is live while training');
    await vscode.commands.executeCommand('notebook.cancelExecution', nb.uri);
    await done;
    assert.notEqual(train.executionSummary?.success, undefined, 'the training cell ended');

    // State survives the interrupt: the data, and the model with the weights of the last completed step.
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code,
      '`${data.train.length} pairs, ${run.steps} steps, stopped ${run.stopped}, backend ${empathy.currentBackend()?.name}`', 'typescript')])]);
    await vscode.workspace.applyEdit(edit);
    const check = nb.cellAt(nb.cellCount - 1);
    await runCells(editor, [check]);
    const text = outputText(check, 'text/plain');
    const m = /(\d+) pairs, (\d+) steps, stopped aborted, backend (\S+?)'?$/.exec(text.trim());
    assert.ok(m, `unexpected state after the interrupt: ${text}`);
    assert.ok(Number(m[2]) >= 1 && Number(m[2]) < 400, `stopped early: ${m[2]} of 400 steps`);

    // The status bar shows the backend the kernel really uses.
    const status = await lookAt({ name: 'status-bar-backend', expectText: [`Empathy: ${m[3]}`], includeTop: true });
    assert.ok(status.ok, `status bar: missing ${status.missing.join(', ')}`);

    // The interrupted model still evaluates: a confusion matrix from a real (partly trained) model.
    const evaluate = cellById(nb, 'evaluate');
    await runCells(editor, [evaluate]);
    assert.equal(evaluate.executionSummary?.success, true, outputText(evaluate));
    assert.ok(outputMimes(evaluate).includes(MIME.confusion));
    editor.revealRange(new vscode.NotebookRange(train.index, train.index + 1), vscode.NotebookEditorRevealType.AtTop);
    const shot = await lookAt({ name: 'train-model-notebook', expectText: ['Training loss', 'Emotional Reactions'] });
    assert.ok(shot.ok, `training notebook: missing ${shot.missing.join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Select Backend offers the backend ladder', async () => {
    void vscode.commands.executeCommand('empathy.selectBackend');
    const answer = await lookAt({ name: 'select-backend', expectText: ['compute backend for kernels started from now on', 'tensorflow-gpu', 'CUDA GPU'], includeTop: true });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });

  it('Open Dataset Explorer draws the dataset in its webview panel', async () => {
    await checkDatasetExplorer('panel-dataset-explorer');
  });

  it('Open Rationale Inspector lists the examples and scores the selected one with a checkpoint', async () => {
    // The quickstart tutorial (run above) records a run with its checkpoint in the workspace.
    const [checkpoint] = await vscode.workspace.findFiles('**/*.safetensors', '**/node_modules/**', 1);
    await checkRationaleInspector('panel-rationale-inspector', checkpoint?.fsPath);
  });

  it('Open Rationale Inspector with no model chosen scores with the shipped offline-default model', async () => {
    await checkRationaleInspectorShipped('panel-rationale-inspector-shipped');
  });

  it('Rationale Inspector review: five pairs judged with the keyboard (levels, a span, a note) are there after close and reopen', async () => {
    const dir = workspaceFile('review');
    const data = vscode.Uri.joinPath(dir, 'emotional-reactions-dev.csv');
    const reviewFile = vscode.Uri.joinPath(dir, 'emotional-reactions-dev.review.jsonl');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.copy(vscode.Uri.file(sample('emotional-reactions-sample.csv')), data, { overwrite: true });
    await vscode.workspace.fs.delete(reviewFile).then(undefined, () => undefined);
    await vscode.commands.executeCommand('empathy.openRationaleInspector', [data.fsPath]);
    const opened = await lookAt({ name: 'review-open', expectText: ['0 of 24 reviewed (ER)', 'scored in'], timeoutMs: 90_000 }, 120_000);
    assert.ok(opened.ok, `missing ${opened.missing.join(', ')}`);
    // Keyboard only: select two tokens of the ER heatmap (a DOM range, as shift+arrows would), s, level 1,
    // a note, then four more pairs with j and a level each.
    const selectTwo = `(() => { const t = document.querySelectorAll('.ew-mech-row[data-mechanism=ER] .ew-rationale-card[data-mode=prob] .ew-tok');
      const r = document.createRange(); r.setStart(t[0].firstChild, 0); r.setEnd(t[1].firstChild, t[1].firstChild.length);
      getSelection().removeAllRanges(); getSelection().addRange(r); })()`;
    const judged = await lookAt({ name: 'review-keys', expectText: ['5 of 24 reviewed (ER)'], timeoutMs: 60_000,
      focus: { frameText: 'emotional-reactions-dev.review.jsonl', selector: '.ew-examples-list', script: selectTwo }, // this panel's review file, named in its bar
      keys: ['s', '1', 'n', 'o', 'k', 'Enter', 'j', '2', 'j', '0', 'j', '1', 'j', '2'] }, 90_000);
    assert.ok(judged.ok, `missing ${judged.missing.join(', ')}`);
    const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(reviewFile)).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; pair_id: string; level?: number; note?: string });
    assert.deepEqual(lines.filter((l) => l.kind === 'level').map((l) => `${l.pair_id}=${l.level}`), ['sp001_rp001=1', 'sp002_rp002=2', 'sp003_rp003=0', 'sp004_rp004=1', 'sp005_rp005=2']);
    assert.deepEqual(lines.filter((l) => l.kind !== 'level').map((l) => l.kind + (l.note ? `:${l.note}` : '')), ['span', 'note:ok']);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    await vscode.commands.executeCommand('empathy.openRationaleInspector', [data.fsPath]);
    const again = await lookAt({ name: 'review-reopen', expectText: ['5 of 24 reviewed (ER)', 'sp001_rp001 · ER: level 1, 1 span(s) added, 0 marked wrong, notes: ok'], timeoutMs: 90_000 }, 120_000);
    assert.ok(again.ok, `missing ${again.missing.join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // `empathy review stats` reads the same file: five ER pairs reviewed, one note, agreement with gold.
    const stats = reviewStats(loadReviews([reviewFile.fsPath]).judgements, (await loadGoldIndex([data.fsPath])).gold);
    assert.equal(stats.ER?.reviewed, 5);
    assert.equal(stats.ER?.notes, 1);
    assert.equal(stats.ER?.agreement_gold, 3 / 5); // gold 2 0 0 1 2 against the keys' 1 2 0 1 2: sp003, sp004, sp005 agree
  });

  it('the walkthrough opens with the paper and dataset attribution', async () => {
    const id = `${extension().id}#students`;
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: id, step: `${id}#about` }, false);
    const answer = await lookAt({ name: 'walkthrough', expectText: ['Sharma', 'Copyright 2019-2020 University of Washington. Developed in the Behavioral Data Science Group.'], includeTop: true, timeoutMs: 30_000 });
    assert.ok(answer.ok, `missing ${answer.missing.join(', ')}`);
  });
});

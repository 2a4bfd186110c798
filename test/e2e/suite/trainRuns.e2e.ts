// Train Model… on three files (ER, IP, EX) in a real VS Code: one joint model, every cell succeeds, and the
// training is recorded as a run in the workspace's runs folder (empathy.runsFolder), not in the extension.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension, workspaceFile } from './workspace';
import { codeCells, outputText } from './notebookRun';

const sample = (name: string) => join(extension().extensionPath, 'dataset', 'samples', name);

interface RunJson { id: string; source: string; status: string; family: string; data: Array<{ path: string; sha256: string }>; config: { mechanisms?: string[] }; checkpointPath?: string; metrics: Record<string, number> }

function runsIn(dir: string): RunJson[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => existsSync(join(dir, n, 'run.json'))).map((n) => JSON.parse(readFileSync(join(dir, n, 'run.json'), 'utf8')) as RunJson);
}

describe('Train Model… with several files, recorded as runs', function () {
  this.timeout(300_000);

  // A bi-encoder size and the offline default (empathy.defaultPreset's default), which trains through trainRun.
  for (const [preset, family, overrides] of [['tiny', 'bi-encoder', { batch_size: 8 }], ['offline-default', 'ensemble', {}]] as const) it(`three files (ER, IP, EX) train one joint ${preset} model, recorded as a run in the workspace runs folder`, async () => {
    const runsDir = workspaceFile('runs').fsPath;
    const before = new Set(runsIn(runsDir).map((r) => r.id));
    const files = ['emotional-reactions-sample.csv', 'interpretations-sample.csv', 'explorations-sample.csv'].map(sample);
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument>('empathy.trainModel', { files, preset, epochs: 1, overrides });
    assert.ok(nb, 'the training notebook opened');
    const cells = codeCells(nb);
    for (const c of cells) assert.equal(c.executionSummary?.success, true, `cell ${c.index}: ${outputText(c)}`);
    assert.match(outputText(cells[0]), /\d+ train \/ \d+ dev \/ \d+ test pairs/);
    assert.match(outputText(cells[1]), /run \S+/);

    const fresh = runsIn(runsDir).filter((r) => !before.has(r.id));
    assert.equal(fresh.length, 1, `one new run in ${runsDir}: ${fresh.map((r) => r.id).join(', ')}`);
    const run = fresh[0];
    assert.equal(run.source, 'extension');
    assert.equal(run.status, 'finished');
    assert.equal(run.family, family);
    if (family === 'ensemble') assert.equal((run.config as { preset?: string }).preset, preset);
    assert.deepEqual(run.data.map((d) => d.path), files);
    assert.ok(run.data.every((d) => /^[0-9a-f]{64}$/.test(d.sha256)));
    assert.deepEqual(run.config.mechanisms, ['ER', 'IP', 'EX'], 'one joint model for the three mechanisms');
    assert.ok(run.checkpointPath && existsSync(run.checkpointPath) && run.checkpointPath.startsWith(runsDir), `the model is saved in the run folder: ${run.checkpointPath}`);
    for (const m of ['ER', 'IP', 'EX']) assert.ok(Object.keys(run.metrics).some((k) => k.includes(`.${m}.`)), `metrics for ${m}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

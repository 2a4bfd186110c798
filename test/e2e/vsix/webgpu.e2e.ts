// The packaged linux-x64 .vsix on the webgpu rung: with `empathy.backend` set to webgpu, the installed
// copy's kernel loads the Dawn binary shipped inside the package (linux-x64 only), names the
// adapter it got (Mesa's software one on a machine without a GPU, the GPU's through Vulkan on one), and a
// notebook training cell runs on it to the end.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MIME } from '../../../kernel/protocol/mime';
import { extension } from '../suite/workspace';
import { cellById, openWithKernel, outputMimes, outputText, runCells } from '../suite/notebookRun';

describe('the installed .vsix on webgpu', function () {
  this.timeout(300_000);
  const settings = () => vscode.workspace.getConfiguration('empathy');

  before(async () => {
    // A kernel reads the setting when it starts; this notebook's kernel starts after the update.
    await settings().update('backend', 'webgpu', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await settings().update('backend', undefined, vscode.ConfigurationTarget.Global);
  });

  it('ships Dawn for linux-x64 only', () => {
    // extension/bundle.mjs stages it beside the kernel process (out/kernel/process/node_modules/webgpu).
    const dist = join(extension().extensionPath, 'out', 'kernel', 'process', 'node_modules', 'webgpu', 'dist');
    assert.ok(existsSync(join(dist, 'linux-x64', 'dawn.node')), `dawn.node shipped under ${dist}`);
    for (const other of ['darwin-universal', 'win32-x64', 'linux-arm64']) assert.ok(!existsSync(join(dist, other)), `no ${other} binary in a linux-x64 package`);
  });

  it('runs a training cell on webgpu and names the adapter', async () => {
    const editor = await openWithKernel('fixtures/webgpu.empathy');
    const backendCell = cellById(editor.notebook, 'backend');
    const train = cellById(editor.notebook, 'train');
    await runCells(editor, [backendCell, train], 240_000);

    const chosen = outputText(backendCell);
    assert.equal(backendCell.executionSummary?.success, true, chosen);
    assert.match(chosen, /^backend webgpu chosen by env /m, 'the setting reached the kernel as EMPATHY_BACKEND');
    const adapter = JSON.parse(/^adapter (.*)$/m.exec(chosen)?.[1] ?? 'null') as { device?: string; dawnBackend?: string; description?: string } | null;
    assert.ok(adapter, `an adapter is named: ${chosen}`);
    assert.ok(adapter.dawnBackend && (adapter.device || adapter.description), `the adapter says what it is: ${JSON.stringify(adapter)}`);

    const trained = outputText(train);
    assert.equal(train.executionSummary?.success, true, trained);
    assert.match(trained, /trained 2 steps on webgpu: webgpu \(/, 'the run finished both steps and recorded webgpu');
    assert.ok(trained.includes(adapter.dawnBackend), `the run's backend names the same Dawn adapter (${adapter.dawnBackend})`);
    assert.ok(outputMimes(train).includes(MIME.lossCurve), 'the live loss curve was drawn');
  });
});

// The Dataset Explorer and Rationale Inspector checks, shared by the development-folder suite and the
// installed .vsix: each opens its webview panel on a shipped sample and asks Chromium for its content.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension } from './workspace';
import { lookAt } from './notebookRun';

/** A sample CSV shipped with the extension under test (dataset/samples). */
export const shippedSample = (name: string) => join(extension().extensionPath, 'dataset', 'samples', name);

export async function checkDatasetExplorer(screenshot: string): Promise<void> {
  await vscode.commands.executeCommand('empathy.openDatasetExplorer', [shippedSample('emotional-reactions-sample.csv')]);
  const answer = await lookAt({ name: screenshot, expectText: ['I failed my driving test'], timeoutMs: 90_000, axe: true }, 120_000);
  assert.ok(answer.ok, `missing ${answer.missing.join(', ')} in ${JSON.stringify(answer.frames)}`);
  assert.deepEqual(answer.axe, [], 'axe-core: no serious or critical violation in the Dataset Explorer');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

/** With a checkpoint the selected pair is scored and its salience drawn (not 'The host returned no salience'). */
export async function checkRationaleInspector(screenshot: string, checkpoint: string | undefined): Promise<void> {
  await vscode.commands.executeCommand('empathy.openRationaleInspector', [shippedSample('interpretations-sample.csv')], checkpoint);
  const expectText = ['Join a club or a sports league', ...(checkpoint ? ['scored in', 'hover a token to see its probability', 'shaded by salience'] : [])];
  const answer = await lookAt({ name: screenshot, expectText, timeoutMs: 90_000 }, 120_000);
  assert.ok(answer.ok, `missing ${answer.missing.join(', ')} in ${JSON.stringify(answer.frames)}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

/**
 * Opened with no model chosen, the Inspector scores the selected pair with the shipped offline-default model
 * from the extension's own folder (development folder or installed .vsix), says so, and draws the predicted
 * levels and rationale heatmaps.
 */
export async function checkRationaleInspectorShipped(screenshot: string): Promise<void> {
  const shipped = join(extension().extensionPath, 'dataset', 'models', 'offline-default.safetensors');
  assert.ok(existsSync(shipped), `the extension carries no shipped model at ${shipped}`);
  await vscode.commands.executeCommand('empathy.openRationaleInspector', [shippedSample('interpretations-sample.csv')]);
  const expectText = ['Join a club or a sports league', 'offline-default (shipped)', 'not a clinical or screening tool', 'scored in', 'pred: ', 'hover a token to see its probability'];
  const answer = await lookAt({ name: screenshot, expectText, timeoutMs: 90_000, axe: true }, 120_000);
  assert.ok(answer.ok, `missing ${answer.missing.join(', ')} in ${JSON.stringify(answer.frames)}`);
  assert.deepEqual(answer.axe, [], 'axe-core: no serious or critical violation in the Rationale Inspector');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

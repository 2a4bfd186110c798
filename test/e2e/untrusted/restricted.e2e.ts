// Restricted Mode: an Empathy notebook opens and its saved outputs render, but its cells do not run (the
// Restricted Mode view explains why with package.json's capabilities.untrustedWorkspaces description);
// the panels show their data read-only, start no kernel and run no workspace code.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { askBrowser } from '../suite/browserProtocol';
import { extension, workspaceFile } from '../suite/workspace';
import { CONTROLLER_ID, cellById } from '../suite/notebookRun';

const sample = (name: string) => join(extension().extensionPath, 'dataset', 'samples', name);

/** Processes started under this extension host (its descendants) that run the Empathy kernel. */
function kernelProcesses(): string[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* ended meanwhile */ }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out: string[] = [];
  for (const pid of parent.keys()) {
    if (!under(pid)) continue;
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { continue; }
    if (/kernel[\\/]process[\\/]main\.js/.test(cmd)) out.push(`${pid}: ${cmd}`);
  }
  return out;
}

/**
 * A workspace that tries to run code: native backend packages in its node_modules that write a marker
 * file when loaded (a kernel with the workspace on NODE_PATH would load the first), and a checkpoint the
 * Inspector would auto-load. Returns the marker's path.
 */
function plantWorkspaceCode(): string {
  const marker = workspaceFile('planted-module-ran.txt').fsPath;
  for (const pkg of ['tfjs-node-gpu', 'tfjs-node']) {
    const dir = workspaceFile(`node_modules/@tensorflow/${pkg}`).fsPath;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@tensorflow/${pkg}`, version: '4.22.0', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), `require('fs').appendFileSync(${JSON.stringify(marker)}, 'loaded ${pkg} in ' + process.pid + '\\n');\n`);
  }
  writeFileSync(workspaceFile('planted.pth').fsPath, 'not a checkpoint');
  return marker;
}

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

  it('both panels show their data read-only, say why, start no kernel and run no workspace code', async function () {
    this.timeout(300_000);
    const marker = plantWorkspaceCode();
    assert.deepEqual(kernelProcesses(), [], 'no kernel before the panels open');
    await vscode.commands.executeCommand('empathy.openDatasetExplorer', [sample('emotional-reactions-sample.csv')]);
    const explorer = await askBrowser({ name: 'untrusted-dataset-explorer', expectText: ['I failed my driving test', 'Restricted Mode: the data is shown read-only'], timeoutMs: 60_000 }, 120_000);
    assert.ok(explorer.ok, `Dataset Explorer: missing ${explorer.missing.join(', ')} in ${JSON.stringify(explorer.frames)}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('empathy.openRationaleInspector', [sample('interpretations-sample.csv')], workspaceFile('planted.pth').fsPath);
    // The first example is selected and scoring is requested at once: the answer says why there is none.
    const inspector = await askBrowser({ name: 'untrusted-rationale-inspector', expectText: ['Join a club or a sports league', 'no model loaded', 'Restricted Mode'], timeoutMs: 60_000 }, 120_000);
    assert.ok(inspector.ok, `Rationale Inspector: missing ${inspector.missing.join(', ')} in ${JSON.stringify(inspector.frames)}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // With no model chosen (trusted: the shipped offline-default model) nothing is loaded either.
    await vscode.commands.executeCommand('empathy.openRationaleInspector', [sample('interpretations-sample.csv')]);
    const shipped = await askBrowser({ name: 'untrusted-rationale-inspector-no-model', expectText: ['Join a club or a sports league', 'no model loaded', 'Restricted Mode'], timeoutMs: 60_000 }, 120_000);
    assert.ok(shipped.ok, `Rationale Inspector without a model: missing ${shipped.missing.join(', ')} in ${JSON.stringify(shipped.frames)}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.deepEqual(kernelProcesses(), [], 'no kernel process was started');
    assert.equal(existsSync(marker), false, `workspace code ran: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
  });
});

// The "Empathy TypeScript" NotebookController: runs cells in the notebook's kernel process, one at a time
// and in order, translating kernel events (kernel/protocol/kernel.ts) into cell outputs, execution order
// and timing; Interrupt stops the work, Restart gives a fresh process; preferred kernel for .empathy files.
import * as vscode from 'vscode';
import type { ExecutionEvent } from '../kernel/protocol/kernel';
import { NOTEBOOK_TYPE } from './serializer';
import { toVsOutput } from './outputs';
import { CellOutputWriter } from './cellOutputWriter';
import type { KernelManager, NotebookKernel } from './kernelManager';

export const CONTROLLER_ID = 'empathy-typescript';

export class EmpathyController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('empathy');
  /** Per notebook: the tail of its execution queue (cells run strictly one after another). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly kernels: KernelManager) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Empathy TypeScript');
    this.controller.supportedLanguages = ['typescript'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TypeScript cells with the Empathy Workbench engine';
    this.controller.detail = 'Runs in its own Node process; display.* shows loss curves, confusion matrices, rationale heatmaps.';
    this.controller.executeHandler = (cells, notebook) => this.enqueue(notebook, cells);
    this.controller.interruptHandler = async (notebook) => { await this.kernels.get(notebook)?.interrupt(); };
    // Preferred kernel for every .empathy notebook, open now or later.
    const prefer = (nb: vscode.NotebookDocument) => {
      if (nb.notebookType === NOTEBOOK_TYPE) this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(prefer);
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(prefer),
      vscode.workspace.onDidCloseNotebookDocument((nb) => { this.queues.delete(nb.uri.toString()); void this.kernels.shutdown(nb); }),
      this.controller,
      this.diagnostics,
    );
  }

  /** Appends cells to the notebook's queue; resolves when these cells have finished. */
  private enqueue(notebook: vscode.NotebookDocument, cells: vscode.NotebookCell[]): Promise<void> {
    const key = notebook.uri.toString();
    // Each cell gets its execution at once, so VS Code shows them as pending in order.
    const executions: vscode.NotebookCellExecution[] = [];
    for (const c of cells) {
      try { executions.push(this.controller.createNotebookCellExecution(c)); } catch { /* already queued or running */ }
    }
    const tail = (this.queues.get(key) ?? Promise.resolve()).then(() => this.runAll(notebook, executions));
    const settled = tail.catch(() => undefined);
    this.queues.set(key, settled);
    return settled;
  }

  private async runAll(notebook: vscode.NotebookDocument, executions: vscode.NotebookCellExecution[]): Promise<void> {
    let stop = false;
    for (const ex of executions) {
      if (stop || ex.token.isCancellationRequested) { cancelPending(ex); continue; }
      const ok = await this.runCell(notebook, ex);
      // Like Jupyter's Run All: a failing or interrupted cell stops the cells queued after it.
      if (!ok) stop = true;
    }
  }

  /** Runs one cell to its single `done`; returns whether it succeeded. Never throws. */
  private async runCell(notebook: vscode.NotebookDocument, ex: vscode.NotebookCellExecution): Promise<boolean> {
    ex.start(Date.now());
    await ex.clearOutput();
    this.diagnostics.delete(ex.cell.document.uri);
    if (!vscode.workspace.isTrusted) return failBeforeRunning(ex, untrustedOutput());
    let kernel: NotebookKernel;
    try {
      kernel = await this.kernels.ensure(notebook);
    } catch (e) {
      return failBeforeRunning(ex, toVsOutput({ kind: 'error', name: 'KernelStartError', message: String((e as Error)?.message ?? e), stack: '' }));
    }
    return this.runInKernel(kernel, ex);
  }

  /** Runs the started cell in `kernel`, its events shown as they come; the execution ends exactly once. */
  private async runInKernel(kernel: NotebookKernel, ex: vscode.NotebookCellExecution): Promise<boolean> {
    const cell = ex.cell;
    const cancel = ex.token.onCancellationRequested(() => { void kernel.interrupt(); });
    const outputs = new CellOutputWriter(ex);
    let ended = false;
    const end = (ok: boolean | undefined) => {
      if (ended) return; // an execution ends exactly once
      ended = true;
      ex.end(ok, Date.now());
    };
    try {
      const cellId = cellIdOf(cell);
      const run = kernel.execute(cellId, cell.document.getText());
      for await (const e of run as AsyncIterable<ExecutionEvent>) {
        if (e.type === 'started') ex.executionOrder = e.executionCount;
        else if (e.type === 'diagnostics') this.diagnostics.set(cell.document.uri, e.diagnostics.map(toVsDiagnostic));
        else if (e.type === 'done') {
          if (e.executionCount !== null) ex.executionOrder = e.executionCount;
          end(e.status === 'ok');
          return e.status === 'ok';
        } else await outputs.write(e);
      }
      // The stream closed without a `done` (the kernel process died mid-cell): say so, end once.
      await ex.appendOutput(toVsOutput({ kind: 'error', name: 'KernelDied', message: 'The kernel stopped before this cell finished.', stack: '' }));
      end(false);
      return false;
    } catch (e) {
      await ex.appendOutput(toVsOutput({ kind: 'error', name: 'KernelError', message: String((e as Error)?.message ?? e), stack: (e as Error)?.stack ?? '' })).then(undefined, () => undefined);
      end(false);
      return false;
    } finally {
      cancel.dispose();
      end(false);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The cell's stable id (kept in its metadata by the serializer), else its position. */
export function cellIdOf(cell: vscode.NotebookCell): string {
  const id = (cell.metadata as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id ? id : `cell${cell.index + 1}`;
}

function cancelPending(ex: vscode.NotebookCellExecution): void {
  ex.start(Date.now());
  ex.end(undefined, Date.now());
}

/** A cell that cannot run (Restricted Mode, no kernel): its one output, then it ends failed. */
async function failBeforeRunning(ex: vscode.NotebookCellExecution, output: vscode.NotebookCellOutput): Promise<false> {
  await ex.appendOutput(output);
  ex.end(false, Date.now());
  return false;
}

function untrustedOutput(): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(
    'This workspace is in Restricted Mode, so Empathy cells do not run: running a cell executes its code on ' +
    'your machine. Saved outputs still render. Trust the workspace (Manage Workspace Trust) to run cells.\n')]);
}

function toVsDiagnostic(d: import('../kernel/protocol/kernel').CellDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.line - 1, d.column - 1, d.endLine - 1, d.endColumn - 1);
  const sev = d.severity === 'error' ? vscode.DiagnosticSeverity.Error
    : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diag = new vscode.Diagnostic(range, d.message, sev);
  diag.source = d.source === 'typescript' ? 'ts' : 'empathy';
  if (d.code) diag.code = d.code;
  return diag;
}

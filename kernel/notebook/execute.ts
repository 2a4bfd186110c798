// Headless notebook execution (as nbconvert --execute / papermill): every TypeScript code cell in
// order through a KernelClient, outputs collected into the notebook (display updates replace their
// output in place), stopping at the first failing cell unless errors are allowed.
import type { KernelClient } from '../process/client';
import type { CellDiagnostic, DoneEvent, ExecutionEvent } from '../protocol/kernel';
import type { CellOutput, Notebook, NotebookCell } from '../protocol/notebook';

export interface ExecuteNotebookOptions {
  /** Per-cell time limit in ms (the cell is interrupted; a stuck kernel is restarted). Default none. */
  cellTimeoutMs?: number;
  /** Keep going after a failing cell (default false: stop at the first). */
  allowErrors?: boolean;
  /** Stop a cell that has type errors before it runs (default false: reported, not blocking). */
  blockOnTypeErrors?: boolean;
  /** Type-check cells (default true). */
  typecheck?: boolean;
  /** Called as each cell starts / ends, and with its type diagnostics. */
  onCellStart?: (index: number, cell: NotebookCell) => void;
  onCellDone?: (index: number, cell: NotebookCell, done: DoneEvent) => void;
  onDiagnostics?: (index: number, cell: NotebookCell, diagnostics: CellDiagnostic[]) => void;
  /** Every execution event (e.g. to echo streams live). */
  onEvent?: (index: number, e: ExecutionEvent) => void;
}

export interface ExecuteNotebookResult {
  notebook: Notebook;
  status: 'ok' | 'error';
  /** Index of the first failing cell (error, interrupt or timeout). */
  failedCell?: number;
  /** Code cells run. */
  executed: number;
}

/** Stable ids for cells that have none (they name cells in stacks: `cell-<id>.ts`). */
export function ensureCellIds(nb: Notebook): Notebook {
  const used = new Set(nb.cells.map((c) => c.id).filter((x): x is string => !!x));
  let n = 0;
  return {
    ...nb,
    cells: nb.cells.map((c) => {
      if (c.id) return c;
      let id: string;
      do id = `c${++n}`; while (used.has(id));
      used.add(id);
      return { ...c, id };
    }),
  };
}

export async function executeNotebook(input: Notebook, client: KernelClient, opts: ExecuteNotebookOptions = {}): Promise<ExecuteNotebookResult> {
  const nb = ensureCellIds(input);
  const cells = nb.cells.map((c) => ({ ...c, outputs: [...c.outputs] }));
  /** Where each display id lives, so updates (also from later cells) replace it. */
  const displays = new Map<string, { cell: NotebookCell; index: number }>();
  let failedCell: number | undefined;
  let executed = 0;

  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.kind !== 'code' || cell.language !== 'typescript') continue;
    if (failedCell !== undefined && !opts.allowErrors) break;
    cell.outputs = [];
    cell.execution = null;
    opts.onCellStart?.(i, cell);
    const startedAt = new Date().toISOString();
    const ex = client.execute(cell.id!, cell.source, {
      typecheck: opts.typecheck ?? true,
      blockOnTypeErrors: opts.blockOnTypeErrors ?? false,
      ...(opts.cellTimeoutMs ? { timeoutMs: opts.cellTimeoutMs } : {}),
    });
    // A kernel stuck in a synchronous loop cannot honour its own timeout: interrupt from outside.
    const guard = opts.cellTimeoutMs ? setTimeout(() => void client.interrupt(), opts.cellTimeoutMs + 1500) : undefined;
    const push = (o: CellOutput) => {
      const last = cell.outputs[cell.outputs.length - 1];
      if (o.kind === 'stream' && last?.kind === 'stream' && last.name === o.name) {
        cell.outputs[cell.outputs.length - 1] = { ...last, text: last.text + o.text };
      } else cell.outputs.push(o);
    };
    let done: DoneEvent | undefined;
    try {
      for await (const e of ex) {
        opts.onEvent?.(i, e);
        switch (e.type) {
          case 'stream': push({ kind: 'stream', name: e.name, text: e.text }); break;
          case 'diagnostics': if (e.diagnostics.length > 0) opts.onDiagnostics?.(i, cell, e.diagnostics); break;
          case 'display': {
            const at = e.displayId ? displays.get(e.displayId) : undefined;
            if (e.update && at) {
              at.cell.outputs[at.index] = { kind: 'display', displayId: e.displayId, bundle: e.bundle };
            } else if (!e.update || !at) {
              push({ kind: 'display', ...(e.displayId ? { displayId: e.displayId } : {}), bundle: e.bundle });
              if (e.displayId) displays.set(e.displayId, { cell, index: cell.outputs.length - 1 });
            }
            break;
          }
          case 'result': push({ kind: 'result', bundle: e.bundle }); break;
          case 'error': push({ kind: 'error', name: e.name, message: e.message, stack: e.stack, ...(e.line !== undefined ? { line: e.line, column: e.column } : {}) }); break;
          case 'done': done = e; break;
          default: break;
        }
      }
    } finally {
      if (guard) clearTimeout(guard);
    }
    executed++;
    done ??= await ex.done;
    cell.execution = { count: done.executionCount, status: done.status, durationMs: Math.round(done.durationMs), startedAt };
    opts.onCellDone?.(i, cell, done);
    if (done.status !== 'ok' && failedCell === undefined) failedCell = i;
  }
  return { notebook: { ...nb, cells }, status: failedCell === undefined ? 'ok' : 'error', ...(failedCell !== undefined ? { failedCell } : {}), executed };
}

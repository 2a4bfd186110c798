// Headless notebook execution (as nbconvert --execute / papermill): every TypeScript code cell in
// order through a KernelClient, outputs collected into the notebook (display updates replace their
// output in place), stopping at the first failing cell unless errors are allowed. Headless runs are
// bounded: a per-cell time limit and a per-cell output cap by default (see defaultHeadlessLimits).
import type { KernelClient } from '../process/client';
import type { CellDiagnostic, DoneEvent, ExecutionEvent } from '../protocol/kernel';
import type { CellOutput, Notebook, NotebookCell } from './format/notebook';
import { CellOutputLimit, DEFAULT_MAX_OUTPUT_BYTES } from './outputLimit';

/** What bounds a headless run unless the caller says otherwise (`empathy run --timeout`, `--max-output-kb`). */
export const defaultHeadlessLimits = {
  /** Per-cell time limit: 30 min, long enough for a tutorial-sized training, short enough that a
   *  runaway cell (`while (true) {}`) does not hang CI for ever. 0: no limit. */
  cellTimeoutMs: 30 * 60_000,
  /** Per-cell cap on stored stream text (1 MiB), then a visible truncation marker. 0: no cap. */
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
};

export interface ExecuteNotebookOptions {
  /** Per-cell time limit in ms (the cell is interrupted; a stuck kernel is restarted). Default
   *  defaultHeadlessLimits.cellTimeoutMs; 0: none. */
  cellTimeoutMs?: number;
  /** Per-cell cap on stored output in bytes (default defaultHeadlessLimits.maxOutputBytes; 0: none). */
  maxOutputBytes?: number;
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
  const timeoutMs = opts.cellTimeoutMs ?? defaultHeadlessLimits.cellTimeoutMs;
  const maxOutputBytes = opts.maxOutputBytes ?? defaultHeadlessLimits.maxOutputBytes;

  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.kind !== 'code' || cell.language !== 'typescript') continue;
    // Every cell this run did not reach loses the outputs of an earlier run: nothing stale is shown as ok.
    cell.outputs = [];
    cell.execution = null;
    if (failedCell !== undefined && !opts.allowErrors) continue;
    opts.onCellStart?.(i, cell);
    const startedAt = new Date().toISOString();
    const ex = client.execute(cell.id!, cell.source, {
      typecheck: opts.typecheck ?? true,
      blockOnTypeErrors: opts.blockOnTypeErrors ?? false,
      ...(timeoutMs > 0 ? { timeoutMs } : {}),
    });
    // A kernel stuck in a synchronous loop cannot honour its own timeout: interrupt from outside
    // (SIGINT, then kill and restart after the client's grace period).
    let timedOut = false;
    const guard = timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      client.interrupt().catch(() => undefined);
    }, timeoutMs + 1500) : undefined;
    const limit = new CellOutputLimit(maxOutputBytes);
    /** Store an output within the cell's cap; false when it was held back (counted by the marker). */
    const push = (o: CellOutput): boolean => {
      if (o.kind === 'stream') {
        const text = limit.stream(o.name, o.text);
        if (text === '') return false;
        o = { ...o, text };
      } else if ((o.kind === 'display' || o.kind === 'result') && !limit.bundle(o.bundle)) return false;
      append(o);
      return true;
    };
    const append = (o: CellOutput) => {
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
              if (limit.bundle(e.bundle)) at.cell.outputs[at.index] = { kind: 'display', displayId: e.displayId, bundle: e.bundle };
            } else if (!e.update || !at) {
              const stored = push({ kind: 'display', ...(e.displayId ? { displayId: e.displayId } : {}), bundle: e.bundle });
              if (e.displayId && stored) displays.set(e.displayId, { cell, index: cell.outputs.length - 1 });
            }
            break;
          }
          case 'result': push({ kind: 'result', bundle: e.bundle }); break;
          case 'error': append({ kind: 'error', name: e.name, message: e.message, stack: e.stack, ...(e.line !== undefined ? { line: e.line, column: e.column } : {}) }); break;
          case 'done': done = e; break;
          default: break;
        }
      }
    } finally {
      if (guard) clearTimeout(guard);
    }
    executed++;
    done ??= await ex.done;
    // Killed from outside (a synchronous loop): the kernel could not say why, so say it here.
    const said = cell.outputs.some((o) => o.kind === 'stream' && /timed out/.test(o.text));
    if (timedOut && done.status !== 'ok' && !said) {
      const note: ExecutionEvent = { type: 'stream', v: 1, id: ex.id, cellId: cell.id!, name: 'stderr', text: `Cell timed out after ${(timeoutMs / 1000).toFixed(1)} s (empathy run --timeout S to change, 0 for none).\n` };
      opts.onEvent?.(i, note);
      push({ kind: 'stream', name: 'stderr', text: note.text });
    }
    for (const o of limit.finish()) append(o);
    cell.execution = { count: done.executionCount, status: done.status, durationMs: Math.round(done.durationMs), startedAt };
    opts.onCellDone?.(i, cell, done);
    if (done.status !== 'ok' && failedCell === undefined) failedCell = i;
  }
  return { notebook: { ...nb, cells }, status: failedCell === undefined ? 'ok' : 'error', ...(failedCell !== undefined ? { failedCell } : {}), executed };
}

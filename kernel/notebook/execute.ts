// Headless notebook execution (as nbconvert --execute / papermill): every TypeScript code cell in
// order through a KernelClient, outputs collected into the notebook (display updates replace their
// output in place), stopping at the first failing cell unless errors are allowed. Headless runs are
// bounded: a per-cell time limit and a per-cell output cap by default (see defaultHeadlessLimits).
import type { KernelClient } from '../process/client';
import type { CellDiagnostic, DoneEvent, ExecutionEvent } from '../protocol/kernel';
import type { Notebook, NotebookCell } from './format/notebook';
import { CellOutputRecorder, type DisplayLocations } from './cellOutputRecorder';
import { DEFAULT_MAX_OUTPUT_BYTES } from './outputLimit';

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
  const displays: DisplayLocations = new Map();
  let failedCell: number | undefined;
  let executed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.kind !== 'code' || cell.language !== 'typescript') continue;
    // Every cell this run did not reach loses the outputs of an earlier run: nothing stale is shown as ok.
    cell.outputs = [];
    cell.execution = null;
    if (failedCell !== undefined && !opts.allowErrors) continue;
    const done = await executeCell(i, cell, client, opts, displays);
    executed++;
    if (done.status !== 'ok' && failedCell === undefined) failedCell = i;
  }
  return { notebook: { ...nb, cells }, status: failedCell === undefined ? 'ok' : 'error', ...(failedCell !== undefined ? { failedCell } : {}), executed };
}

/** Runs code cell `i` to its `done`: its outputs and execution are stored on `cell`, the callbacks told. */
async function executeCell(i: number, cell: NotebookCell, client: KernelClient, opts: ExecuteNotebookOptions, displays: DisplayLocations): Promise<DoneEvent> {
  const timeoutMs = opts.cellTimeoutMs ?? defaultHeadlessLimits.cellTimeoutMs;
  opts.onCellStart?.(i, cell);
  const startedAt = new Date().toISOString();
  const ex = client.execute(cell.id!, cell.source, {
    typecheck: opts.typecheck ?? true,
    blockOnTypeErrors: opts.blockOnTypeErrors ?? false,
    ...(timeoutMs > 0 ? { timeoutMs } : {}),
  });
  const watchdog = interruptAfter(client, timeoutMs);
  const outputs = new CellOutputRecorder(cell, opts.maxOutputBytes ?? defaultHeadlessLimits.maxOutputBytes, displays);
  let done: DoneEvent | undefined;
  try {
    for await (const e of ex) {
      opts.onEvent?.(i, e);
      if (e.type === 'diagnostics') {
        if (e.diagnostics.length > 0) opts.onDiagnostics?.(i, cell, e.diagnostics);
      } else if (e.type === 'done') done = e;
      else outputs.record(e);
    }
  } finally {
    watchdog.stop();
  }
  done ??= await ex.done;
  // Killed from outside (a synchronous loop): the kernel could not say why, so say it here.
  const said = cell.outputs.some((o) => o.kind === 'stream' && /timed out/.test(o.text));
  if (watchdog.fired && done.status !== 'ok' && !said) {
    const note: ExecutionEvent = { type: 'stream', v: 1, id: ex.id, cellId: cell.id!, name: 'stderr', text: `Cell timed out after ${(timeoutMs / 1000).toFixed(1)} s (empathy run --timeout S to change, 0 for none).\n` };
    opts.onEvent?.(i, note);
    outputs.record(note);
  }
  outputs.finish();
  cell.execution = { count: done.executionCount, status: done.status, durationMs: Math.round(done.durationMs), startedAt };
  opts.onCellDone?.(i, cell, done);
  return done;
}

/**
 * A kernel stuck in a synchronous loop cannot honour its own timeout: interrupt it from outside (SIGINT,
 * then kill and restart after the client's grace period) 1.5 s after the cell's limit. 0: no watchdog.
 */
function interruptAfter(client: KernelClient, timeoutMs: number): { readonly fired: boolean; stop(): void } {
  const watchdog = { fired: false, stop: () => undefined as void };
  if (timeoutMs <= 0) return watchdog;
  const timer = setTimeout(() => {
    watchdog.fired = true;
    client.interrupt().catch(() => undefined);
  }, timeoutMs + 1500);
  watchdog.stop = () => clearTimeout(timer);
  return watchdog;
}

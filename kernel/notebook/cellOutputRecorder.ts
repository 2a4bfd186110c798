// How one cell's execution events become its stored outputs in a headless run: consecutive chunks of a
// stream merge, a display update replaces its output in place (also one an earlier cell showed), and
// everything stays within the cell's output cap (outputLimit.ts), whose truncation markers come last.
import type { DisplayEvent, ExecutionEvent } from '../protocol/kernel';
import type { CellOutput, NotebookCell } from './format/notebook';
import { CellOutputLimit } from './outputLimit';

/** Where each display id's output lives, so updates (also from later cells) replace it. One per run. */
export type DisplayLocations = Map<string, { cell: NotebookCell; index: number }>;

export class CellOutputRecorder {
  private readonly limit: CellOutputLimit;

  constructor(private readonly cell: NotebookCell, maxOutputBytes: number, private readonly displays: DisplayLocations) {
    this.limit = new CellOutputLimit(maxOutputBytes);
  }

  /** Stores what an output event (stream, display, result, error) shows; other events store nothing. */
  record(e: ExecutionEvent): void {
    switch (e.type) {
      case 'stream': this.push({ kind: 'stream', name: e.name, text: e.text }); break;
      case 'display': this.display(e); break;
      case 'result': this.push({ kind: 'result', bundle: e.bundle }); break;
      case 'error': this.append({ kind: 'error', name: e.name, message: e.message, stack: e.stack, ...(e.line !== undefined ? { line: e.line, column: e.column } : {}) }); break;
      default: break;
    }
  }

  /** Appends the cap's truncation markers, once the cell is done. */
  finish(): void {
    for (const o of this.limit.finish()) this.append(o);
  }

  private display(e: DisplayEvent): void {
    const at = e.displayId ? this.displays.get(e.displayId) : undefined;
    if (e.update && at) {
      if (this.limit.bundle(e.bundle)) at.cell.outputs[at.index] = { kind: 'display', displayId: e.displayId, bundle: e.bundle };
    } else if (!e.update || !at) {
      const stored = this.push({ kind: 'display', ...(e.displayId ? { displayId: e.displayId } : {}), bundle: e.bundle });
      if (e.displayId && stored) this.displays.set(e.displayId, { cell: this.cell, index: this.cell.outputs.length - 1 });
    }
  }

  /** Stores an output within the cell's cap; false when it was held back (counted by the marker). */
  private push(o: CellOutput): boolean {
    if (o.kind === 'stream') {
      const text = this.limit.stream(o.name, o.text);
      if (text === '') return false;
      o = { ...o, text };
    } else if ((o.kind === 'display' || o.kind === 'result') && !this.limit.bundle(o.bundle)) return false;
    this.append(o);
    return true;
  }

  private append(o: CellOutput): void {
    const { outputs } = this.cell;
    const last = outputs[outputs.length - 1];
    if (o.kind === 'stream' && last?.kind === 'stream' && last.name === o.name) {
      outputs[outputs.length - 1] = { ...last, text: last.text + o.text };
    } else outputs.push(o);
  }
}

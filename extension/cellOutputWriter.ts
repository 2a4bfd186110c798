// How one running cell's kernel events (stream, display, result, error) become the outputs of its
// NotebookCellExecution: consecutive chunks of one stream grow a single output, a display update
// replaces the output it names. The output items themselves come from outputs.ts.
import * as vscode from 'vscode';
import type { DisplayEvent, ExecutionEvent, StreamEvent } from '../kernel/protocol/kernel';
import { bundleItems, toVsOutput } from './outputs';

export class CellOutputWriter {
  /** This cell's outputs by display id, so updates replace them. */
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();
  /** The stream output the next chunk of the same stream extends (any other output ends it). */
  private lastStream: { name: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput; text: string } | undefined;

  constructor(private readonly ex: vscode.NotebookCellExecution) {}

  /** Shows what an output event carries; other events show nothing. */
  async write(e: ExecutionEvent): Promise<void> {
    switch (e.type) {
      case 'stream':
        await this.stream(e);
        break;
      case 'display':
        this.lastStream = undefined;
        await this.display(e);
        break;
      case 'result':
        this.lastStream = undefined;
        await this.ex.appendOutput(toVsOutput({ kind: 'result', bundle: e.bundle }));
        break;
      case 'error':
        this.lastStream = undefined;
        await this.ex.appendOutput(toVsOutput({ kind: 'error', name: e.name, message: e.message, stack: e.stack, line: e.line, column: e.column }));
        break;
      default:
        break;
    }
  }

  /** Consecutive chunks of one stream grow a single output instead of one output per line. */
  private async stream(e: StreamEvent): Promise<void> {
    const last = this.lastStream;
    if (last && last.name === e.name) {
      last.text += e.text;
      const item = e.name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(last.text) : vscode.NotebookCellOutputItem.stdout(last.text);
      await this.ex.replaceOutputItems(item, last.output);
    } else {
      const output = toVsOutput({ kind: 'stream', name: e.name, text: e.text });
      this.lastStream = { name: e.name, output, text: e.text };
      await this.ex.appendOutput(output);
    }
  }

  private async display(e: DisplayEvent): Promise<void> {
    const existing = e.displayId ? this.displays.get(e.displayId) : undefined;
    if (e.update && existing) {
      await this.ex.replaceOutputItems(bundleItems(e.bundle), existing);
    } else {
      const output = toVsOutput({ kind: 'display', bundle: e.bundle, displayId: e.displayId });
      if (e.displayId) this.displays.set(e.displayId, output);
      await this.ex.appendOutput(output);
    }
  }
}

// The `.empathy` NotebookSerializer: reads and writes notebooks through the kernel's format module
// (kernel/notebook/format/notebook.ts). A corrupt file throws (VS Code shows the error and leaves the file as it
// is); it never becomes an empty notebook that a save would write over the user's data.
import * as vscode from 'vscode';
import {
  parseNotebook, serializeNotebook, NOTEBOOK_FORMAT, NOTEBOOK_VERSION,
  type CellExecution, type Notebook, type NotebookCell, type CellOutput,
} from '../kernel/notebook/format/notebook';
import { fromVsOutput, toVsOutput } from './outputs';

export const NOTEBOOK_TYPE = 'empathy-notebook';

/** Cell metadata keys this serializer owns (everything else round-trips untouched). */
interface CellMeta { id?: string; status?: CellExecution['status']; startedAt?: string; [k: string]: unknown }

export class EmpathySerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const text = new TextDecoder().decode(content);
    // A brand-new, zero-byte file (created from the explorer) holds nothing that could be lost: open it
    // empty. Anything else goes through the strict parser and throws when it is not a valid notebook.
    const nb: Notebook = text.trim() === ''
      ? { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, metadata: {}, cells: [] }
      : parseNotebook(text);
    const data = new vscode.NotebookData(nb.cells.map(toCellData));
    data.metadata = { ...nb.metadata };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const nb: Notebook = {
      format: NOTEBOOK_FORMAT,
      version: NOTEBOOK_VERSION,
      metadata: { ...(data.metadata ?? {}) },
      cells: data.cells.map(fromCellData),
    };
    return new TextEncoder().encode(serializeNotebook(nb));
  }
}

function toCellData(c: NotebookCell): vscode.NotebookCellData {
  const kind = c.kind === 'code' ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup;
  // Markdown cells always carry the 'markdown' language: VS Code's outline lists their headings.
  const cell = new vscode.NotebookCellData(kind, c.source, c.kind === 'code' ? c.language : 'markdown');
  cell.metadata = { ...(c.metadata ?? {}), ...(c.id ? { id: c.id } : {}) };
  if (c.kind === 'code') {
    cell.outputs = c.outputs.map(toVsOutput);
    if (c.execution) {
      cell.metadata.status = c.execution.status;
      if (c.execution.startedAt) cell.metadata.startedAt = c.execution.startedAt;
      const start = c.execution.startedAt ? Date.parse(c.execution.startedAt) : NaN;
      cell.executionSummary = {
        executionOrder: c.execution.count ?? undefined,
        success: c.execution.status === 'ok',
        ...(Number.isFinite(start) ? { timing: { startTime: start, endTime: start + c.execution.durationMs } } : {}),
      };
    }
  }
  return cell;
}

function fromCellData(c: vscode.NotebookCellData): NotebookCell {
  const { id, status, startedAt, ...rest } = (c.metadata ?? {}) as CellMeta;
  const code = c.kind === vscode.NotebookCellKind.Code;
  const outputs: CellOutput[] = code ? (c.outputs ?? []).flatMap(fromVsOutput) : [];
  const s = c.executionSummary;
  let execution: CellExecution | null = null;
  if (code && s && (s.executionOrder !== undefined || s.timing)) {
    const started = s.timing ? new Date(s.timing.startTime).toISOString() : startedAt;
    execution = {
      count: s.executionOrder ?? null,
      // success is what VS Code tracks; the stored status only refines a failure (error vs interrupted).
      status: s.success === false ? (status === 'interrupted' ? 'interrupted' : 'error') : 'ok',
      durationMs: s.timing ? Math.max(0, s.timing.endTime - s.timing.startTime) : 0,
      ...(started ? { startedAt: started } : {}),
    };
  }
  return {
    ...(typeof id === 'string' ? { id } : {}),
    kind: code ? 'code' : 'markdown',
    language: code ? c.languageId || 'typescript' : 'markdown',
    source: c.value,
    ...(Object.keys(rest).length > 0 ? { metadata: rest } : {}),
    outputs,
    execution,
  };
}

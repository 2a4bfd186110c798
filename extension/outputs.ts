// Translation between the kernel's outputs (MIME bundles, streams, errors; kernel/notebook/format/notebook.ts)
// and VS Code notebook output items, in both directions (execution and save/load).
import * as vscode from 'vscode';
import type { CellOutput } from '../kernel/notebook/format/notebook';
import type { MimeBundle } from '../kernel/protocol/mime';

const STDOUT = 'application/vnd.code.notebook.stdout';
const STDERR = 'application/vnd.code.notebook.stderr';
const ERROR = 'application/vnd.code.notebook.error';

/** What kind of kernel output a VS Code output came from (kept in its metadata for saving). */
export interface OutputMeta {
  kind: CellOutput['kind'];
  displayId?: string;
  line?: number;
  column?: number;
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** One VS Code output per kernel output; rich MIME types first so the renderer wins over text/plain. */
export function toVsOutput(o: CellOutput): vscode.NotebookCellOutput {
  switch (o.kind) {
    case 'stream':
      return new vscode.NotebookCellOutput(
        [o.name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(o.text) : vscode.NotebookCellOutputItem.stdout(o.text)],
        { kind: 'stream' } satisfies OutputMeta);
    case 'error': {
      const err = new Error(o.message);
      err.name = o.name;
      err.stack = o.stack;
      return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(err)],
        { kind: 'error', line: o.line, column: o.column } satisfies OutputMeta);
    }
    case 'display':
    case 'result':
      return new vscode.NotebookCellOutput(bundleItems(o.bundle),
        { kind: o.kind, ...(o.kind === 'display' && o.displayId ? { displayId: o.displayId } : {}) } satisfies OutputMeta);
  }
}

export function bundleItems(bundle: MimeBundle): vscode.NotebookCellOutputItem[] {
  const rich: vscode.NotebookCellOutputItem[] = [];
  let plain: vscode.NotebookCellOutputItem | undefined;
  for (const [mime, value] of Object.entries(bundle)) {
    if (value === undefined) continue;
    if (mime === 'text/plain') { plain = vscode.NotebookCellOutputItem.text(String(value), mime); continue; }
    rich.push(typeof value === 'string' && !isJsonMime(mime)
      ? vscode.NotebookCellOutputItem.text(value, mime)
      : vscode.NotebookCellOutputItem.json(value, mime));
  }
  return plain ? [...rich, plain] : rich;
}

const decoder = new TextDecoder();

/** Back from VS Code to the file format (used when saving). Unknown outputs become display bundles. */
export function fromVsOutput(out: vscode.NotebookCellOutput): CellOutput[] {
  const meta = (out.metadata ?? {}) as Partial<OutputMeta>;
  const streams: CellOutput[] = [];
  const bundle: Record<string, unknown> = {};
  for (const item of out.items) {
    const text = decoder.decode(item.data);
    if (item.mime === STDOUT || item.mime === STDERR) {
      streams.push({ kind: 'stream', name: item.mime === STDERR ? 'stderr' : 'stdout', text });
    } else if (item.mime === ERROR) {
      let e: { name?: string; message?: string; stack?: string } = {};
      try { e = JSON.parse(text); } catch { e = { message: text }; }
      streams.push({
        kind: 'error', name: e.name ?? 'Error', message: e.message ?? '', stack: e.stack ?? '',
        ...(meta.line !== undefined ? { line: meta.line } : {}), ...(meta.column !== undefined ? { column: meta.column } : {}),
      });
    } else if (isJsonMime(item.mime)) {
      try { bundle[item.mime] = JSON.parse(text); } catch { bundle[item.mime] = text; }
    } else {
      bundle[item.mime] = text;
    }
  }
  if (Object.keys(bundle).length === 0) return streams;
  if (typeof bundle['text/plain'] !== 'string') bundle['text/plain'] = `[${Object.keys(bundle).join(', ')}]`;
  const b = bundle as MimeBundle;
  const rich: CellOutput = meta.kind === 'result'
    ? { kind: 'result', bundle: b }
    : { kind: 'display', bundle: b, ...(meta.displayId ? { displayId: meta.displayId } : {}) };
  return [...streams, rich];
}

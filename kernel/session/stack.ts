// Runtime error stacks mapped back to cells: frames in generated cell code (`empathy-cell-N.js`)
// are translated through that execution's source map to `cell-<cellId>.ts:LINE:COL` (1-based).
import { SourceMap } from 'node:module';
import type { ErrorEvent, StackFrame } from '../protocol/kernel';

interface CellSource {
  cellId: string;
  map: SourceMap | undefined;
  /** Lines of wrapper code before the cell's first generated line. */
  lineOffset: number;
  /** Generated lines of the cell itself (frames outside them are the wrapper's). */
  lineCount: number;
}

/** The error fields of the protocol's ErrorEvent, as this module fills them. */
export type MappedError = Pick<ErrorEvent, 'name' | 'message' | 'stack' | 'frames' | 'line' | 'column'>;

export class CellSourceMaps {
  private readonly byFile = new Map<string, CellSource>();

  register(file: string, cellId: string, sourceMapJson: string, lineOffset: number, lineCount: number): void {
    let map: SourceMap | undefined;
    try {
      map = sourceMapJson ? new SourceMap(JSON.parse(sourceMapJson)) : undefined;
    } catch {
      map = undefined;
    }
    this.byFile.set(file, { cellId, map, lineOffset, lineCount });
  }

  /** Map a generated position (1-based line/column) to the cell, when `file` is cell code. */
  map(file: string, line: number, column: number): { cellId: string; line: number; column: number } | 'wrapper' | undefined {
    const src = this.byFile.get(file);
    if (!src) return undefined;
    const genLine = line - 1 - src.lineOffset; // 0-based line within the transpiled cell
    if (genLine < 0 || genLine >= src.lineCount) return 'wrapper';
    if (!src.map || genLine < 0) return { cellId: src.cellId, line: Math.max(1, genLine + 1), column };
    const entry = src.map.findEntry(genLine, column - 1) as { originalLine?: number; originalColumn?: number };
    if (entry.originalLine === undefined) return { cellId: src.cellId, line: genLine + 1, column };
    return { cellId: src.cellId, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }

  /** Describe a thrown value with its stack mapped to cell lines; kernel-internal frames are dropped. */
  /** `cellId`: the executing cell; `line`/`column` are its innermost frame (else any cell's). */
  describe(err: unknown, cellId?: string): MappedError {
    const isErr = err instanceof Error || (typeof err === 'object' && err !== null && 'stack' in err && 'message' in err);
    if (!isErr) return { name: 'Uncaught', message: stringify(err), stack: `Uncaught ${stringify(err)}`, frames: [] };
    const e = err as Error;
    const name = e.name || 'Error';
    const message = String(e.message ?? '');
    const rawStack = typeof e.stack === 'string' ? e.stack : `${name}: ${message}`;
    const lines = rawStack.split('\n');
    const frames: StackFrame[] = [];
    const out: string[] = [];
    let sawCell = false;
    for (const l of lines) {
      const m = /^\s+at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(l);
      if (!m) {
        if (frames.length === 0) out.push(l); // header (message lines)
        continue;
      }
      const [, fnRaw = '', fileRaw, ln, col] = m;
      // `at async file:1:2` (an awaited frame without a name) has no parentheses.
      const file = fileRaw.replace(/^async /, '');
      const fn = fnRaw === '' && fileRaw.startsWith('async ') ? 'async' : fnRaw;
      const mapped = this.map(file, Number(ln), Number(col));
      if (mapped === 'wrapper') continue;
      if (mapped) {
        sawCell = true;
        const fname = /^(?:async )?(?:Object\.)?<anonymous>$/.test(fn) || fn === '' || fn === 'async' ? '<cell>' : fn.replace(/^async /, '').replace(/^Object\./, '');
        frames.push({ functionName: fname, file: `cell-${mapped.cellId}.ts`, cellId: mapped.cellId, line: mapped.line, column: mapped.column });
        out.push(`    at ${fname} (cell-${mapped.cellId}.ts:${mapped.line}:${mapped.column})`);
      } else {
        if (isKernelInternal(file)) continue;
        if (sawCell && /^node:internal|^evalmachine/.test(file)) continue;
        frames.push({ functionName: fn, file, line: Number(ln), column: Number(col) });
        out.push(l);
      }
    }
    const first = frames.find((f) => cellId !== undefined && f.cellId === cellId) ?? frames.find((f) => f.cellId !== undefined);
    return { name, message, stack: out.join('\n'), frames, ...(first ? { line: first.line, column: first.column } : {}) };
  }
}

function isKernelInternal(file: string): boolean {
  return /[\\/]kernel[\\/](session|process)[\\/]/.test(file) || file.startsWith('node:internal/vm') || file === 'node:vm';
}

function stringify(v: unknown): string {
  try {
    return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

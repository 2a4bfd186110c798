// One execution's kernel events as Jupyter iopub messages (content shapes of protocol 5.3): streams,
// display_data / update_display_data (display ids in `transient`), execute_result, error (ename,
// evalue, traceback). Every rich bundle gains its static rendering (kernel/report/fallback/).
import type { CellDiagnostic, ExecutionEvent } from '../protocol/kernel';
import type { MimeBundle } from '../protocol/mime';
import { withStaticFallback } from '../report/fallback/index';

export interface IopubOutput {
  msgType: 'stream' | 'display_data' | 'update_display_data' | 'execute_result' | 'error';
  content: Record<string, unknown>;
}

/**
 * A Jupyter mime bundle with the static fallback added, and its metadata naming what was added (as the
 * .ipynb export does, kernel/notebook/format/ipynb.ts), so importing the notebook keeps the bundle as it was.
 */
export function jupyterData(bundle: MimeBundle): { data: Record<string, unknown>; metadata: Record<string, unknown> } {
  const data = withStaticFallback(bundle);
  const added = Object.keys(data).filter((m) => !(m in bundle));
  return { data: { ...data }, metadata: added.length ? { empathy: { fallback: added } } : {} };
}

/** Type errors a cell's check found, as the lines a stderr stream shows (warnings are not shown). */
export function diagnosticsText(diagnostics: readonly CellDiagnostic[]): string {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.line}:${d.column} - type error TS${d.code}: ${d.message}\n`)
    .join('');
}

/** The iopub message an event becomes (undefined for bookkeeping events: started, done). */
export function toIopub(e: ExecutionEvent, executionCount: number): IopubOutput | undefined {
  switch (e.type) {
    case 'stream':
      return { msgType: 'stream', content: { name: e.name, text: e.text } };
    case 'display':
      return {
        msgType: e.update && e.displayId ? 'update_display_data' : 'display_data',
        content: { ...jupyterData(e.bundle), transient: e.displayId ? { display_id: e.displayId } : {} },
      };
    case 'result':
      return { msgType: 'execute_result', content: { execution_count: executionCount, ...jupyterData(e.bundle) } };
    case 'error':
      return { msgType: 'error', content: errorContent(e.name, e.message, e.stack) };
    case 'diagnostics': {
      const text = diagnosticsText(e.diagnostics);
      return text ? { msgType: 'stream', content: { name: 'stderr', text } } : undefined;
    }
    default:
      return undefined;
  }
}

/** ename / evalue / traceback (the stack's lines, cell frames already mapped to `cell-<id>.ts:LINE:COL`). */
export function errorContent(ename: string, evalue: string, stack: string): { ename: string; evalue: string; traceback: string[] } {
  return { ename, evalue, traceback: stack.split('\n') };
}

// The VS Code notebook renderer (ES module, declared in package.json `contributes.notebookRenderer`):
// VS Code calls activate(ctx) once, then renderOutputItem for every output of our MIME types.
// Plotly is loaded from plotly.min.js beside this module (copied there by build.mjs).
import type { RenderContext, StateStore } from '../core/context';
import { defaultStateStore } from '../core/context';
import { renderOutput, disposeOutput } from '../renderers/registry';

/** The parts of VS Code's RendererContext / OutputItem we use (vscode-notebook-renderer types, inlined). */
interface OutputItem { id: string; mime: string; json(): unknown; text(): string }
interface VsRendererContext<T> { getState?(): T | undefined; setState?(s: T): void; workspace?: { isTrusted: boolean } }

export function activate(vsctx: VsRendererContext<Record<string, unknown>>) {
  const state: StateStore = vsctx.setState && vsctx.getState
    ? {
        get: <T,>(k: string) => (vsctx.getState!() ?? {})[k] as T | undefined,
        set: <T,>(k: string, v: T) => vsctx.setState!({ ...(vsctx.getState!() ?? {}), [k]: v }),
      }
    : defaultStateStore('empathy.notebook.');
  const ctx: RenderContext = { plotlyUrl: new URL('./plotly.min.js', import.meta.url).href, state };
  const elements = new Map<string, HTMLElement>();
  return {
    renderOutputItem(item: OutputItem, el: HTMLElement): Promise<void> {
      elements.set(item.id, el);
      let payload: unknown;
      try { payload = item.json(); } catch (e) { payload = { invalidJson: String(e) }; }
      return renderOutput(el, item.mime, payload, ctx);
    },
    disposeOutputItem(id?: string): void {
      for (const [k, el] of elements) {
        if (id === undefined || id === k) { disposeOutput(el); elements.delete(k); }
      }
    },
  };
}

// The panel side of the webview ↔ host channel: typed postMessage out, guarded message events in.
// Outside VS Code (a plain page, tests) the messages go to `window.__empathyHostLog` instead.
import type { RenderContext } from '../core/context';
import { defaultStateStore } from '../core/context';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare global {
  function acquireVsCodeApi(): VsCodeApi;
  interface Window { __empathyHostLog?: unknown[] }
}

export interface HostBridge<Out, In> {
  post(m: Out): void;
  onMessage(handler: (m: In) => void): void;
}

let api: VsCodeApi | undefined;
function vscodeApi(): VsCodeApi | undefined {
  if (api) return api;
  if (typeof acquireVsCodeApi === 'function') api = acquireVsCodeApi(); // may be called only once per webview
  return api;
}

export function hostBridge<Out, In>(guard: (m: unknown) => m is In, name: string): HostBridge<Out, In> {
  return {
    post(m: Out) {
      const a = vscodeApi();
      if (a) a.postMessage(m);
      else (window.__empathyHostLog ??= []).push(m);
    },
    onMessage(handler) {
      window.addEventListener('message', (e: MessageEvent) => {
        if (guard(e.data)) handler(e.data);
        else if (e.data && typeof e.data === 'object' && 'type' in e.data) console.warn(`[empathy] ${name}: ignored message`, e.data);
      });
    },
  };
}

/** The render context of a panel: plotly beside the panel script, the script's CSP nonce, state in the webview. */
export function panelContext(script: HTMLScriptElement | null, prefix: string): RenderContext {
  const a = vscodeApi();
  const state = a
    ? {
        get: <T,>(k: string) => ((a.getState() as Record<string, unknown> | undefined) ?? {})[k] as T | undefined,
        set: <T,>(k: string, v: T) => a.setState({ ...((a.getState() as Record<string, unknown> | undefined) ?? {}), [k]: v }),
      }
    : defaultStateStore(prefix);
  return {
    plotlyUrl: script?.dataset.plotlyUrl ?? document.body?.dataset.plotlyUrl ?? (script?.src ? new URL('plotly.min.js', script.src).href : undefined),
    nonce: script?.nonce || document.body?.dataset.nonce || undefined,
    state,
  };
}

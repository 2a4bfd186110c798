// What a renderer may ask of its host: where plotly lives, where to remember UI choices, the CSP nonce.
// The same renderers run in a VS Code notebook renderer, a VS Code webview panel and the HTML report.

/** A small key/value store for UI choices that should survive a re-render (or a reload). */
export interface StateStore {
  get<T>(key: string): T | undefined;
  set<T>(key: string, value: T): void;
}

export interface RenderContext {
  /** URL of plotly.min.js, used only when `window.Plotly` is absent (VS Code: the renderer's own folder). */
  plotlyUrl?: string;
  /** Remembered UI choices (normalised confusion matrix, smoothing...). Default: localStorage, else memory. */
  state?: StateStore;
  /** CSP nonce copied onto the lazily injected plotly <script> (webview panels use a nonce-only CSP). */
  nonce?: string;
}

const memory = new Map<string, unknown>();

/** localStorage when the page allows it (file:// reports, panels), an in-memory map otherwise. */
export function defaultStateStore(prefix = 'empathy.'): StateStore {
  let storage: Storage | undefined;
  try {
    storage = window.localStorage;
    storage.getItem('probe');
  } catch {
    storage = undefined; // sandboxed iframes throw on access
  }
  return {
    get<T>(key: string): T | undefined {
      if (storage) {
        const raw = storage.getItem(prefix + key);
        if (raw === null) return undefined;
        try { return JSON.parse(raw) as T; } catch { return undefined; }
      }
      return memory.get(prefix + key) as T | undefined;
    },
    set<T>(key: string, value: T): void {
      if (storage) {
        try { storage.setItem(prefix + key, JSON.stringify(value)); return; } catch { /* quota: fall through */ }
      }
      memory.set(prefix + key, value);
    },
  };
}

/** The store a renderer should use: the host's, else the default. */
export function stateOf(ctx: RenderContext): StateStore {
  return ctx.state ?? (ctx.state = defaultStateStore());
}

// Lazy re-exports for a folder's index.ts: names whose module loads tfjs (or another heavy package) at
// require time are defined as getters that load it on first use, so importing the index stays cheap for
// code that needs only its light parts (`empathy --help` loads the model registry, never tfjs).
// The index declares each name's type (`export declare const x: typeof import('./m').x`); this defines it.

/** Define `names` on `exports` (an index's module.exports), each read from `load()` on first access. */
export function lazyExport<M extends object>(exports: object, load: () => M, names: ReadonlyArray<keyof M & string>): void {
  let loaded: M | undefined;
  for (const name of names) {
    Object.defineProperty(exports, name, { enumerable: true, get: () => (loaded ??= load())[name] });
  }
}

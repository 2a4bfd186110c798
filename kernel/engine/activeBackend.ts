// The engine's backend as seen from outside the engine, readable without loading it (tfjs is slow to
// load): kernel/engine/backend.ts registers its getter here as it loads. Until a cell loads the engine
// nothing is registered. A static import, so a bundler sees it (the kernel process reads it after every
// cell; a path-based require of the engine does not survive bundling into one file).
import type { BackendInfo } from './types';

let source: (() => BackendInfo | undefined) | undefined;

/** Called by the engine's backend module when it loads. */
export function registerBackendSource(get: () => BackendInfo | undefined): void {
  source = get;
}

/** The engine's backend: undefined while the engine is not loaded or no backend has started yet. */
export function activeBackend(): BackendInfo | undefined {
  return source?.();
}

// Where the extension finds the model that ships with the workbench (dataset/models/offline-default.*,
// copied into the .vsix by bundle.mjs): always under the extension's own install (or development)
// folder, never the workspace, so a reviewer opening the panels has a trained model to inspect at once.
// No 'vscode' import: the resolution is tested headless against both layouts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The checkpoint, relative to the extension's folder (kernel/models/shipped.ts: SHIPPED_MODEL_FILE). */
export const SHIPPED_MODEL_RELATIVE = ['dataset', 'models', 'offline-default.safetensors'] as const;

/** What the panels say about it (its card: dataset/models/offline-default.md). */
export const SHIPPED_MODEL_LABEL = 'offline-default (shipped)';
export const SHIPPED_MODEL_NOTE =
  'the shipped offline-default model, trained on the public EPITOME Reddit train split: for research and teaching, ' +
  'not a clinical or screening tool (model card: dataset/models/offline-default.md)';

/** The shipped checkpoint under `extensionPath` (context.extensionPath), or undefined when it is absent. */
export function shippedModelIn(extensionPath: string): string | undefined {
  const p = join(extensionPath, ...SHIPPED_MODEL_RELATIVE);
  return existsSync(p) ? p : undefined;
}

// The `empathy.dataDir` setting as the kernels' EMPATHY_DATA_DIR: where tutorials find the public EPITOME
// CSVs (kernel/api/tutorialData.ts: loadTutorialPairs / tutorialData read it). No 'vscode' import.
import { isAbsolute, join, resolve } from 'node:path';

/** The folder `setting` names: absolute as given, else relative to `workspaceFolder`; undefined when empty. */
export function dataDirFor(setting: string | undefined, workspaceFolder: string | undefined): string | undefined {
  const s = (setting ?? '').trim();
  if (!s) return undefined;
  if (isAbsolute(s)) return resolve(s);
  // Without a workspace folder a relative path has nothing to be relative to: not set (the samples).
  return workspaceFolder ? resolve(join(workspaceFolder, s)) : undefined;
}

// What the extension does in Restricted Mode (an untrusted workspace): no kernel process, no scoring,
// no checkpoint loaded, no executable looked up. The panels still show the data, parsed here in the
// editor by the same pure CSV loaders the kernel uses (no workspace code runs, nothing is imported from
// the workspace), and say why nothing is scored.
import { dirname } from 'node:path';
import type { DatasetPayload } from '../kernel/protocol/mime';
import { loadLabeledFiles } from '../dataset/labeledFiles';
import { datasetPayload } from '../kernel/payloads/dataset';

/** Why no kernel starts (the error of KernelManager.create in Restricted Mode). */
export const RESTRICTED_KERNEL =
  'This workspace is in Restricted Mode, so no Empathy kernel starts: a kernel runs code (cells, models, ' +
  'packages) on your machine. Trust the workspace (Manage Workspace Trust) to run cells, train and score.';

/** The panels' status line in Restricted Mode. */
export const RESTRICTED_PANEL =
  'Restricted Mode: the data is shown read-only. Scoring with a model needs a kernel, which does not start in an ' +
  'untrusted workspace; trust the workspace (Manage Workspace Trust) to score.';

/** `files` as the panels' dataset payload, without a kernel (what `display.dataset(loadPairs(files))` shows). */
export async function readOnlyDataset(files: readonly string[], opts: { name?: string; limit?: number } = {}): Promise<DatasetPayload> {
  const loaded = await loadLabeledFiles('data', [...files], { cwd: dirname(files[0] ?? '.') });
  return datasetPayload(loaded.pairs, opts);
}

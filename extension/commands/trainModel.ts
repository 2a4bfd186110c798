// "Train Model…": quick picks for the data files and the preset, then a training notebook that runs in
// its kernel — a live loss curve in the notebook, a cancellable progress notification (cancel = interrupt,
// the model keeps its last completed step), and the evaluation's confusion matrix at the end. Several
// files (ER, IP, EX) train one joint model; every training is recorded as a run (source 'extension').
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { MIME, type LossCurvePayload } from '../../kernel/protocol/mime';
import type { KernelManager } from '../kernelManager';
import { NOTEBOOK_TYPE } from '../serializer';
import { CONTROLLER_ID } from '../controller';
import { pickDataFiles } from '../dataFiles';
import { lit } from '../kernelQuery';

export interface TrainRequest {
  files: string[];
  preset: string;
  /** Epochs (default 2: a first look; the paper trains 4). */
  epochs: number;
  /** Further TrainConfig fields spread over the above (e.g. { batch_size: 8 }). */
  overrides?: Record<string, unknown>;
}

/** The tiny preset is the golden fixtures' size (a 120-token vocabulary); a BPE trained here needs ≥ 260. */
const PRESET_OVERRIDES: Record<string, Record<string, unknown>> = {
  tiny: { model: { encoder: { vocabSize: 512 } } },
};

const PRESET_ITEMS: Array<vscode.QuickPickItem & { id: string }> = [
  { id: 'tiny', label: 'tiny', detail: 'A few-layer encoder: seconds per epoch on the samples — for trying things out' },
  { id: 'small', label: 'small', detail: 'A small encoder trained from scratch: minutes on a laptop CPU' },
  { id: 'roberta-base', label: 'roberta-base', detail: "The paper's RoBERTa-base encoders: needs pretrained weights and a GPU to be practical" },
];

/** The training notebook's cells: load + split, train (live loss curve), evaluate (confusion matrix). */
export function trainingNotebook(req: TrainRequest): vscode.NotebookData {
  const names = req.files.map((f) => basename(f)).join(', ');
  const md = (s: string) => new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, s, 'markdown');
  const code = (s: string, id: string) => {
    const c = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, 'typescript');
    c.metadata = { id };
    return c;
  };
  return new vscode.NotebookData([
    md(`# Training: ${names}\n\nPreset **${req.preset}**, ${req.epochs} epoch(s). Created by *Empathy: Train Model…*; ` +
      'edit the config and re-run to experiment. Interrupting the training cell keeps the weights of the last completed step.'),
    code(`const files = ${lit(req.files)};\n` +
      (req.files.length > 1 ? '// Several files (one per mechanism) load as one joint dataset: one model learns ER, IP and EX together.\n' : '') +
      'const pairs = await empathy.loadPairs(files);\nconst data = empathy.splitPairs(pairs, { seed: 12 });\n' +
      '`${data.train.length} train / ${data.dev.length} dev / ${data.test.length} test pairs`', 'data'),
    code(`const config = ${trainConfigLiteral(req)};\n` +
      '// Recorded as a run (config, data hashes, metrics, the trained model) in the workspace\'s runs folder.\n' +
      `const run = await empathy.train(config, data, {\n  label: ${lit(`${req.preset} · ${names}`)},\n` +
      "  record: { source: 'extension', files: files.map((path) => ({ role: 'train' as const, path })), saveModel: true },\n});\n" +
      '`${run.steps} steps${run.stopped ? ` (stopped: ${run.stopped})` : \'\'} · run ${run.runId}`', 'train'),
    code('const report = await empathy.evaluate(run.model, data.test.length ? data.test : data.dev);\nconst matrix = display.confusion(report);', 'evaluate'),
  ]);
}

/** The error message a failed cell shows (first line), if any. */
function cellError(cell: vscode.NotebookCell): string | undefined {
  for (const item of cell.outputs.flatMap((o) => o.items)) {
    if (item.mime !== 'application/vnd.code.notebook.error') continue;
    try {
      const e = JSON.parse(new TextDecoder().decode(item.data)) as { message?: string };
      return e.message?.split('\n')[0];
    } catch { return undefined; }
  }
  return undefined;
}

function trainConfigLiteral(req: TrainRequest): string {
  const cfg = { preset: req.preset, epochs: req.epochs, ...(PRESET_OVERRIDES[req.preset] ?? {}), ...(req.overrides ?? {}) };
  return JSON.stringify(cfg, null, 2).replace(/"([A-Za-z_$][\w$]*)":/g, '$1:');
}

export async function askTrainRequest(context: vscode.ExtensionContext): Promise<TrainRequest | undefined> {
  const files = await pickDataFiles(context, { title: 'Train Model: training data (EPITOME CSVs)', many: true });
  if (!files?.length) return undefined;
  const preferred = vscode.workspace.getConfiguration('empathy').get<string>('defaultPreset', 'small');
  const items = [...PRESET_ITEMS].sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred))
    .map((p) => ({ ...p, description: p.id === preferred ? 'empathy.defaultPreset' : undefined }));
  const preset = await vscode.window.showQuickPick(items, { title: 'Train Model: model preset' });
  if (!preset) return undefined;
  return { files, preset: preset.id, epochs: 2 };
}

/** Opens the training notebook and runs it, with a cancellable progress notification. */
export async function trainModel(context: vscode.ExtensionContext, kernels: KernelManager, req?: TrainRequest): Promise<vscode.NotebookDocument | undefined> {
  req ??= await askTrainRequest(context);
  if (!req) return undefined;
  const nb = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, trainingNotebook(req));
  await vscode.window.showNotebookDocument(nb);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: CONTROLLER_ID, extension: context.extension.id });
  const kernel = await kernels.ensure(nb);
  const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
  let cancelled = false;

  await vscode.window.withProgress({
    location: vscode.ProgressLocation.Notification,
    title: `Training ${req.preset} on ${req.files.map((f) => basename(f)).join(', ')}`,
    cancellable: true,
  }, async (progress, token) => {
    // Live progress from the loss curve the training cell keeps updating.
    const off = kernel.onEvent((e) => {
      if (e.type !== 'display') return;
      const curve = e.bundle[MIME.lossCurve] as LossCurvePayload | undefined;
      const last = curve?.runs[0]?.steps.at(-1);
      if (last) progress.report({ message: `epoch ${last.epoch} · step ${last.step} · loss ${last.loss.toFixed(3)}` });
    });
    token.onCancellationRequested(() => { cancelled = true; void kernel.interrupt(); });
    try {
      const finished = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeNotebookDocument((ev) => {
          if (ev.notebook !== nb) return;
          if (cells.every((c) => c.executionSummary?.success !== undefined) || cells.some((c) => c.executionSummary?.success === false)) {
            sub.dispose();
            resolve();
          }
        });
      });
      progress.report({ message: 'loading data…' });
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cells[0].index, end: cells.at(-1)!.index + 1 }], document: nb.uri });
      await finished;
    } finally {
      off();
    }
  });
  const failed = cells.find((c) => c.executionSummary?.success === false);
  if (cancelled) void vscode.window.showInformationMessage('Training interrupted: `run.model` keeps the weights of the last completed step.');
  else if (failed) {
    void vscode.window.showWarningMessage(`Training stopped at cell ${failed.index + 1} of the training notebook: ${cellError(failed) ?? 'see its output'}.`);
  }
  return nb;
}

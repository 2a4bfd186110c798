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
import { dataCell, trainCell, trainPlan, type TrainRequest } from './trainPlan';
import { MODEL_CHOICES } from './modelChoices';

export type { TrainRequest } from './trainPlan';



/** The names of `empathy.defaultPreset` (package.json), in its order: the one model vocabulary (generated from the family registry). */
const PRESET_ITEMS: Array<vscode.QuickPickItem & { id: string }> = MODEL_CHOICES.map(({ id, label, detail }) => ({ id, label, detail }));

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
    md(`# Training: ${names}\n\nModel **${req.preset}**, ${trainPlan(req.preset).kind === 'bi-encoder' ? `${req.epochs} epoch(s)` : 'its family\'s default config'}. Created by *Empathy: Train Model…*; ` +
      'edit the config and re-run to experiment. Interrupting the training cell keeps the weights of the last completed step.'),
    code(dataCell(req.files), 'data'),
    code(trainCell(req, names), 'train'),
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

export async function askTrainRequest(context: vscode.ExtensionContext): Promise<TrainRequest | undefined> {
  const files = await pickDataFiles(context, { title: 'Train Model: training data (EPITOME CSVs)', many: true });
  if (!files?.length) return undefined;
  const preferred = vscode.workspace.getConfiguration('empathy').get<string>('defaultPreset', 'offline-default');
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

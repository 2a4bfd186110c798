// The Dataset Explorer webview panel host: loads EPITOME CSVs through the kernel, answers
// the panel's requests (open another file, export a slice, per-row predictions from a checkpoint: the
// shipped offline-default model of the extension's folder is offered first). The kernel is asked through
// typed queries (kernel/protocol/query.ts: loadPairs, predictLevels).
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { DatasetPayload } from '../../kernel/protocol/mime';
import { isDatasetExplorerToHost, type DatasetExplorerToHost, type HostToDatasetExplorer } from '../../kernel/protocol/panels';
import type { KernelManager } from '../kernelManager';
import { pickDataFiles } from '../dataFiles';
import { panelHtml, webviewRoots } from './webviewHtml';
import { RESTRICTED_PANEL, readOnlyDataset } from '../restrictedMode';
import { SHIPPED_MODEL_NOTE, shippedModelIn } from '../shippedModel';

export class DatasetExplorerPanel {
  static readonly viewType = 'empathy.datasetExplorer';
  private files: string[] = [];
  private dataset: DatasetPayload | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext, private readonly kernels: KernelManager) {
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { script: 'datasetExplorer.js', title: 'Dataset Explorer', initialState: null });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (isDatasetExplorerToHost(m)) void this.handle(m).catch((e) => this.post({ type: 'status', v: 1, level: 'error', message: String((e as Error)?.message ?? e) }));
    }, undefined, context.subscriptions);
  }

  /** Opens the panel on `files` (asks for them when not given). */
  static async open(context: vscode.ExtensionContext, kernels: KernelManager, files?: string[]): Promise<DatasetExplorerPanel | undefined> {
    files ??= await pickDataFiles(context, { title: 'Dataset Explorer: pick an EPITOME CSV', many: false });
    if (!files?.length) return undefined;
    const panel = vscode.window.createWebviewPanel(DatasetExplorerPanel.viewType, `Dataset: ${basename(files[0])}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewRoots(context.extensionUri),
      retainContextWhenHidden: true,
    });
    const p = new DatasetExplorerPanel(panel, context, kernels);
    p.files = files;
    void p.load().catch((e) => p.post({ type: 'status', v: 1, level: 'error', message: String((e as Error)?.message ?? e) }));
    return p;
  }

  private post(m: HostToDatasetExplorer): void { void this.panel.webview.postMessage(m); }

  private async load(): Promise<void> {
    this.post({ type: 'status', v: 1, level: 'info', message: `Loading ${this.files.map((f) => basename(f)).join(', ')}…` });
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: the rows, read here without a kernel, and why nothing more happens.
      this.dataset = await readOnlyDataset(this.files, { name: this.files.map((f) => basename(f)).join(' + ') });
      this.panel.title = `Dataset: ${this.dataset.name}`;
      this.post({ type: 'dataset', v: 1, dataset: this.dataset });
      this.post({ type: 'status', v: 1, level: 'info', message: RESTRICTED_PANEL });
      return;
    }
    const kernel = await this.kernels.tools();
    this.dataset = await kernel.query('loadPairs', { files: this.files, name: this.files.map((f) => basename(f)).join(' + ') });
    this.panel.title = `Dataset: ${this.dataset.name}`;
    this.post({ type: 'dataset', v: 1, dataset: this.dataset });
  }

  private async handle(m: DatasetExplorerToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.dataset) this.post({ type: 'dataset', v: 1, dataset: this.dataset });
        if (this.dataset && !vscode.workspace.isTrusted) this.post({ type: 'status', v: 1, level: 'info', message: RESTRICTED_PANEL });
        break;
      case 'openDataset': {
        const files = await pickDataFiles(this.context, { title: 'Dataset Explorer: pick an EPITOME CSV', many: false });
        if (files?.length) { this.files = files; await this.load(); }
        break;
      }
      case 'exportSlice': {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({ defaultUri: base ? vscode.Uri.joinPath(base, m.suggestedName) : undefined, filters: { CSV: ['csv'] } });
        if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(m.csv));
        this.post({ type: 'exported', v: 1, path: target?.fsPath, rowCount: m.rowCount });
        break;
      }
      case 'requestPredictions': {
        if (!vscode.workspace.isTrusted) { this.post({ type: 'status', v: 1, level: 'error', message: RESTRICTED_PANEL }); return; }
        const modelPath = await this.pickModel();
        if (!modelPath) return;
        const modelLabel = modelPath === shippedModelIn(this.context.extensionPath) ? 'offline-default (shipped)' : basename(modelPath);
        this.post({ type: 'status', v: 1, level: 'info', message: `Scoring ${this.dataset?.rows.length ?? 0} rows with ${modelLabel}…` });
        const kernel = await this.kernels.tools();
        // The model is loaded, run over every row and disposed in the kernel, within this one query.
        const predictions = await kernel.query('predictLevels', { modelPath, files: this.files });
        this.post({ type: 'predictions', v: 1, modelLabel, predictions });
        break;
      }
    }
  }

  /** The checkpoint to score with: the shipped model (offered first when present) or one the user opens. */
  private async pickModel(): Promise<string | undefined> {
    const shipped = shippedModelIn(this.context.extensionPath);
    if (shipped) {
      const choice = await vscode.window.showQuickPick([
        { label: 'offline-default (shipped)', detail: SHIPPED_MODEL_NOTE, path: shipped },
        { label: 'Open a checkpoint…', detail: 'a .safetensors / .pth / .ckpt file, e.g. model.safetensors of a run', path: undefined },
      ], { title: 'Score the dataset with which model?' });
      if (!choice) return undefined;
      if (choice.path) return choice.path;
    }
    const picked = await vscode.window.showOpenDialog({ title: 'Score the dataset with a checkpoint', filters: { Checkpoint: ['pth', 'safetensors', 'ckpt'] } });
    return picked?.[0]?.fsPath;
  }
}

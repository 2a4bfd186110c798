// The Rationale Inspector webview panel host: examples from an EPITOME CSV (gold levels + spans), models
// from checkpoints in the workspace; each (edited) pair is scored in the kernel and drawn as a heatmap.
// With no model chosen it opens with the shipped offline-default model (from the extension's own folder).
// The kernel is asked through typed queries (kernel/protocol/query.ts): the panel's model lives in the
// tools kernel under a handle this panel owns (replaced on pick, unloaded when the panel closes).
import { basename, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { Mechanism } from '../../kernel/protocol/mime';
import {
  isRationaleInspectorToHost, type HostToRationaleInspector, type InspectorExample, type InspectorModel, type RationaleInspectorToHost,
} from '../../kernel/protocol/panels';
import type { LoadedModel } from '../../kernel/protocol/query';
import { QueryError } from '../../kernel/process/client';
import type { KernelManager } from '../kernelManager';
import { pickDataFiles } from '../dataFiles';
import { panelHtml, webviewRoots } from './webviewHtml';
import { RESTRICTED_PANEL, readOnlyDataset } from '../restrictedMode';
import { SHIPPED_MODEL_LABEL, SHIPPED_MODEL_NOTE, shippedModelIn } from '../shippedModel';
import { ReviewSession, reviewFileFor, sha256OfFile } from './reviewSession';

const CHECKPOINTS = '**/*.{pth,safetensors,ckpt}';

export class RationaleInspectorPanel {
  static readonly viewType = 'empathy.rationaleInspector';
  private examples: InspectorExample[] = [];
  private models: InspectorModel[] = [];
  private modelId: string | undefined;
  private mechanisms: Mechanism[] = [];
  /** The loaded model in the tools kernel (its handle), disposed there when replaced or the panel closes. */
  private loadedModel: LoadedModel | undefined;
  /** The panel's script has said `ready` / the examples (and model) are loaded: `init` needs both. */
  private panelReady = false;
  private loaded = false;
  /** Serialises kernel requests; only the newest score request is answered (requestId). */
  private latestRequest = 0;
  /** Cancels the score query a newer request superseded (the kernel stops it between steps). */
  private scoring: AbortController | undefined;
  /** The review file beside the examples' CSV (judgements are appended there). */
  private review: ReviewSession | undefined;
  private files: string[] = [];
  /** sha256 of the loaded checkpoint, recorded with judgements once known. */
  private modelSha: string | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext, private readonly kernels: KernelManager) {
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, { script: 'rationaleInspector.js', title: 'Rationale Inspector', initialState: null });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (isRationaleInspectorToHost(m)) void this.handle(m).catch((e) => void vscode.window.showErrorMessage(`Rationale Inspector: ${(e as Error)?.message ?? e}`));
    }, undefined, context.subscriptions);
    panel.onDidDispose(() => this.unloadModel(), undefined, context.subscriptions);
  }

  /**
   * Opens the panel on examples from `files` (asked for when absent) with the checkpoint `modelPath` loaded,
   * or, without one, the shipped offline-default model of the extension's folder (the user may pick another).
   */
  static async open(context: vscode.ExtensionContext, kernels: KernelManager, files?: string[], modelPath?: string): Promise<RationaleInspectorPanel | undefined> {
    files ??= await pickDataFiles(context, { title: 'Rationale Inspector: examples from which EPITOME CSV?', many: false });
    if (!files?.length) return undefined;
    const panel = vscode.window.createWebviewPanel(RationaleInspectorPanel.viewType, 'Rationale Inspector', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewRoots(context.extensionUri),
      retainContextWhenHidden: true,
    });
    const p = new RationaleInspectorPanel(panel, context, kernels);
    await p.loadExamples(files);
    // Restricted Mode: no checkpoint is loaded (loading one needs the kernel).
    if (modelPath && vscode.workspace.isTrusted) await p.loadModel(modelPath);
    else if (p.shipped && vscode.workspace.isTrusted) {
      // The shipped default: a failure to load it leaves the panel open on its examples, and says why.
      await p.loadModel(p.shipped).catch((e) => void vscode.window.showWarningMessage(`Rationale Inspector: the shipped model did not load: ${(e as Error)?.message ?? e}`));
    }
    p.loaded = true;
    if (p.panelReady) p.postInit(); // the panel asked before the examples were there
    return p;
  }

  /** The shipped checkpoint under the extension's install (or development) folder, if present. */
  private get shipped(): string | undefined { return shippedModelIn(this.context.extensionPath); }

  private post(m: HostToRationaleInspector): void { void this.panel.webview.postMessage(m); }

  private postInit(): void {
    this.post({ type: 'init', v: 1, examples: this.examples, models: this.models, modelId: this.modelId });
    this.postReview();
  }

  private postReview(): void {
    if (this.review) this.post({ type: 'review', v: 1, review: this.review.view() });
  }

  private async loadExamples(files: string[]): Promise<void> {
    const trusted = vscode.workspace.isTrusted;
    this.files = files;
    this.review = new ReviewSession(this.reviewFile(files[0]), trusted ? undefined : `${RESTRICTED_PANEL} (the review file is shown read-only)`, () => this.modelSha);
    // Restricted Mode: the examples are read here, without a kernel.
    const ds = trusted
      ? await (await this.kernels.tools()).query('loadPairs', { files, limit: 500 })
      : await readOnlyDataset(files, { limit: 500 });
    this.examples = ds.rows.map((r) => ({
      id: r.id, seekerPost: r.seekerPost, responsePost: r.responsePost,
      gold: Object.fromEntries(Object.entries(r.levels).map(([m, level]) => [m, { level: level!, spans: r.spans[m as Mechanism] ?? [] }])),
    }));
    // Restricted Mode lists no workspace checkpoints (the first one would be loaded on the first score).
    if (!trusted) { this.models = []; return; }
    const found = await vscode.workspace.findFiles(CHECKPOINTS, '{**/node_modules/**,**/test-output/**}', 50);
    const shipped = this.shipped;
    this.models = [
      ...(shipped ? [{ id: shipped, label: SHIPPED_MODEL_LABEL, note: SHIPPED_MODEL_NOTE }] : []),
      ...found.filter((u) => u.fsPath !== shipped).map((u) => ({ id: u.fsPath, label: vscode.workspace.asRelativePath(u) })),
    ];
  }

  /**
   * Where judgements of `data` go: beside it, except for the samples inside the extension's own folder
   * (replaced on update) and outside the workspace, whose review file goes to the workspace folder (else
   * the extension's storage).
   */
  private reviewFile(data: string): string {
    const beside = reviewFileFor(data);
    if (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(data))) return beside; // the user's data: beside it
    const rel = relative(this.context.extensionPath, data);
    if (rel.startsWith('..') || isAbsolute(rel)) return beside;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.globalStorageUri.fsPath;
    return join(folder, basename(beside));
  }

  /** Loads a checkpoint into the tools kernel, where it stays between score requests (replacing this panel's last). */
  private async loadModel(path: string): Promise<InspectorModel> {
    const kernel = await this.kernels.tools();
    const replaces = this.loadedModel?.handle;
    this.loadedModel = await kernel.query('loadModel', { path, ...(replaces ? { replaces } : {}) });
    this.modelId = path;
    this.modelSha = undefined;
    void sha256OfFile(path).then((h) => { if (this.modelId === path) this.modelSha = h; }, () => undefined);
    this.mechanisms = this.loadedModel.mechanisms;
    const model = this.models.find((x) => x.id === path) ?? { id: path, label: vscode.workspace.asRelativePath(path) };
    if (!this.models.includes(model)) this.models.push(model);
    return model;
  }

  /** The panel closed: its model's tensors are freed in the kernel. */
  private unloadModel(): void {
    const handle = this.loadedModel?.handle;
    this.loadedModel = undefined;
    if (handle) void this.kernels.tools().then((k) => k.query('unloadModel', { handle })).catch(() => undefined);
  }

  private async handle(m: RationaleInspectorToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.panelReady = true;
        if (this.loaded) this.postInit();
        break;
      case 'review':
      case 'undoReview':
        this.judge(m);
        break;
      case 'requestLevels':
        await this.sendLevels();
        break;
      case 'pickModel': {
        if (!vscode.workspace.isTrusted) { this.post({ type: 'scoreError', v: 1, requestId: this.latestRequest, message: RESTRICTED_PANEL }); return; }
        let path = m.modelId;
        if (!path) {
          const picked = await vscode.window.showOpenDialog({ title: 'Open a checkpoint', filters: { Checkpoint: ['pth', 'safetensors', 'ckpt'] } });
          path = picked?.[0]?.fsPath;
        }
        if (!path) return;
        const model = await this.loadModel(path);
        this.post({ type: 'model', v: 1, model, mechanisms: this.mechanisms });
        break;
      }
      case 'score': {
        this.latestRequest = m.requestId;
        if (!vscode.workspace.isTrusted) { this.post({ type: 'scoreError', v: 1, requestId: m.requestId, message: RESTRICTED_PANEL }); return; }
        if (!this.modelId && this.models[0]) {
          // The panel shows the first checkpoint as selected: load it on the first score request.
          await this.loadModel(this.models[0].id);
        }
        if (!this.modelId) {
          this.post({ type: 'scoreError', v: 1, requestId: m.requestId, message: 'Pick a model (a checkpoint) to score this pair.' });
          return;
        }
        if (m.requestId !== this.latestRequest) return; // a newer edit superseded this one
        const started = Date.now();
        const pair = { id: m.exampleId ?? 'edited', seekerPost: m.seekerPost, responsePost: m.responsePost };
        this.scoring?.abort();
        const scoring = this.scoring = new AbortController();
        try {
          // Levels, probabilities, tokens and spans, plus per-mechanism salience when asked and offered.
          const answer = await this.score(pair, m.salience, scoring.signal);
          if (m.requestId !== this.latestRequest) return;
          this.post({ type: 'scored', v: 1, requestId: m.requestId, item: answer.item, maxLen: answer.maxLen, elapsedMs: Date.now() - started,
            ...(answer.salienceNote ? { salienceNote: answer.salienceNote } : {}), ...(answer.healthNote ? { healthNote: answer.healthNote } : {}) });
        } catch (e) {
          if (m.requestId !== this.latestRequest) return; // superseded (cancelled in the kernel)
          this.post({ type: 'scoreError', v: 1, requestId: m.requestId, message: String((e as Error)?.message ?? e) });
        }
        break;
      }
    }
  }

  /** Record a judgement or an undo in the review file, then send the new state (a failure is said in the panel). */
  private judge(m: Extract<RationaleInspectorToHost, { type: 'review' | 'undoReview' }>): void {
    if (!this.review) return;
    try {
      if (m.type === 'review') this.review.record(m.draft);
      else this.review.undo();
    } catch (e) {
      void vscode.window.showErrorMessage(`Rationale Inspector: ${(e as Error)?.message ?? e}`);
    }
    this.postReview();
  }

  /** Every example's predicted levels with the active model (the kernel loads, runs and frees it in one query). */
  private async sendLevels(): Promise<void> {
    if (!vscode.workspace.isTrusted || !this.modelId) {
      this.post({ type: 'levels', v: 1, predictions: {}, error: vscode.workspace.isTrusted ? 'Pick a model first.' : RESTRICTED_PANEL });
      return;
    }
    try {
      const predictions = await (await this.kernels.tools()).query('predictLevels', { modelPath: this.modelId, files: this.files });
      this.post({ type: 'levels', v: 1, predictions });
    } catch (e) {
      this.post({ type: 'levels', v: 1, predictions: {}, error: String((e as Error)?.message ?? e) });
    }
  }

  /** Scores `pair` with this panel's model; a kernel that restarted meanwhile (the handle is gone) loads it again once. */
  private async score(pair: { id: string; seekerPost: string; responsePost: string }, salience: boolean, signal: AbortSignal) {
    const kernel = await this.kernels.tools();
    if (!this.loadedModel && this.modelId) await this.loadModel(this.modelId);
    const ask = () => kernel.query('score', { handle: this.loadedModel?.handle ?? '', pair, salience }, { signal });
    try {
      return await ask();
    } catch (e) {
      if (!(e instanceof QueryError && e.code === 'unknown-handle') || !this.modelId) throw e;
      this.loadedModel = undefined;
      await this.loadModel(this.modelId);
      return ask();
    }
  }
}

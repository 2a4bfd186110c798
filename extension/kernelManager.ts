// One kernel process per open notebook (kernel/process/client.ts): started on first run with the runtime
// from kernelRuntime.ts, restarted on request, shut down when the notebook closes. Reports the backend to
// the status bar, and a crash as a clear message with a restart offer.
import * as vscode from 'vscode';
import { delimiter, join } from 'node:path';
import { KernelClient } from '../kernel/process/client';
import type { KernelEvent } from '../kernel/protocol/kernel';
import type { BackendInfo } from '../kernel/protocol/kernel';
import { NATIVE_MODULE_PATH_ENV } from '../kernel/protocol/kernel';
import { RESTRICTED_KERNEL } from './restrictedMode';
import { resolveKernelRuntime, type KernelRuntime } from './kernelRuntime';
import type { BackendStatus } from './statusBar';
import { runsFolderFor } from './runsFolder';
import { dataDirFor } from './dataDir';

export type NotebookKernel = KernelClient;

export class KernelManager implements vscode.Disposable {
  private readonly kernels = new Map<string, { client: KernelClient; starting: Promise<KernelClient>; runtime: KernelRuntime }>();
  private readonly output = vscode.window.createOutputChannel('Empathy Kernel');
  private lastBackend: BackendInfo | undefined;
  private warnedRuntime = false;
  private toolsKernel: Promise<KernelClient> | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly status: BackendStatus) {}

  get(notebook: vscode.NotebookDocument): KernelClient | undefined {
    return this.kernels.get(notebook.uri.toString())?.client;
  }

  get backend(): BackendInfo | undefined { return this.lastBackend; }

  /** The notebook's kernel, started (and ready) on first use. */
  async ensure(notebook: vscode.NotebookDocument): Promise<KernelClient> {
    const key = notebook.uri.toString();
    const existing = this.kernels.get(key);
    if (existing) return existing.starting;
    const cwd = notebook.uri.scheme === 'file'
      ? vscode.Uri.joinPath(notebook.uri, '..').fsPath
      : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.extensionPath;
    const { client, runtime } = this.create(cwd, (e) => this.onEvent(notebook, e), notebook.uri);
    const starting = client.start().then((hello) => {
      this.log(`kernel for ${notebook.uri.path} ready: pid ${hello.pid}, Node ${hello.versions.node}, ${runtime.reason}`);
      if (hello.backend) this.setBackend(hello.backend, runtime);
      return client;
    });
    this.kernels.set(key, { client, starting, runtime });
    starting.catch(() => this.kernels.delete(key));
    return starting;
  }

  /** The shared kernel of commands and panels (not tied to a notebook), started on first use. */
  tools(): Promise<KernelClient> {
    if (!this.toolsKernel) {
      const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.extensionPath;
      const { client, runtime } = this.create(cwd, (e) => {
        if (e.type === 'hello' && e.backend) this.setBackend(e.backend, runtime);
        if (e.type === 'backend') this.setBackend(e.backend, runtime);
      });
      this.toolsKernel = client.start().then(() => client);
      this.toolsKernel.catch(() => { this.toolsKernel = undefined; void client.dispose(); });
    }
    return this.toolsKernel;
  }

  /** A kernel not tied to a notebook (Train Model…, panels); the caller disposes it. */
  create(cwd: string, onEvent?: (e: KernelEvent) => void, resource?: vscode.Uri): { client: KernelClient; runtime: KernelRuntime } {
    // Restricted Mode: no kernel, and not even the executable lookup (it spawns `node --version`).
    if (!vscode.workspace.isTrusted) throw new Error(RESTRICTED_KERNEL);
    const cfg = vscode.workspace.getConfiguration('empathy');
    const backend = cfg.get<string>('backend', 'auto');
    const runtime = resolveKernelRuntime(cfg.get<string>('kernel.nodePath', ''), backend);
    if (runtime.kind === 'vscode' && !this.warnedRuntime) {
      this.warnedRuntime = true;
      void vscode.window.showWarningMessage(`Empathy kernel: ${runtime.reason}`, 'Set Node Path').then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.action.openSettings', 'empathy.kernel.nodePath');
      });
    }
    // A trusted workspace's node_modules: cells may require its packages (NODE_PATH), and optional native
    // backends (tfjs-node, tfjs-node-gpu) installed there may load, after the extension's own folder
    // (EMPATHY_NATIVE_MODULE_PATH, kernel/engine/nativeModule.ts). Never for an untrusted workspace.
    const nodePath = vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, 'node_modules')) : [];
    // empathy.dataDir: the public EPITOME CSVs for the tutorials (loadTutorialPairs reads EMPATHY_DATA_DIR).
    const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
    const dataDir = dataDirFor(vscode.workspace.getConfiguration('empathy', resource ?? folder?.uri).get<string>('dataDir', ''),
      folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined);
    const env: Record<string, string> = {
      ...runtime.env,
      ...(backend !== 'auto' && !runtime.env.EMPATHY_BACKEND ? { EMPATHY_BACKEND: backend } : {}),
      EMPATHY_RUNS_DIR: runsFolderFor(this.context, resource),
      ...(dataDir ? { EMPATHY_DATA_DIR: dataDir } : {}),
      ...(nodePath.length ? {
        NODE_PATH: [...nodePath, process.env.NODE_PATH].filter(Boolean).join(delimiter),
        [NATIVE_MODULE_PATH_ENV]: [...nodePath, process.env[NATIVE_MODULE_PATH_ENV]].filter(Boolean).join(delimiter),
      } : {}),
    };
    const client = new KernelClient({ cwd, nodePath: runtime.execPath, env, onEvent });
    return { client, runtime };
  }

  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    const k = this.kernels.get(notebook.uri.toString());
    if (!k) return;
    await k.client.restart();
  }

  async shutdown(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const k = this.kernels.get(key);
    this.kernels.delete(key);
    await k?.client.dispose();
  }

  private onEvent(notebook: vscode.NotebookDocument, e: KernelEvent): void {
    const runtime = this.kernels.get(notebook.uri.toString())?.runtime;
    switch (e.type) {
      case 'hello':
        if (e.backend) this.setBackend(e.backend, runtime);
        break;
      case 'backend':
        this.setBackend(e.backend, runtime);
        break;
      case 'restarted':
        this.log(`kernel restarted (${e.reason}): ${e.message}`);
        if (e.reason === 'interrupt-timeout') {
          void vscode.window.showWarningMessage(`Empathy kernel: ${e.message}`);
        }
        break;
      case 'exit':
        this.log(`kernel exited: ${e.message}`);
        void vscode.window.showErrorMessage(
          `The Empathy kernel for ${notebook.uri.path.split('/').pop()} stopped unexpectedly (${e.message}). Its variables are lost.`,
          'Restart Kernel', 'Show Log',
        ).then((a) => {
          if (a === 'Restart Kernel') void this.restart(notebook).catch((err) => vscode.window.showErrorMessage(`Restart failed: ${err}`));
          if (a === 'Show Log') this.output.show();
        });
        break;
      case 'stream':
      case 'display':
        break;
      default:
        break;
    }
  }

  private setBackend(info: BackendInfo, runtime: KernelRuntime | undefined): void {
    this.lastBackend = info;
    this.status.show(info, runtime);
  }

  log(line: string): void {
    this.output.appendLine(`[${new Date().toISOString()}] ${line}`);
  }

  dispose(): void {
    for (const k of this.kernels.values()) void k.client.dispose();
    this.kernels.clear();
    void this.toolsKernel?.then((c) => c.dispose(), () => undefined);
    this.output.dispose();
  }
}

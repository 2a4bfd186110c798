// Messages from the notebook renderer (requiresMessaging: optional) to the extension: a renderer may
// ask the host to open a panel (e.g. from a confusion-matrix cell). Unknown messages are ignored.
import * as vscode from 'vscode';
import type { KernelManager } from './kernelManager';

export const RENDERER_ID = 'empathy-workbench.renderer';

/** What a renderer may post: `{ type: 'openPanel', v: 1, panel }`. */
export interface RendererToHost { type: 'openPanel'; v: 1; panel: 'datasetExplorer' | 'rationaleInspector' }

function isRendererToHost(m: unknown): m is RendererToHost {
  const o = m as Partial<RendererToHost> | null;
  return !!o && o.type === 'openPanel' && o.v === 1 && (o.panel === 'datasetExplorer' || o.panel === 'rationaleInspector');
}

export class RendererMessaging implements vscode.Disposable {
  private readonly messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  private readonly sub: vscode.Disposable;

  constructor() {
    this.sub = this.messaging.onDidReceiveMessage(({ message }) => {
      if (!isRendererToHost(message)) return;
      const command = message.panel === 'datasetExplorer' ? 'empathy.openDatasetExplorer' : 'empathy.openRationaleInspector';
      void vscode.commands.executeCommand(command);
    });
  }

  dispose(): void { this.sub.dispose(); }
}

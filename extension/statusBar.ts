// The status bar item: the kernel's compute backend and device (GPU / CPU / wasm); click to change it.
import * as vscode from 'vscode';
import type { BackendInfo } from '../kernel/protocol/kernel';
import type { KernelRuntime } from './kernelRuntime';

export class BackendStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('empathy.backend', vscode.StatusBarAlignment.Right, 100);
  private info: BackendInfo | undefined;
  private readonly configSub: vscode.Disposable;

  constructor() {
    this.item.name = 'Empathy backend';
    this.item.command = 'empathy.selectBackend';
    this.show(undefined, undefined, vscode.workspace.getConfiguration('empathy').get<string>('backend', 'auto'));
    // Until a kernel reports its backend, follow the setting.
    this.configSub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!this.info && e.affectsConfiguration('empathy.backend')) {
        this.show(undefined, undefined, vscode.workspace.getConfiguration('empathy').get<string>('backend', 'auto'));
      }
    });
  }

  /** Before the kernel reports its backend, show the preference; afterwards what it really uses. */
  show(info: BackendInfo | undefined, runtime: KernelRuntime | undefined, preference?: string): void {
    this.info = info ?? this.info;
    if (info) {
      this.item.text = `${info.device === 'GPU' ? '$(circuit-board)' : '$(chip)'} Empathy: ${info.name} · ${info.device}`;
      const skipped = info.skipped.map((s) => `- ${s.name}: ${s.reason}`).join('\n');
      this.item.tooltip = new vscode.MarkdownString(
        `**Backend** ${info.detail} (chosen by ${info.chosenBy})` +
        (info.adapter ? `\n\n**GPU adapter** ${[info.adapter.vendor, info.adapter.architecture, info.adapter.device].filter(Boolean).join(' ')} — ${info.adapter.description || 'no description'}; Dawn ${info.adapter.dawnBackend}${info.adapter.software ? ' (software rasteriser)' : ''}` : '') +
        (runtime ? `\n\n**Kernel runtime** ${runtime.reason}` : '') +
        (skipped ? `\n\n**Not used**\n${skipped}` : '') + '\n\nClick to select another backend.');
    } else {
      this.item.text = `$(chip) Empathy: ${preference ?? 'auto'}`;
      this.item.tooltip = 'Empathy kernel backend preference (the kernel reports the backend it really uses once it starts). Click to change.';
    }
    this.item.show();
  }

  dispose(): void { this.item.dispose(); this.configSub.dispose(); }
}

// Completions in Empathy cells from the running kernel: names declared by earlier cells (which VS Code's
// own TypeScript service cannot see across cells), their members, and the workbench API.
import * as vscode from 'vscode';
import type { CompletionItem } from '../kernel/protocol/kernel';
import type { KernelManager } from './kernelManager';
import { NOTEBOOK_TYPE } from './serializer';

const KINDS: Record<CompletionItem['kind'], vscode.CompletionItemKind> = {
  variable: vscode.CompletionItemKind.Variable,
  function: vscode.CompletionItemKind.Function,
  class: vscode.CompletionItemKind.Class,
  property: vscode.CompletionItemKind.Property,
  method: vscode.CompletionItemKind.Method,
  keyword: vscode.CompletionItemKind.Keyword,
  module: vscode.CompletionItemKind.Module,
  other: vscode.CompletionItemKind.Text,
};

export class KernelCompletions implements vscode.CompletionItemProvider {
  constructor(private readonly kernels: KernelManager) {}

  static register(kernels: KernelManager): vscode.Disposable {
    return vscode.languages.registerCompletionItemProvider({ notebookType: NOTEBOOK_TYPE, language: 'typescript' }, new KernelCompletions(kernels), '.');
  }

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const nb = vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
    const kernel = nb && this.kernels.get(nb);
    if (!kernel?.info) return undefined; // never start a kernel just to complete
    try {
      const r = await kernel.complete(doc.getText(), doc.offsetAt(pos));
      const range = new vscode.Range(doc.positionAt(r.from), doc.positionAt(r.to));
      return r.items.map((i) => {
        const item = new vscode.CompletionItem(i.label, KINDS[i.kind] ?? vscode.CompletionItemKind.Text);
        item.detail = i.detail;
        item.range = range;
        return item;
      });
    } catch {
      return undefined; // busy kernel (a long cell): VS Code's own completions still apply
    }
  }
}

// The HTML shell of every webview panel: a nonce-only CSP (crypto.randomUUID()), scripts and plotly
// only from the extension's out/webviews folder (localResourceRoots), nothing remote.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';

export interface PanelHtmlOptions {
  /** Bundle in out/webviews/ (e.g. 'datasetExplorer.js'). */
  script: string;
  title: string;
  /** Serialized into a JSON <script> the panel reads on load (its first payload). */
  initialState: unknown;
}

export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'out', 'webviews')];
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: PanelHtmlOptions): string {
  const nonce = randomUUID();
  const asset = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webviews', f)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
    // Plotly sets inline style attributes; the renderers' own CSS is injected as <style nonce>.
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  // `</` inside the JSON would close the <script> element early.
  const state = JSON.stringify(opts.initialState ?? null).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(opts.title)}</title>
</head>
<body data-nonce="${nonce}" data-plotly-url="${asset('plotly.min.js')}">
<div id="root"></div>
<script type="application/json" id="empathy-initial-state" nonce="${nonce}">${state}</script>
<script nonce="${nonce}" src="${asset(opts.script)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

// The self-contained HTML report of an (executed) notebook: markdown rendered, code, streams,
// errors, and rich outputs as `<div class="empathy-output" data-mime>` + JSON payload, drawn by
// the webviews' report script (out/webviews/report.js) with plotly — both inlined, nothing is
// fetched from the network. Without the report script, each output's text/plain fallback shows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../dataset/atomicFile';
import type { CellOutput, Notebook } from '../notebook/format/notebook';
import type { MimeBundle } from '../protocol/mime';
import { escapeHtml, renderMarkdown } from './markdown';

export interface HtmlReportOptions {
  /** Page title (default: notebook metadata title, else 'Empathy notebook'). */
  title?: string;
  /** The webviews report bundle (default: <repo>/out/webviews/report.js; skipped when missing). */
  reportScript?: string | false;
  /** plotly.min.js (default: resolved from node_modules/plotly.js-dist-min; only inlined when a plot is present). */
  plotly?: string | false;
  /** Source file name shown in the header. */
  source?: string;
}

/** MIME types drawn by the report script, in preference order; plots need plotly. */
const RICH_PREFIX = 'application/vnd.empathy.';
const PLOT_MIMES = new Set(['application/vnd.empathy.loss-curve+json', 'application/vnd.empathy.confusion+json', 'application/vnd.empathy.runs+json', 'application/vnd.empathy.metrics+json', 'application/vnd.empathy.dataset+json']);

/** JSON safe inside <script>: no `</script>`, no HTML comment openers, no JS line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script body safe to inline (cannot close its own <script> element). */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function defaultReportScript(): string | undefined {
  const p = path.resolve(__dirname, '../../webviews/report.js');
  return fs.existsSync(p) ? p : undefined;
}

function defaultPlotly(): string | undefined {
  for (const base of [process.cwd(), path.resolve(__dirname, '../../..')]) {
    try {
      return require.resolve('plotly.js-dist-min/plotly.min.js', { paths: [base] });
    } catch {
      // try the next
    }
  }
  return undefined;
}

function renderBundle(bundle: MimeBundle, kind: 'display' | 'result', count: number | null, scriptAvailable: boolean): { html: string; plot: boolean } {
  const rich = Object.keys(bundle).filter((m) => m.startsWith(RICH_PREFIX)).sort();
  const label = kind === 'result' && count !== null ? `<div class="out-prompt">Out[${count}]:</div>` : '';
  if (rich.length > 0) {
    const mime = rich[0];
    const fallback = `<pre class="empathy-fallback">${escapeHtml(bundle['text/plain'])}</pre>`;
    return {
      html: `${label}<div class="empathy-output" data-mime="${escapeHtml(mime)}"><script type="application/json">${scriptJson(bundle[mime])}</script>${fallback}</div>`,
      plot: scriptAvailable && PLOT_MIMES.has(mime),
    };
  }
  for (const img of ['image/png', 'image/jpeg', 'image/svg+xml']) {
    const data = bundle[img];
    if (typeof data !== 'string') continue;
    // Images as data URLs (an SVG in <img> runs no scripts).
    const b64 = img === 'image/svg+xml' ? Buffer.from(data, 'utf8').toString('base64') : data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/=]*$/.test(b64)) break;
    return { html: `${label}<img class="image-output" alt="${escapeHtml(bundle['text/plain'])}" src="data:${img};base64,${b64}">`, plot: false };
  }
  if (typeof bundle['text/html'] === 'string') {
    // Cell HTML is shown in a sandboxed frame: no scripts, no access to the report.
    return { html: `${label}<iframe class="html-output" sandbox="" srcdoc="${escapeHtml(bundle['text/html'] as string)}" title="HTML output"></iframe>`, plot: false };
  }
  if (typeof bundle['text/markdown'] === 'string') {
    return { html: `${label}<div class="markdown-output">${renderMarkdown(bundle['text/markdown'] as string)}</div>`, plot: false };
  }
  return { html: `${label}<pre class="text-output">${escapeHtml(bundle['text/plain'])}</pre>`, plot: false };
}

function renderOutput(o: CellOutput, count: number | null, scriptAvailable: boolean): { html: string; plot: boolean } {
  switch (o.kind) {
    case 'stream': return { html: `<pre class="stream ${o.name}">${escapeHtml(o.text)}</pre>`, plot: false };
    case 'error': return { html: `<pre class="error-output"><strong>${escapeHtml(o.name)}: ${escapeHtml(o.message)}</strong>\n${escapeHtml(o.stack.split('\n').slice(1).join('\n'))}</pre>`, plot: false };
    case 'display': return renderBundle(o.bundle, 'display', count, scriptAvailable);
    case 'result': return renderBundle(o.bundle, 'result', count, scriptAvailable);
  }
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #656d76; --border: #d0d7de; --code-bg: #f6f8fa; --err: #b42318; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --border: #30363d; --code-bg: #161b22; --err: #ff7b72; --warn: #d29922; } }
/* Forced colours (Windows high contrast): system colours everywhere, borders kept so structure stays visible. */
@media (forced-colors: active) { :root { --fg: CanvasText; --bg: Canvas; --muted: CanvasText; --border: CanvasText; --code-bg: Canvas; --err: CanvasText; --warn: CanvasText; } }
:focus-visible { outline: 2px solid Highlight; outline-offset: 2px; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
header.report { border-bottom: 1px solid var(--border); margin-bottom: 16px; color: var(--muted); font-size: 13px; }
.cell { margin: 14px 0; }
.cell.code .source { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; overflow-x: auto; margin: 0; }
.cell-head { font: 12px ui-monospace, monospace; color: var(--muted); margin-bottom: 4px; display: flex; gap: 12px; }
.cell-head .status-error, .cell-head .status-interrupted { color: var(--err); }
.cell-head .status-stale { color: var(--warn); }
pre, code { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.outputs { margin: 6px 0 0 0; }
.outputs > * { margin: 6px 0; }
pre.stream, pre.text-output, pre.empathy-fallback { white-space: pre-wrap; margin: 4px 0; }
pre.stderr { color: var(--warn); }
pre.error-output { color: var(--err); white-space: pre-wrap; border-left: 3px solid var(--err); padding-left: 10px; }
.out-prompt { font: 12px ui-monospace, monospace; color: var(--muted); }
.empathy-output[data-rendered] > .empathy-fallback { display: none; }
img.image-output { max-width: 100%; }
iframe.html-output { width: 100%; min-height: 120px; border: 1px solid var(--border); border-radius: 6px; background: #fff; }
.markdown table, .markdown-output table { border-collapse: collapse; }
.markdown th, .markdown td, .markdown-output th, .markdown-output td { border: 1px solid var(--border); padding: 4px 8px; }
.markdown code, .markdown-output code { background: var(--code-bg); padding: 1px 4px; border-radius: 4px; }
.markdown pre, .markdown-output pre { background: var(--code-bg); padding: 10px; border-radius: 6px; overflow-x: auto; }
.markdown pre code { background: none; padding: 0; }
`;

/** Render the report HTML (a string; see writeHtmlReport to write it atomically). */
export function renderHtmlReport(nb: Notebook, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? (typeof nb.metadata.title === 'string' ? nb.metadata.title : 'Empathy notebook');
  const scriptPath = opts.reportScript === false ? undefined : opts.reportScript ?? defaultReportScript();
  const script = scriptPath && fs.existsSync(scriptPath) ? fs.readFileSync(scriptPath, 'utf8') : undefined;
  let needsPlotly = false;
  const cells = nb.cells.map((c, idx) => {
    if (c.kind === 'markdown') return `<section class="cell markdown">${renderMarkdown(c.source)}</section>`;
    const ex = c.execution;
    // A cell without an execution record was not run: outputs it carries are from an earlier run, and say so.
    const notRun = c.outputs.length > 0 ? '<span class="status-stale">not run (outputs from an earlier run)</span>' : '<span class="status-not-run">not run</span>';
    const head = `<div class="cell-head"><span>[${ex?.count ?? ' '}]</span>${ex ? `<span class="status-${ex.status}">${ex.status}</span><span>${(ex.durationMs / 1000).toFixed(2)} s</span>` : notRun}</div>`;
    const outputs = c.outputs.map((o) => {
      const r = renderOutput(o, ex?.count ?? null, !!script);
      needsPlotly ||= r.plot;
      return r.html;
    }).join('\n');
    return `<section class="cell code" id="cell-${escapeHtml(c.id ?? String(idx))}">${head}<pre class="source" tabindex="0" aria-label="cell ${ex?.count ?? idx + 1} source"><code class="language-${escapeHtml(c.language)}">${escapeHtml(c.source)}</code></pre><div class="outputs">${outputs}</div></section>`;
  }).join('\n');
  const plotlyPath = opts.plotly === false ? undefined : opts.plotly ?? defaultPlotly();
  const plotly = script && needsPlotly && plotlyPath && fs.existsSync(plotlyPath) ? fs.readFileSync(plotlyPath, 'utf8') : undefined;
  const csp = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; frame-src 'self' about: data:; worker-src blob:";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Empathy Workbench">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-report-renderer="${script ? 'webviews' : 'text'}">
<main>
<header class="report">${escapeHtml(title)}${opts.source ? ` · ${escapeHtml(opts.source)}` : ''} · generated ${new Date().toISOString()}${script ? '' : ' · rich outputs shown as text (webviews report script not built)'}</header>
${cells}
</main>
${plotly ? `<script>${inlineScript(plotly)}</script>\n` : ''}${script ? `<script>${inlineScript(script)}</script>\n` : ''}</body>
</html>
`;
}

/** Write the report atomically (temp file + rename); folders are created. */
export function writeHtmlReport(file: string, nb: Notebook, opts: HtmlReportOptions = {}): void {
  const html = renderHtmlReport(nb, opts);
  writeFileAtomic(file, html);
}

// What *Export as HTML* and *Export as .ipynb* write, from a notebook as it is (its saved or current
// outputs; nothing is re-run): the report page (kernel/report/html.ts) or Jupyter's nbformat 4
// (kernel/notebook/format/ipynb.ts). No `vscode` import: the commands (commands/exportNotebook.ts) are thin.
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Notebook } from '../kernel/notebook/format/notebook';
import { serializeIpynb } from '../kernel/notebook/format/ipynb';
import { withStaticFallback } from '../kernel/report/fallback/index';
import { renderHtmlReport } from '../kernel/report/html';

export type ExportFormat = 'html' | 'ipynb';

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { html: '.html', ipynb: '.ipynb' };

/** The default target: beside the notebook, same name, the format's extension (`x.empathy` → `x.html`). */
export function exportPath(notebookPath: string, format: ExportFormat): string {
  const base = basename(notebookPath, extname(notebookPath)) || 'notebook';
  return join(dirname(notebookPath), base + EXPORT_EXTENSIONS[format]);
}

/** Refuses to write the export over the notebook it comes from. */
export function checkExportTarget(target: string, source: string | undefined): void {
  if (source && resolve(target) === resolve(source)) throw new Error(`will not write the export over the notebook itself (${source})`);
}

export interface ExportOptions {
  /** Page title (HTML): default the notebook's metadata title, else its file name. */
  title?: string;
  /** Shown in the HTML header. */
  source?: string;
  /** The webviews report script and plotly to inline (HTML; the extension's out/webviews copies). */
  reportScript?: string | false;
  plotly?: string | false;
}

/** The exported file's text. */
export function renderExport(nb: Notebook, format: ExportFormat, opts: ExportOptions = {}): string {
  if (format === 'ipynb') return serializeIpynb(nb, { enrich: withStaticFallback });
  return renderHtmlReport(nb, { title: opts.title, source: opts.source, reportScript: opts.reportScript, plotly: opts.plotly });
}

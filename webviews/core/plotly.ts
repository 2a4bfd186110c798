// plotly.js, loaded lazily: `window.Plotly` when the page already has it (the HTML report inlines it),
// else one <script> injected from ctx.plotlyUrl (VS Code: the renderer's own folder). Never a remote URL.
import { chartColors, type ChartColors } from './theme';
import { onThemeChange } from './themeChange';
import type { RenderContext } from './context';

/** The part of the plotly API we use (plotly.js-dist-min ships no types). */
export interface PlotlyApi {
  newPlot(el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<HTMLElement>;
  react(el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<HTMLElement>;
  relayout(el: HTMLElement, update: unknown): Promise<HTMLElement>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}

declare global {
  interface Window { Plotly?: PlotlyApi }
}

let loading: Promise<PlotlyApi> | undefined;

export function loadPlotly(ctx: RenderContext): Promise<PlotlyApi> {
  watchTheme(chartColors);
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (loading) return loading;
  const url = ctx.plotlyUrl;
  if (!url) return Promise.reject(new Error('plotly.js is not on the page and no plotlyUrl was given to load it from'));
  if (!isLocalUrl(url)) {
    // Only local or VS Code resource origins: the workbench never loads anything from the network.
    return Promise.reject(new Error(`refusing to load plotly.js from a remote URL: ${url}`));
  }
  loading = new Promise<PlotlyApi>((resolve, reject) => {
    // plotly's UMD wrapper registers with an AMD loader when one is on the page (some notebook hosts
    // add require.js) instead of setting window.Plotly: hide `define` while it runs.
    const w = window as unknown as { define?: { amd?: unknown } };
    const amd = w.define?.amd ? w.define : undefined;
    if (amd) w.define = undefined;
    const done = () => { if (amd) w.define = amd; };
    const s = document.createElement('script');
    s.src = url;
    if (ctx.nonce) s.nonce = ctx.nonce;
    s.onload = () => { done(); if (window.Plotly) resolve(window.Plotly); else reject(new Error(`${url} loaded but did not define window.Plotly`)); };
    s.onerror = () => { done(); reject(new Error(`could not load plotly.js from ${url}`)); };
    document.head.appendChild(s);
  }).catch((e) => { loading = undefined; throw e; });
  return loading;
}

/** Same origin, a non-http scheme (file:, vscode-*:), loopback, or VS Code's webview resource host. */
export function isLocalUrl(url: string): boolean {
  let u: URL;
  try { u = new URL(url, location.href); } catch { return false; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return true;
  if (u.origin === location.origin) return true;
  return /^(localhost|127\.0\.0\.1|\[::1\])$/.test(u.hostname) || /\.vscode-(cdn|resource)\.net$/.test(u.hostname) || u.hostname.endsWith('.test');
}

/** Layout defaults that follow the theme: transparent background, theme font and foreground, subtle grid. */
export function baseLayout(c: ChartColors, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const axis = { gridcolor: c.grid, zerolinecolor: c.grid, linecolor: c.grid, tickfont: { color: c.muted }, title: { font: { color: c.fg } } };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: c.font, color: c.fg, size: 12 },
    margin: { l: 56, r: 56, t: 28, b: 44 },
    colorway: c.series,
    legend: { orientation: 'h', y: -0.2, font: { color: c.fg } },
    hoverlabel: { font: { family: c.font } },
    xaxis: { ...axis },
    yaxis: { ...axis },
    ...extra,
  };
}

/** Static-ish config: no plotly logo, no cloud links, responsive to the container width. */
export const PLOT_CONFIG = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

/** Purge every plot inside el (before clearing it or when the host disposes the output). */
export function purgePlots(el: HTMLElement): void {
  const P = window.Plotly;
  if (!P) return;
  el.querySelectorAll<HTMLElement>('.js-plotly-plot').forEach((p) => P.purge(p));
}

/** Re-colour every plot under root from the current theme (VS Code theme switch, OS dark mode). */
export function rethemePlots(root: ParentNode, colors: (el: Element) => ChartColors): void {
  const P = window.Plotly;
  if (!P) return;
  root.querySelectorAll<HTMLElement & { layout?: Record<string, unknown> }>('.js-plotly-plot').forEach((plot) => {
    const c = colors(plot);
    const upd: Record<string, unknown> = { 'font.color': c.fg, 'legend.font.color': c.fg, 'title.font.color': c.muted };
    for (const ax of ['xaxis', 'yaxis', 'yaxis2']) {
      if (!plot.layout?.[ax]) continue;
      Object.assign(upd, { [`${ax}.tickfont.color`]: c.muted, [`${ax}.title.font.color`]: c.muted });
      if (ax !== 'yaxis2') Object.assign(upd, { [`${ax}.gridcolor`]: c.grid, [`${ax}.zerolinecolor`]: c.grid, [`${ax}.linecolor`]: c.grid });
    }
    void P.relayout(plot, upd);
  });
}

let watching = false;
/** Once per document: follow theme changes. */
export function watchTheme(colors: (el: Element) => ChartColors): void {
  if (watching) return;
  watching = true;
  onThemeChange((doc) => rethemePlots(doc, colors));
}

// Colours from the host theme: `--vscode-*` CSS variables inside VS Code, a built-in light/dark fallback
// palette elsewhere (the HTML report), chosen from prefers-color-scheme or `data-empathy-theme`.

import { blend, contrast, resolveColor, rgb, type Rgb } from './contrast';

/** Fallback values of the --vscode-* variables we (and @vscode-elements) read. */
const PALETTES: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
    '--vscode-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#616161', // #6f6f6f was 4.48:1 on the quote grey (#f2f2f2); WCAG AA needs 4.5
    '--vscode-editor-background': '#ffffff',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-widget-border': '#d0d0d0',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-textLink-foreground': '#005fb8',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-purple': '#652d90',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#3b3b3b',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownListBorder': '#cecece',
    '--vscode-settings-checkboxBackground': '#ffffff',
    '--vscode-settings-checkboxForeground': '#3b3b3b',
    '--vscode-settings-checkboxBorder': '#cecece',
    '--vscode-checkbox-background': '#ffffff',
    '--vscode-checkbox-border': '#cecece',
    '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-textBlockQuote-background': '#f2f2f2',
    '--vscode-inputValidation-errorBackground': '#fdecea',
    '--vscode-inputValidation-errorBorder': '#e51400',
    '--vscode-errorForeground': '#c72e0f',
    '--vscode-badge-background': '#cccccc',
    '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-button-border': 'transparent',
    '--vscode-list-focusOutline': '#005fb8',
    '--vscode-list-highlightForeground': '#0066bf',
    '--vscode-list-focusHighlightForeground': '#0066bf',
    '--vscode-list-hoverForeground': '#3b3b3b',
    '--vscode-font-weight': 'normal',
  },
  dark: {
    '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-widget-border': '#454545',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-textLink-foreground': '#4daafc',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-input-background': '#313131',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-dropdown-background': '#313131',
    '--vscode-dropdown-foreground': '#cccccc',
    '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-settings-checkboxBackground': '#313131',
    '--vscode-settings-checkboxForeground': '#cccccc',
    '--vscode-settings-checkboxBorder': '#3c3c3c',
    '--vscode-checkbox-background': '#313131',
    '--vscode-checkbox-border': '#3c3c3c',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-editorWidget-background': '#202020',
    '--vscode-textBlockQuote-background': '#2b2b2b',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-errorForeground': '#f85149',
    '--vscode-badge-background': '#616161',
    '--vscode-badge-foreground': '#f8f8f8',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-button-border': 'rgba(255,255,255,0.07)',
    '--vscode-list-focusOutline': '#0078d4',
    '--vscode-list-highlightForeground': '#2aaaff',
    '--vscode-list-focusHighlightForeground': '#2aaaff',
    '--vscode-list-hoverForeground': '#ffffff',
    '--vscode-font-weight': 'normal',
  },
};

/** True inside a VS Code webview (VS Code sets these classes on <body> and defines the variables itself). */
export function insideVsCode(): boolean {
  const c = document.body?.classList;
  return !!c && (c.contains('vscode-light') || c.contains('vscode-dark') || c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light'));
}

/**
 * Outside VS Code, define the --vscode-* variables from the fallback palette. The scheme follows
 * `<html data-empathy-theme="light|dark">` when set, else the OS preference (live via a media query).
 * `styleBody` also paints the page background (panels; the report page keeps its own).
 */
export function installFallbackTheme(doc: Document = document, opts: { styleBody?: boolean } = {}): void {
  if (insideVsCode() || doc.getElementById('ew-fallback-theme')) return;
  const rule = (sel: string, vars: Record<string, string>) =>
    `${sel}{${Object.entries(vars).map(([k, v]) => `${k}:${v}`).join(';')}}`;
  const style = doc.createElement('style');
  style.id = 'ew-fallback-theme';
  style.textContent = [
    rule(':root', PALETTES.light),
    `@media (prefers-color-scheme: dark){${rule(':root', PALETTES.dark)}}`,
    rule(':root[data-empathy-theme="light"]', PALETTES.light),
    rule(':root[data-empathy-theme="dark"]', PALETTES.dark),
    // Panels own their page; the HTML report keeps its own body style.
    opts.styleBody ? 'body{background:var(--vscode-editor-background);color:var(--vscode-foreground);font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);}' : '',
  ].join('\n');
  doc.head.appendChild(style);
}

/** Read a CSS variable as resolved on `el`, with a fallback when the host does not define it. */
export function cssVar(el: Element, name: string, fallback: string): string {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}

/** Resolved colours for charts (plotly needs concrete colour strings, not var()). */
export interface ChartColors {
  fg: string; muted: string; bg: string; grid: string; font: string;
  series: string[];
}

export function chartColors(el: Element): ChartColors {
  const fg = cssVar(el, '--vscode-foreground', '#3b3b3b');
  const bg = cssVar(el, '--vscode-editor-background', '#ffffff');
  const doc = el.ownerDocument;
  const under = blend(resolveColor(bg, doc), [255, 255, 255]);
  const ink = blend(resolveColor(fg, doc), under);
  return {
    fg,
    muted: cssVar(el, '--vscode-descriptionForeground', '#616161'),
    bg: cssVar(el, '--vscode-editor-background', '#ffffff'),
    grid: cssVar(el, '--vscode-widget-border', cssVar(el, '--vscode-panel-border', '#d0d0d0')),
    font: cssVar(el, '--vscode-font-family', 'sans-serif'),
    series: [
      cssVar(el, '--vscode-charts-blue', '#1a85ff'),
      cssVar(el, '--vscode-charts-orange', '#d18616'),
      cssVar(el, '--vscode-charts-green', '#388a34'),
      cssVar(el, '--vscode-charts-purple', '#652d90'),
      cssVar(el, '--vscode-charts-red', '#e51400'),
      cssVar(el, '--vscode-charts-yellow', '#bf8803'),
    ].map((c) => legible(c, under, ink, doc)),
  };
}

/**
 * A plot colour that keeps 3:1 against the background (WCAG 1.4.11, non-text contrast): the theme's own
 * colour where it does, else moved toward the foreground (which reads on the background) until it does.
 */
function legible(color: string, bg: Rgb, fg: Rgb, doc: Document): string {
  const own = blend(resolveColor(color, doc), bg);
  if (contrast(own, bg) >= 3) return color;
  for (let t = 0.1; t < 1; t += 0.1) {
    const moved = blend([...fg, 1] as [number, number, number, number], own, t);
    if (contrast(moved, bg) >= 3) return rgb(moved);
  }
  return rgb(fg);
}

/** Whether the resolved background is dark (to pick heatmap shading that reads on it). */
export function isDark(el: Element): boolean {
  const bg = cssVar(el, '--vscode-editor-background', '#ffffff');
  const m = /^#([0-9a-f]{6})$/i.exec(bg) ?? /^#([0-9a-f]{3})$/i.exec(bg);
  let r = 255, g = 255, b = 255;
  if (m) {
    const hex = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
    r = parseInt(hex.slice(0, 2), 16); g = parseInt(hex.slice(2, 4), 16); b = parseInt(hex.slice(4, 6), 16);
  } else {
    const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(bg);
    if (rgb) { r = +rgb[1]; g = +rgb[2]; b = +rgb[3]; }
  }
  return 0.299 * r + 0.587 * g + 0.114 * b < 128;
}


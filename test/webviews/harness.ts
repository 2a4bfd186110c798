// Headless Chromium for the webview tests: a system Chromium (test/support/chromium.ts: $EMPATHY_CHROMIUM
// or `chromium` on PATH, provisioned by `npm test`) through playwright-core (no browser download), pages served from a fake local origin out of the repo, every other request
// blocked and recorded, console errors collected, screenshots written to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserTestsUnavailable, CHROMIUM } from '../support/chromium';
import { skipBecause } from '../support/skip';

export const REPO = path.resolve(__dirname, '../../..');
export { CHROMIUM } from '../support/chromium';
export const SHOT_DIR = path.join(REPO, 'test-output', 'screenshots');
const ORIGIN = 'http://empathy.test';

export type Theme = 'light' | 'dark' | 'hc-dark' | 'hc-light';
export const ALL_THEMES: Theme[] = ['light', 'dark', 'hc-dark', 'hc-light'];

/**
 * VS Code's high-contrast themes as a webview sees them: a body class and the --vscode-* variables the
 * host defines (values of the built-in "Dark High Contrast" / "Light High Contrast" themes for the
 * variables our webviews and @vscode-elements read). Our own fallback palette is then not installed.
 */
const HIGH_CONTRAST: Record<'hc-dark' | 'hc-light', { bodyClass: string; vars: Record<string, string> }> = {
  'hc-dark': { bodyClass: 'vscode-high-contrast', vars: {
    'font-family': 'system-ui, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace', 'font-weight': 'normal',
    foreground: '#ffffff', descriptionForeground: '#ffffffb3', 'editor-background': '#000000', 'editor-foreground': '#ffffff',
    contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', focusBorder: '#f38518', 'panel-border': '#6fc3df', 'widget-border': '#6fc3df',
    'textLink-foreground': '#21a6ff', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-red': '#f48771',
    'charts-purple': '#b180d7', 'charts-yellow': '#ffd700', 'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
    'input-placeholderForeground': '#ffffffb3', 'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
    'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff',
    'dropdown-border': '#6fc3df', 'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownBorder': '#6fc3df',
    'settings-dropdownListBorder': '#6fc3df', 'settings-checkboxBackground': '#000000', 'settings-checkboxForeground': '#ffffff', 'settings-checkboxBorder': '#6fc3df',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff',
    'list-focusOutline': '#f38518', 'list-hoverForeground': '#ffffff', 'list-highlightForeground': '#f38518', 'editorWidget-background': '#0c141f',
    'textBlockQuote-background': '#000000', 'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#f48771', 'errorForeground': '#f48771',
    'badge-background': '#000000', 'badge-foreground': '#ffffff', 'editorWarning-foreground': '#ffd370', 'settings-textInputBackground': '#000000',
    'settings-textInputForeground': '#ffffff', 'settings-textInputBorder': '#6fc3df' } },
  'hc-light': { bodyClass: 'vscode-high-contrast-light', vars: {
    'font-family': 'system-ui, sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace', 'font-weight': 'normal',
    foreground: '#292929', descriptionForeground: '#292929b3', 'editor-background': '#ffffff', 'editor-foreground': '#292929',
    contrastBorder: '#0f4a85', contrastActiveBorder: '#006bbd', focusBorder: '#006bbd', 'panel-border': '#0f4a85', 'widget-border': '#0f4a85',
    'textLink-foreground': '#0f4a85', 'charts-blue': '#0f4a85', 'charts-orange': '#8c4600', 'charts-green': '#296b2b', 'charts-red': '#b5200d',
    'charts-purple': '#652d90', 'charts-yellow': '#7f6400', 'input-background': '#ffffff', 'input-foreground': '#292929', 'input-border': '#0f4a85',
    'input-placeholderForeground': '#292929b3', 'button-background': '#0f4a85', 'button-foreground': '#ffffff', 'button-border': '#0f4a85',
    'button-secondaryBackground': '#ffffff', 'button-secondaryForeground': '#292929', 'dropdown-background': '#ffffff', 'dropdown-foreground': '#292929',
    'dropdown-border': '#0f4a85', 'settings-dropdownBackground': '#ffffff', 'settings-dropdownForeground': '#292929', 'settings-dropdownBorder': '#0f4a85',
    'settings-dropdownListBorder': '#0f4a85', 'settings-checkboxBackground': '#ffffff', 'settings-checkboxForeground': '#292929', 'settings-checkboxBorder': '#0f4a85',
    'checkbox-background': '#ffffff', 'checkbox-border': '#0f4a85', 'list-activeSelectionBackground': '#ffffff', 'list-activeSelectionForeground': '#292929',
    'list-focusOutline': '#006bbd', 'list-hoverForeground': '#292929', 'list-highlightForeground': '#0f4a85', 'editorWidget-background': '#ffffff',
    'textBlockQuote-background': '#ffffff', 'inputValidation-errorBackground': '#ffffff', 'inputValidation-errorBorder': '#b5200d', 'errorForeground': '#b5200d',
    'badge-background': '#0f4a85', 'badge-foreground': '#ffffff', 'editorWarning-foreground': '#895503', 'settings-textInputBackground': '#ffffff',
    'settings-textInputForeground': '#292929', 'settings-textInputBorder': '#0f4a85' } },
};

/** The <style> and body class that make a page look like a VS Code webview in a high-contrast theme. */
function highContrast(theme: Theme): { style: string; bodyClass: string } {
  if (theme !== 'hc-dark' && theme !== 'hc-light') return { style: '', bodyClass: '' };
  const hc = HIGH_CONTRAST[theme];
  return { style: `:root{${Object.entries(hc.vars).map(([k, v]) => `--vscode-${k}:${v}`).join(';')}}`, bodyClass: hc.bodyClass };
}
export type Bundle = 'report' | 'datasetExplorer' | 'rationaleInspector';

export interface PageSpec {
  /** Inner HTML of <body>. */
  body: string;
  theme?: Theme;
  /** inline: plotly <script> before the bundle (like the HTML report); lazy: the renderer loads it. */
  plotly?: 'inline' | 'lazy';
  bundle: Bundle;
  /** Fake VS Code webview API (acquireVsCodeApi) recording posted messages in window.__posted. */
  vscodeApi?: boolean;
  /** Attributes of the bundle's <script> tag (e.g. data-debounce-ms). */
  scriptAttrs?: Record<string, string>;
  viewport?: { width: number; height: number };
}

export interface TestPage {
  page: Page;
  /** console.error messages and uncaught exceptions. */
  errors: string[];
  /** Requests that tried to leave the local origin. */
  blocked: string[];
  js<T = unknown>(expr: string): Promise<T>;
  /** Screenshot to test-output/screenshots/<name>.png (whole page unless fullPage is false). */
  shot(name: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** Page-side helpers the tests call through `js('__t.…')`. */
const HELPERS = `
window.__t = {
  count: (sel) => document.querySelectorAll(sel).length,
  texts: (sel) => Array.from(document.querySelectorAll(sel), (e) => e.textContent),
  attrs: (sel, a) => Array.from(document.querySelectorAll(sel), (e) => e.getAttribute(a)),
  /** Set a control's value as a user would and fire the event our code listens to. */
  set: (sel, value) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error('no element ' + sel);
    if (typeof value === 'boolean') el.checked = value; else el.value = value;
    const ev = ['VSCODE-TEXTFIELD', 'INPUT', 'TEXTAREA'].includes(el.tagName) ? 'input' : 'change';
    el.dispatchEvent(new Event(ev, { bubbles: true }));
  },
  click: (sel) => { const el = document.querySelector(sel); if (!el) throw new Error('no element ' + sel); el.click(); },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  frame: () => new Promise((r) => requestAnimationFrame(() => r())),
};
`;

const FAKE_VSCODE = `
window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__vsState,
  setState: (s) => { window.__vsState = s; },
});
`;

export class Harness {
  private pages = new Map<string, string>();
  private n = 0;
  private constructor(readonly browser: Browser) {}

  static available(): boolean {
    return Harness.unavailable() === undefined;
  }

  /** Why the harness cannot run here (no Chromium, webviews not built), or undefined. */
  static unavailable(): string | undefined {
    const browser = browserTestsUnavailable();
    if (browser) return browser;
    return fs.existsSync(path.join(REPO, 'out', 'webviews', 'report.js')) ? undefined : 'webviews not built (node build.mjs)';
  }

  static async launch(): Promise<Harness> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
    return new Harness(browser);
  }

  async open(spec: PageSpec): Promise<TestPage> {
    const attrs = Object.entries(spec.scriptAttrs ?? {}).map(([k, v]) => ` ${k}="${v.replace(/"/g, '&quot;')}"`).join('');
    const theme = spec.theme ?? 'light';
    const hc = highContrast(theme);
    return this.openHtml(`<!doctype html>
<html lang="en"${hc.bodyClass ? '' : ` data-empathy-theme="${theme}"`}><head><meta charset="utf-8"><title>${spec.bundle}</title>
<style>${hc.style}body{background:var(--vscode-editor-background);color:var(--vscode-foreground)}</style>
<script>${HELPERS}${spec.vscodeApi ? FAKE_VSCODE : ''}</script>
${spec.plotly === 'inline' ? `<script src="${ORIGIN}/out/webviews/plotly.min.js"></script>` : ''}
</head><body style="margin:12px"${hc.bodyClass ? ` class="${hc.bodyClass}"` : ''}>${spec.body}
<script src="${ORIGIN}/out/webviews/${spec.bundle}.js"${attrs}></script></body></html>`, { viewport: spec.viewport });
  }

  /** Serve a complete HTML document (e.g. a generated report) from the local origin and open it. */
  async openHtml(html: string, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; forcedColors?: boolean } = {}): Promise<TestPage> {
    const id = `p${++this.n}`;
    this.pages.set(`/${id}.html`, html);
    const context = await this.browser.newContext({ viewport: opts.viewport ?? { width: 1180, height: 820 }, deviceScaleFactor: 1, colorScheme: opts.colorScheme ?? 'light', forcedColors: opts.forcedColors ? 'active' : 'none' });
    const page = await context.newPage();
    const errors: string[] = [];
    const blocked: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) { blocked.push(url.href); return route.abort(); }
      const html = this.pages.get(url.pathname);
      if (html !== undefined) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      const file = path.join(REPO, decodeURIComponent(url.pathname));
      if (file.startsWith(path.join(REPO, 'out', 'webviews')) && fs.existsSync(file)) {
        return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fs.readFileSync(file) });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto(`${ORIGIN}/${id}.html`);
    return {
      page, errors, blocked,
      js: <T,>(expr: string) => page.evaluate(expr) as Promise<T>,
      shot: async (name: string, fullPage = true) => {
        fs.mkdirSync(SHOT_DIR, { recursive: true });
        const file = path.join(SHOT_DIR, `${name}.png`);
        await page.screenshot({ path: file, fullPage });
        return file;
      },
      close: () => context.close(),
    };
  }

  close(): Promise<void> { return this.browser.close(); }
}

/** The `.empathy-output` markup the HTML report uses (payload JSON safely embedded in a script tag). */
export function outputDiv(mime: string, payload: unknown, id?: string): string {
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  return `<div class="empathy-output"${id ? ` id="${id}"` : ''} data-mime="${mime}"><script type="application/json">${json}</script></div>`;
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'webviews', 'fixtures', name), 'utf8')) as T;
}

/**
 * One headless Chromium for the calling mocha suite (skipped where Chromium or the build is missing).
 * Pages pushed to `opened` are closed after each test; with `police` (default) each must have logged
 * no console error and fetched nothing outside the local origin.
 */
export function useHarness(opts: { police?: boolean } = {}): { readonly hx: Harness; opened: TestPage[] } {
  let hx: Harness | undefined;
  const opened: TestPage[] = [];
  before(async function () {
    const why = Harness.unavailable();
    if (why) skipBecause(this, why);
    hx = await Harness.launch();
  });
  after(async () => { await hx?.close(); });
  afterEach(async () => {
    for (const p of opened.splice(0)) {
      if (opts.police !== false) {
        assert.deepEqual(p.errors, [], 'no console errors');
        assert.deepEqual(p.blocked, [], 'no request left the local origin');
      }
      await p.close();
    }
  });
  return {
    get hx(): Harness {
      if (!hx) throw new Error('useHarness: Chromium was not launched');
      return hx;
    },
    opened,
  };
}

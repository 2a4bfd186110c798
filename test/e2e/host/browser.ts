// Drives Debian's Chromium through playwright-core (from the e2e cache, not the project's deps): opens the
// workbench, blocks and logs every request that is not to 127.0.0.1, exposes window.codeAutomationExit,
// and answers the extension tests' DOM questions (text inside renderer/webview iframes + screenshots).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserQuestion, BrowserAnswer } from '../suite/browserProtocol';
import { AXE_FINDINGS_SCRIPT, AXE_SOURCE, seriousLines, type AxeFinding } from '../../support/axe';

// Minimal structural types for the parts of playwright-core used here (it is loaded from the cache folder
// at run time, so its .d.ts is not available to the project's type check).
interface PwFrame { url(): string; evaluate<T>(fn: string): Promise<T>; focus(selector: string): Promise<void>; childFrames(): PwFrame[] }
interface PwRoute { request(): { url(): string }; continue(): Promise<void>; abort(code?: string): Promise<void> }
interface PwPage {
  goto(url: string, opts?: { waitUntil?: string; timeout?: number }): Promise<unknown>;
  frames(): PwFrame[];
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
  exposeFunction(name: string, fn: (...a: unknown[]) => unknown): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
}
interface PwContext { route(pattern: string, fn: (r: PwRoute) => unknown): Promise<void>; newPage(): Promise<PwPage> }
interface PwBrowser { newContext(opts: Record<string, unknown>): Promise<PwContext>; close(): Promise<void> }
interface PlaywrightCore { chromium: { launch(opts: Record<string, unknown>): Promise<PwBrowser> } }

export interface BrowserConfig {
  playwrightCoreDir: string;
  chromiumPath: string; // Debian's /usr/bin/chromium
  screenshotDir: string; // test-output/e2e
  handshakeDir: string; // where the extension tests write questions and read answers
  log: (line: string) => void;
}

export interface BrowserSession {
  blocked: string[];
  /** Resolves with the code passed to window.codeAutomationExit. */
  exitCode: Promise<number>;
  page: PwPage;
  close(): Promise<void>;
}

const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function isLocal(url: string): boolean {
  if (!/^(https?|wss?):/i.test(url)) return true; // data:, blob:, about:, vscode-*: never leave the machine
  try { return new URL(url).hostname === '127.0.0.1'; } catch { return false; }
}

export async function openWorkbench(cfg: BrowserConfig, url: string): Promise<BrowserSession> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pw = require(cfg.playwrightCoreDir) as PlaywrightCore;
  const browser = await pw.chromium.launch({ executablePath: cfg.chromiumPath, headless: true, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'allow' });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const u = route.request().url();
    if (isLocal(u)) return route.continue();
    blocked.push(u);
    cfg.log(`e2e: blocked request to ${u}`);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => cfg.log(`e2e: page error: ${e.message}`));
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationExit', (code: unknown) => { resolveExit(Number(code)); });
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  return { blocked, exitCode, page, close: () => browser.close() };
}

/** Text of every frame (the notebook's output webview and panels live in nested iframes). */
export async function frameTexts(page: PwPage): Promise<Array<{ url: string; text: string }>> {
  const out: Array<{ url: string; text: string }> = [];
  for (const f of page.frames()) {
    try {
      const text = await f.evaluate<string>('document.body ? document.body.textContent || "" : ""');
      out.push({ url: f.url(), text });
    } catch { /* detached frame */ }
  }
  return out;
}

/** Polls the handshake folder for questions from the extension tests until `stop` resolves. */
export function serveQuestions(cfg: BrowserConfig, session: BrowserSession, stop: Promise<unknown>): Promise<void> {
  mkdirSync(cfg.handshakeDir, { recursive: true });
  mkdirSync(cfg.screenshotDir, { recursive: true });
  let done = false;
  void stop.then(() => { done = true; });
  const answered = new Set<string>();
  return (async () => {
    while (!done) {
      for (const f of readdirSync(cfg.handshakeDir)) {
        if (!f.endsWith('.question.json') || answered.has(f)) continue;
        answered.add(f);
        const q = JSON.parse(readFileSync(join(cfg.handshakeDir, f), 'utf8')) as BrowserQuestion;
        const a = await answer(cfg, session, q);
        const tmp = join(cfg.handshakeDir, `${q.name}.answer.json.tmp`);
        writeFileSync(tmp, JSON.stringify(a, null, 2));
        renameSync(tmp, join(cfg.handshakeDir, `${q.name}.answer.json`));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
}

/** Focus an element inside the frame that shows `frameText` (a webview panel), so keys go there. */
async function focusInFrame(session: BrowserSession, f: NonNullable<BrowserQuestion['focus']>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const frame of session.page.frames().slice(1)) {
      try {
        const here = await frame.evaluate<boolean>(`!!document.body && document.body.textContent.includes(${JSON.stringify(f.frameText)}) && !!document.querySelector(${JSON.stringify(f.selector)})`);
        if (!here) continue;
        if (f.script) await frame.evaluate(f.script);
        await frame.focus(f.selector);
        return;
      } catch { /* detached frame */ }
    }
    if (Date.now() > deadline) throw new Error(`no frame shows ${JSON.stringify(f.frameText)} with ${f.selector}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * axe-core's serious/critical violations in every webview document that shows `text`: the innermost frames
 * (the panel's own page; VS Code's webview host frame around it is the editor's, not ours).
 */
async function axeIn(session: BrowserSession, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const frame of session.page.frames().slice(1).filter((f) => f.childFrames().length === 0)) {
    try {
      // Our panel's page has its .ew-root; the frames VS Code wraps it in do not.
      const here = await frame.evaluate<boolean>(`!!document.querySelector('.ew-root') && document.body.textContent.includes(${JSON.stringify(text)})`);
      if (!here) continue;
      await frame.evaluate(AXE_SOURCE);
      // document-title is left to the headless tests (our page has one): inside VS Code the panel is named by
      // its tab, and the document VS Code swaps our page into is at times caught before its <title> arrives.
      const findings = (await frame.evaluate<AxeFinding[]>(AXE_FINDINGS_SCRIPT)).filter((f) => f.rule !== 'document-title');
      out.push(...seriousLines(findings).map((l) => `${frame.url().slice(0, 200)}: ${l}`));
    } catch { /* detached frame */ }
  }
  return out;
}

/** Waits until every expected text shows up in some non-top frame (renderers draw asynchronously). */
async function answer(cfg: BrowserConfig, session: BrowserSession, q: BrowserQuestion): Promise<BrowserAnswer> {
  if (q.focus) await focusInFrame(session, q.focus);
  for (const k of q.keys ?? []) await session.page.keyboard.press(k);
  const deadline = Date.now() + (q.timeoutMs ?? 20_000);
  let missing = q.expectText;
  let frames: Array<{ url: string; text: string }> = [];
  for (;;) {
    frames = await frameTexts(session.page);
    // Frame 0 is the workbench itself; renderer output and panels live in iframes.
    const inner = q.topOnly ? frames.slice(0, 1) : q.includeTop ? frames : frames.slice(1);
    missing = q.expectText.filter((t) => !inner.some((f) => f.text.includes(t)));
    if (missing.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  await new Promise((r) => setTimeout(r, q.settleMs ?? 800)); // let plotly finish its transition
  const screenshot = join(cfg.screenshotDir, `${q.name}.png`);
  await session.page.screenshot({ path: screenshot });
  cfg.log(`e2e: screenshot ${screenshot}${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
  const axe = q.axe && q.expectText[0] !== undefined ? await axeIn(session, q.expectText[0]) : undefined;
  return {
    ...(axe ? { axe } : {}),
    name: q.name,
    ok: missing.length === 0,
    missing,
    screenshot,
    frames: frames.map((f) => ({ url: f.url.slice(0, 160), chars: f.text.length })),
  };
}

export function chromiumPath(): string {
  for (const p of [process.env.EMPATHY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error('Chromium not found: apt-get install chromium (or set EMPATHY_CHROMIUM)');
}

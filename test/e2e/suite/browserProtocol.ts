// The file handshake between extension tests (inside the extension host) and the e2e runner (driving
// Chromium): a test writes `<name>.question.json`, the runner checks the DOM and writes `<name>.answer.json`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BrowserQuestion {
  name: string; // also the screenshot's file name (test-output/e2e/<name>.png)
  /** Texts that must appear inside some iframe (renderer outputs, webview panels). */
  expectText: string[];
  /** Also search the workbench page itself (status bar, notifications), not only iframes. */
  includeTop?: boolean;
  /** Search only the workbench page itself (views such as the outline), not the iframes. */
  topOnly?: boolean;
  /** Keys pressed in the page first, in order (Playwright names: 'Control+F9', 'i'). */
  keys?: string[];
  /** Run axe-core (test/support/axe.ts) in the frames showing expectText[0]; the answer lists serious/critical violations. */
  axe?: boolean;
  /** Before the keys: in the frame whose text contains `frameText`, run `script` (if any), then focus `selector`. */
  focus?: { frameText: string; selector: string; script?: string };
  timeoutMs?: number;
  settleMs?: number;
}

export interface BrowserAnswer {
  name: string;
  ok: boolean;
  missing: string[];
  screenshot: string;
  frames: Array<{ url: string; chars: number }>;
  /** With `axe`: the serious and critical violations found, one line each. */
  axe?: string[];
}

/** The handshake folder, set by the runner in the server's environment (inherited by the extension host). */
export function handshakeDir(): string | undefined {
  return process.env.EMPATHY_E2E_HANDSHAKE;
}

/** Asks the runner to check the browser's DOM; resolves with its answer (or rejects on timeout). */
export async function askBrowser(q: BrowserQuestion, waitMs = 60_000): Promise<BrowserAnswer> {
  const dir = handshakeDir();
  if (!dir) throw new Error('EMPATHY_E2E_HANDSHAKE not set: not running under test/e2e/run.ts');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${q.name}.question.json.tmp`);
  writeFileSync(tmp, JSON.stringify(q));
  renameSync(tmp, join(dir, `${q.name}.question.json`));
  const answerFile = join(dir, `${q.name}.answer.json`);
  const deadline = Date.now() + waitMs;
  while (!existsSync(answerFile)) {
    if (Date.now() > deadline) throw new Error(`no answer from the browser for ${q.name} within ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return JSON.parse(readFileSync(answerFile, 'utf8')) as BrowserAnswer;
}

// axe-core injected into a harness page (the configuration is test/support/axe.ts, shared with the e2e).
import { AXE_FINDINGS_SCRIPT, AXE_SOURCE, seriousLines, type AxeFinding } from '../support/axe';
import type { TestPage } from './harness';

export type { AxeFinding };

/** Every axe violation on the page as it is now (the page's own script tags are untouched: axe comes in by evaluate). */
export async function axeFindings(p: TestPage): Promise<AxeFinding[]> {
  if (!(await p.js<boolean>('typeof window.axe === "object"'))) await p.page.evaluate(AXE_SOURCE);
  return p.page.evaluate(AXE_FINDINGS_SCRIPT) as Promise<AxeFinding[]>;
}

/** The serious and critical ones (what the tests hold at zero), as readable lines. */
export async function seriousViolations(p: TestPage): Promise<string[]> {
  return seriousLines(await axeFindings(p));
}

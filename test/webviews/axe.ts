// axe-core (the accessibility engine, from npm) injected into a harness page: WCAG 2.1 A/AA rules plus
// best practices, violations of impact serious or critical listed one line each (rule, node, why).
import * as fs from 'node:fs';
import type { TestPage } from './harness';

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding { rule: string; impact: string; target: string; summary: string }

/** Every axe violation on the page as it is now (the page's own script tags are untouched: axe comes in by evaluate). */
export async function axeFindings(p: TestPage): Promise<AxeFinding[]> {
  if (!(await p.js<boolean>('typeof window.axe === "object"'))) await p.page.evaluate(AXE_SOURCE);
  // A string, not a function: the test project's types have no DOM.
  return p.page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.flatMap((v) => v.nodes.map((n) => ({ rule: v.id, impact: v.impact || 'unknown', target: JSON.stringify(n.target),
      summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240) })));
  })()`) as Promise<AxeFinding[]>;
}

/** The serious and critical ones (what the tests hold at zero), as readable lines. */
export async function seriousViolations(p: TestPage): Promise<string[]> {
  return (await axeFindings(p)).filter((f) => f.impact === 'serious' || f.impact === 'critical').map((f) => `${f.rule} (${f.impact}) ${f.target}: ${f.summary}`);
}

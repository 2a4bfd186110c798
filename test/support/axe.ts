// axe-core (the accessibility engine, from npm), one configuration for every test that runs it: WCAG 2.1
// A/AA rules plus best practices, violations listed one line each (rule, node, why). The headless webview
// tests evaluate it in a harness page; the e2e runner in the real VS Code's webview frames.
import * as fs from 'node:fs';

export const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding { rule: string; impact: string; target: string; summary: string }

/** Evaluated in a page (a string, not a function: the test project's types have no DOM): every violation. */
export const AXE_FINDINGS_SCRIPT = `(async () => {
  const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
  return r.violations.flatMap((v) => v.nodes.map((n) => ({ rule: v.id, impact: v.impact || 'unknown', target: JSON.stringify(n.target),
    summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240) })));
})()`;

/** The serious and critical findings (what the tests hold at zero), as readable lines. */
export function seriousLines(findings: readonly AxeFinding[]): string[] {
  return findings.filter((f) => f.impact === 'serious' || f.impact === 'critical').map((f) => `${f.rule} (${f.impact}) ${f.target}: ${f.summary}`);
}

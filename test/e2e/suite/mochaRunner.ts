// Runs every `*.e2e.js` in a folder with Mocha inside the extension host and writes a JSON summary
// (EMPATHY_E2E_RESULTS) for the e2e runner; rejects when a test failed.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export interface CaseResult { title: string; state: 'passed' | 'failed' | 'pending'; error?: string; ms?: number }

export async function runFolder(dir: string, order: string[] = []): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  const rank = (f: string) => { const i = order.findIndex((o) => f.startsWith(o)); return i < 0 ? order.length : i; };
  const files = readdirSync(dir).filter((f) => f.endsWith('.e2e.js')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(join(dir, f));
  const grep = process.env.EMPATHY_E2E_GREP;
  if (grep) mocha.grep(grep);

  const results: CaseResult[] = [];
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
      runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
      runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
    } catch (e) { reject(e); }
  });
  const out = process.env.EMPATHY_E2E_RESULTS;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  const failed = results.filter((r) => r.state === 'failed').length;
  if (failed > 0) throw new Error(`${failed} extension test(s) failed`);
}

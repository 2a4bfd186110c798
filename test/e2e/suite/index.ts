// The extension tests' entry point (extensionTestsPath): VS Code calls run() inside the real extension
// host; it runs every `*.e2e.js` beside it with Mocha and writes a JSON summary for the e2e runner.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

interface CaseResult { title: string; state: 'passed' | 'failed' | 'pending'; error?: string; ms?: number }

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  const order = ['notebook', 'kernel', 'commands']; // files run in this order; others after
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.e2e.js'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  function rank(f: string) { const i = order.findIndex((o) => f.startsWith(o)); return i < 0 ? order.length : i; }
  for (const f of files) mocha.addFile(join(__dirname, f));
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

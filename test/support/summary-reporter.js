// Mocha reporter: the usual spec output, then one closing line `N passed, N failed` (what CI reads).
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    // Suites that skip say why in their title ("… — skipped: REASON"); the closing line repeats each reason.
    const reasons = new Set();
    runner.on(EVENT_TEST_PENDING, (t) => {
      for (let p = t.parent; p; p = p.parent) {
        const i = p.title.indexOf(' — skipped: ');
        if (i >= 0) { reasons.add(p.title.slice(i + 3)); break; }
      }
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || { passes: 0, failures: 0, pending: 0 };
      const skipped = s.pending ? `, ${s.pending} skipped${reasons.size ? ` (${[...reasons].join('; ')})` : ''}` : '';
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed${skipped}\n`);
    });
  }
}
module.exports = SummaryReporter;

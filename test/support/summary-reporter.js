// Mocha reporter: the usual spec output, then one closing line `N passed, N failed` (what CI reads),
// followed by `, N skipped (N reason; …)` when tests were skipped: a skip is never silent. Reasons are
// recorded by test/support/skip.ts (skipBecause) on the test or its suite.
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

const SKIP_REASON = Symbol.for('empathy.skipReason');

/** The reason recorded on the test or the nearest suite above it. */
function reasonOf(test) {
  for (let node = test; node; node = node.parent) {
    if (typeof node[SKIP_REASON] === 'string') return node[SKIP_REASON];
  }
  return test.isPending && !test.fn ? 'marked pending in the code' : 'no reason recorded (use skipBecause)';
}

/** `N passed, N failed[, N skipped (N reason; …)]`; a reason never reads as `N failed` to CI's grep. */
function closingLine(stats, reasons) {
  let line = `${stats.passes} passed, ${stats.failures} failed`;
  if (stats.pending) {
    const why = [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} ${r.replace(/(\d) (passed|failed)/g, '$1\u00a0$2')}`).join('; ');
    line += `, ${stats.pending} skipped (${why})`;
  }
  return line;
}

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const reasons = new Map();
    runner.on(EVENT_TEST_PENDING, (test) => {
      const r = reasonOf(test);
      reasons.set(r, (reasons.get(r) || 0) + 1);
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || { passes: 0, failures: 0, pending: 0 };
      process.stdout.write(`\n${closingLine(s, reasons)}\n`);
    });
  }
}
module.exports = SummaryReporter;
module.exports.closingLine = closingLine;

// Skipping a test always says why: skipBecause(this, reason) records the reason where the summary
// reporter (summary-reporter.js) finds it, so the closing line reads `…, N skipped (N reason)`.
import type { Context } from 'mocha';

/** The property the reporter reads on a test or suite (a global symbol: the reporter is plain JS). */
export const SKIP_REASON = Symbol.for('empathy.skipReason');

/** Skip the current test (in `it`), or the whole suite (in a hook), recording why. */
export function skipBecause(ctx: Context, reason: string): never {
  const runnable = ctx.test;
  // In a hook the skip covers the suite's tests; in a test, just that test.
  const node = (runnable as { type?: string } | undefined)?.type === 'hook' ? runnable?.parent : runnable;
  if (node) (node as unknown as Record<symbol, string>)[SKIP_REASON] = reason;
  ctx.skip();
}

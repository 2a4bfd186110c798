// The [0, 1] scale every family's token salience is reported on (bi-encoder, tagger, linear): divide by the max.

/** Divide by the max (all zeros stay zeros, e.g. when nothing reaches the logit). */
export function normaliseByMax(xs: ArrayLike<number>): number[] {
  let max = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && xs[i] > max) max = xs[i];
  return Array.from(xs, (x) => (max > 0 && Number.isFinite(x) ? Math.max(0, x) / max : 0));
}

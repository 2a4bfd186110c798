// Learning-rate schedule of the original train.py: transformers' get_linear_schedule_with_warmup.

/**
 * Learning rate for the optimiser step that follows `step` completed steps (0 for the first step):
 * linear warm-up from 0 over `warmupSteps`, then linear decay to 0 at `totalSteps`.
 * With warmupSteps 0 and totalSteps 5: 1, .8, .6, .4, .2 × baseLr (the fixtures' schedule).
 */
export function linearSchedule(step: number, totalSteps: number, baseLr: number, warmupSteps = 0): number {
  if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
  return baseLr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

// How far one backend's scores of a labelled set are from another's: the share of rows given the same
// level and the largest absolute difference of any class probability (plain arrays in, numbers out).

/** One backend's scores of the same rows, in the same order. */
export interface LevelScores {
  ids: readonly string[];
  levels: readonly number[];
  /** Per row, the probabilities of levels 0, 1, 2. */
  probs: ReadonlyArray<readonly number[]>;
}

export interface LevelAgreement {
  rows: number;
  sameLevel: number;
  /** sameLevel / rows. */
  agreement: number;
  /** max over rows and levels of |p - p_ref|. */
  maxProbDiff: number;
}

/** Compares `other` with `ref`; throws when they did not score the same rows (by id, in order). */
export function levelAgreement(ref: LevelScores, other: LevelScores): LevelAgreement {
  if (other.ids.length !== ref.ids.length || other.ids.some((id, i) => id !== ref.ids[i])) {
    const i = other.ids.findIndex((id, k) => id !== ref.ids[k]);
    throw new Error(`the scores are of different rows (${other.ids.length} vs ${ref.ids.length}; first difference at row ${i < 0 ? Math.min(other.ids.length, ref.ids.length) : i})`);
  }
  let same = 0;
  let maxProbDiff = 0;
  other.levels.forEach((l, i) => {
    if (l === ref.levels[i]) same++;
    other.probs[i].forEach((p, k) => { maxProbDiff = Math.max(maxProbDiff, Math.abs(p - ref.probs[i][k])); });
  });
  const rows = other.levels.length;
  return { rows, sameLevel: same, agreement: rows === 0 ? 1 : same / rows, maxProbDiff };
}

/**
 * The smallest gap between a row's two largest probabilities: a backend whose probabilities differ by
 * less than half of it cannot change any row's level, so agreement is only informative next to it.
 */
export function minTopMargin(probs: ReadonlyArray<readonly number[]>): number {
  let min = Infinity;
  for (const p of probs) {
    const [a, b] = [...p].sort((x, y) => y - x);
    min = Math.min(min, a - (b ?? 0));
  }
  return min;
}

// The linear baseline's configuration: TF-IDF features + class-balanced multinomial logistic
// regression, C per mechanism picked by grouped cross-validation.
import {
  checkBoolean, checkMechanisms, checkNumber, checkNumberList, checkOneOf, checkPerMechanism, ConfigFieldError,
  type Mechanism,
} from '../../engine';
import { defaultTfidfConfig, type TfidfConfig } from './tfidf';

export interface LinearConfig {
  /** Feature extraction (response text only, as the measured baseline). */
  tfidf: TfidfConfig;
  /** Inverse regularisation: a number for every mechanism, per mechanism, or 'cv' to pick from `cGrid`. */
  C: number | Partial<Record<Mechanism, number>> | 'cv'; // 'cv'
  /** Candidate C values for 'cv' (fitted in ascending order, warm-started). */
  cGrid: number[]; // [0.1, 0.3, 1, 3]
  /** Inner grouped folds for picking C. */
  cvFolds: number; // 3
  /** Seed of the inner folds. */
  seed: number; // 12
  /** 'balanced' class weights (n / (3 · count)), as the measured baseline. */
  classWeight: 'balanced' | 'none'; // 'balanced'
  /** L-BFGS iterations at most, and gradient tolerance. */
  maxIter: number; // 300
  tol: number; // 1e-4
  /** Response tokens listed per prediction (word tokens; rationale probabilities are given for these). */
  maxLen: number; // 64
  /**
   * Rationale model: a binary logistic regression per mechanism over the TF-IDF of each sentence (or
   * clause) of the response, trained on the sentences of level > 0 responses; a sentence is a rationale
   * when ≥ `rationaleMinShare` of its tokens are gold rationale tokens, and each of its tokens gets the
   * sentence's probability. 'none': no rationale model (tokens carry probability 0).
   */
  rationaleUnit: 'sentence' | 'clause' | 'none'; // 'sentence'
  rationaleC: number; // 1
  rationaleMinShare: number; // 0.5
  /** Mechanisms to train (default: every mechanism labelled in the training data). */
  mechanisms?: Mechanism[];
}

export const defaultLinearConfig: LinearConfig = {
  tfidf: { ...defaultTfidfConfig },
  C: 'cv',
  cGrid: [0.1, 0.3, 1, 3],
  cvFolds: 3,
  seed: 12,
  classWeight: 'balanced',
  maxIter: 300,
  tol: 1e-4,
  maxLen: 64,
  rationaleUnit: 'sentence',
  rationaleC: 1,
  rationaleMinShare: 0.5,
};

/**
 * Spread overrides over the defaults (nested tfidf too). Only LinearConfig keys are kept, so the CLI
 * can pass its whole TrainConfig; its `seed_val` seeds the inner folds when `seed` is not given.
 */
export function resolveLinearConfig(over: Partial<LinearConfig> & { seed_val?: number } = {}): LinearConfig {
  const out: LinearConfig = { ...defaultLinearConfig, tfidf: { ...defaultLinearConfig.tfidf, ...(over.tfidf ?? {}) } };
  for (const k of Object.keys(defaultLinearConfig).concat('mechanisms') as Array<keyof LinearConfig>) {
    if (k !== 'tfidf' && over[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = over[k];
  }
  if (over.seed === undefined && typeof over.seed_val === 'number') out.seed = over.seed_val;
  checkLinearConfig(out);
  return out;
}

/** Every field of a resolved linear config is usable; else a ConfigFieldError naming the field. */
export function checkLinearConfig(c: LinearConfig): void {
  const positive = { min: 0, minExclusive: true };
  for (const k of ['wordNgrams', 'charNgrams'] as const) {
    const r = c.tfidf[k];
    if (!Array.isArray(r) || r.length !== 2) throw new ConfigFieldError(`tfidf.${k}`, r, 'a range [lo, hi] of n-gram lengths');
    const lo = checkNumber(`tfidf.${k}[0]`, r[0], { integer: true, min: 1, max: 20 });
    checkNumber(`tfidf.${k}[1]`, r[1], { integer: true, min: lo, max: 20 });
  }
  checkNumber('tfidf.wordMinDf', c.tfidf.wordMinDf, { integer: true, min: 1 });
  checkNumber('tfidf.charMinDf', c.tfidf.charMinDf, { integer: true, min: 1 });
  checkBoolean('tfidf.sublinearTf', c.tfidf.sublinearTf);
  if (typeof c.C === 'number') checkNumber('C', c.C, positive);
  else if (c.C !== 'cv') checkPerMechanism('C', c.C, (f, x) => checkNumber(f, x, positive));
  checkNumberList('cGrid', c.cGrid, positive);
  checkNumber('cvFolds', c.cvFolds, { integer: true, min: 2, max: 100 });
  checkNumber('seed', c.seed, { integer: true });
  checkOneOf('classWeight', c.classWeight, ['balanced', 'none']);
  checkNumber('maxIter', c.maxIter, { integer: true, min: 1 });
  checkNumber('tol', c.tol, positive);
  checkNumber('maxLen', c.maxLen, { integer: true, min: 1, max: 100_000 });
  checkOneOf('rationaleUnit', c.rationaleUnit, ['sentence', 'clause', 'none']);
  checkNumber('rationaleC', c.rationaleC, positive);
  checkNumber('rationaleMinShare', c.rationaleMinShare, { min: 0, max: 1 });
  if (c.mechanisms !== undefined) checkMechanisms('mechanisms', c.mechanisms);
}

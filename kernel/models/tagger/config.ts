// The neural rationale tagger's configuration: word + hashed char n-gram embeddings, a BiGRU shared by
// seeker and response, masked cross-attention, three level heads and three rationale heads.
import { type BackendPreference, checkBoolean, checkMechanisms, checkNumber, checkOneOf, type Mechanism } from '../../engine';

export interface TaggerConfig {
  /** Tokens kept per side (seeker and response), ≤ 64 keeps wasm memory and time small. */
  maxLen: number; // 64
  /** Word vocabulary: most frequent lowercased training words seen ≥ minCount times (+ pad, unk). */
  vocabSize: number; // 8000
  minCount: number; // 2
  /** Hash buckets of char 3-grams of "<word>" (fastText-style), summed into the word vector. */
  charBuckets: number; // 4096
  /** Char n-grams kept per token. */
  charPerToken: number; // 8
  /** Embedding width. */
  embedDim: number; // 64
  /** GRU state per direction (the BiGRU output is 2·hidden wide). */
  hidden: number; // 64
  /** Width of each level head's hidden layer. */
  headHidden: number; // 64
  /** Dropout on embeddings and head inputs while training. */
  dropout: number; // 0.25
  /**
   * The rationale head also sees the mean state of each token's clause and sentence (rationales are
   * mostly whole clauses or sentences). Checkpoints from before this option load with it off.
   * Off by default: grouped 5-fold CV (EPITOME train+dev) measured ungated rationale token-F1 on
   * level>0 rows IP .851 → .857, EX .829 → .835 for the tagger alone, but nothing once the ensemble
   * mixes in the linear sentence model (IP .839 either way, gated), at +18% training time.
   */
  segmentPooling: boolean; // false
  /** Attention to seeker padding is masked (the original did not mask it: a quirk). */
  seekerMask: boolean; // true
  /** Adam step size, batch, epochs, global gradient-norm clip. */
  lr: number; // 3e-3
  batchSize: number; // 32
  epochs: number; // 6
  maxGradNorm: number; // 5
  /**
   * Exponential moving average of the weights (Polyak averaging), started at epoch `emaFromEpoch`: the
   * trained model keeps the averaged weights. It steadies the small-data model at no training cost
   * (grouped 5-fold CV, tagger level macro-F1 ER/IP/EX: none .659/.527/.615, 0.98 from epoch 3
   * .692/.549/.621, 0.99 from epoch 2 .694/.551/.624). 0 = off (the last step's weights).
   */
  emaDecay: number; // 0.99
  emaFromEpoch: number; // 2
  /** Level loss: class-balanced (n / (3 · count) per mechanism) or plain cross-entropy. */
  classWeights: 'balanced' | 'none'; // 'balanced'
  /** Weight of the rationale loss (token BCE on rows with level > 0 only). */
  lambdaRationale: number; // 1
  /** Mark rationale tokens only where the predicted level is > 0 (level 0 has no rationale by definition). */
  gateRationales: boolean; // true
  seed: number; // 12
  /** tfjs backend (EMPATHY_BACKEND overrides). */
  backend: BackendPreference; // 'auto'
  /** Mechanisms to train (default: every mechanism labelled in the training data). */
  mechanisms?: Mechanism[];
}

export const defaultTaggerConfig: TaggerConfig = {
  maxLen: 64,
  vocabSize: 8000,
  minCount: 2,
  charBuckets: 4096,
  charPerToken: 8,
  embedDim: 64,
  hidden: 64,
  headHidden: 64,
  dropout: 0.25,
  segmentPooling: false,
  seekerMask: true,
  lr: 3e-3,
  batchSize: 32,
  epochs: 6,
  maxGradNorm: 5,
  emaDecay: 0.99,
  emaFromEpoch: 2,
  classWeights: 'balanced',
  lambdaRationale: 1,
  gateRationales: true,
  seed: 12,
  backend: 'auto',
};

/**
 * Defaults ⊕ overrides, keeping only TaggerConfig keys (`seed_val` / `max_len` stand for `seed` / `maxLen`
 * when those are absent). Callers pass only what was set: kernel/training/familyConfig.ts translates the
 * CLI's train.py flags the user gave, so nothing here guesses which values were chosen.
 */
export function resolveTaggerConfig(over: Partial<TaggerConfig> & { seed_val?: number; max_len?: number } = {}): TaggerConfig {
  const out: TaggerConfig = { ...defaultTaggerConfig };
  for (const k of Object.keys(defaultTaggerConfig).concat('mechanisms') as Array<keyof TaggerConfig>) {
    if (over[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = over[k];
  }
  if (over.seed === undefined && typeof over.seed_val === 'number') out.seed = over.seed_val;
  if (over.maxLen === undefined && typeof over.max_len === 'number') out.maxLen = over.max_len;
  checkTaggerConfig(out);
  return out;
}

/** The backends a config may name (kernel/engine/backend.ts). */
const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
/** Layer widths beyond this are a typo, not a model (and would fail deep in tfjs with an allocation error). */
const MAX_WIDTH = 4096;

/**
 * Every field of a resolved tagger config is one the network can be built and trained with; else a
 * ConfigFieldError naming the field (the reader of the config adds its file).
 */
export function checkTaggerConfig(c: TaggerConfig): void {
  const int = (f: keyof TaggerConfig, min: number, max?: number) => checkNumber(f, c[f], { integer: true, min, max });
  int('maxLen', 1, 128); // > 128: the unrolled GRU would be slow and memory-hungry
  int('vocabSize', 1, 10_000_000);
  int('minCount', 1);
  int('charBuckets', 1, 1 << 24);
  int('charPerToken', 1, 64);
  int('embedDim', 1, MAX_WIDTH);
  int('hidden', 1, MAX_WIDTH);
  int('headHidden', 1, MAX_WIDTH);
  checkNumber('dropout', c.dropout, { min: 0, max: 1, maxExclusive: true });
  checkBoolean('segmentPooling', c.segmentPooling);
  checkBoolean('seekerMask', c.seekerMask);
  checkNumber('lr', c.lr, { min: 0, minExclusive: true });
  int('batchSize', 1);
  int('epochs', 0);
  checkNumber('maxGradNorm', c.maxGradNorm, { min: 0, minExclusive: true });
  checkNumber('emaDecay', c.emaDecay, { min: 0, max: 1, maxExclusive: true });
  int('emaFromEpoch', 0);
  checkOneOf('classWeights', c.classWeights, ['balanced', 'none']);
  checkNumber('lambdaRationale', c.lambdaRationale, { min: 0 });
  checkBoolean('gateRationales', c.gateRationales);
  checkNumber('seed', c.seed, { integer: true });
  checkOneOf('backend', c.backend, BACKENDS);
  if (c.mechanisms !== undefined) checkMechanisms('mechanisms', c.mechanisms);
}

// How Train Model… trains each name of the one model vocabulary (`empathy.defaultPreset`, `empathy train
// --model`; modelChoices.ts, generated from the family registry): a preset or family through the notebook API's `trainRun`, a
// bi-encoder size (`--model bi-encoder --preset NAME`) through `train`; and the training notebook's data and
// training cells. No 'vscode' import: the cells are run in a headless kernel session by the tests.

/** A JavaScript string literal for a host value (a path, a label) in the cells this notebook shows the user. */
function lit(v: unknown): string {
  return JSON.stringify(v).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

import { BI_ENCODER_SIZES, FAMILY_MODELS } from './modelChoices';

export { BI_ENCODER_SIZES, FAMILY_MODELS };

/** The names trainPlan knows (default: the generated list; a test passes one regenerated with a family of its own). */
export interface TrainVocabulary {
  sizes: readonly string[];
  familyModels: readonly string[];
}

export type TrainPlan =
  | { kind: 'bi-encoder'; size: string }
  | { kind: 'family'; family: string };

/** The plan for `name`; 'bi-encoder' alone means its default size (small). Throws on an unknown name. */
export function trainPlan(name: string, vocab: TrainVocabulary = { sizes: BI_ENCODER_SIZES, familyModels: FAMILY_MODELS }): TrainPlan {
  if (vocab.sizes.includes(name)) return { kind: 'bi-encoder', size: name };
  if (name === 'bi-encoder') return { kind: 'bi-encoder', size: 'small' };
  if (vocab.familyModels.includes(name)) return { kind: 'family', family: name };
  throw new Error(`Train Model: unknown model '${name}' (known: ${[...vocab.familyModels, ...vocab.sizes].join(', ')})`);
}

export interface TrainRequest {
  files: string[];
  /** A model name of the one vocabulary (trainPlan.ts): offline-default(-soft), linear, tagger, or a bi-encoder size. */
  preset: string;
  /** Epochs (default 2: a first look; the paper trains 4). */
  epochs: number;
  /** Further TrainConfig fields spread over the above (e.g. { batch_size: 8 }). */
  overrides?: Record<string, unknown>;
}

/** The tiny preset is the golden fixtures' size (a 120-token vocabulary); a BPE trained here needs ≥ 260. */
const PRESET_OVERRIDES: Record<string, Record<string, unknown>> = {
  tiny: { model: { encoder: { vocabSize: 512 } } },
};

/** The data cell: load the files (several: one joint dataset) and split them, grouped and seeded. */
export function dataCell(files: readonly string[]): string {
  return `const files = ${lit(files)};\n` +
    (files.length > 1 ? '// Several files (one per mechanism) load as one joint dataset: one model learns ER, IP and EX together.\n' : '') +
    'const pairs = await empathy.loadPairs(files);\nconst data = empathy.splitPairs(pairs, { seed: 12 });\n' +
    '`${data.train.length} train / ${data.dev.length} dev / ${data.test.length} test pairs`';
}

/** The training cell: a bi-encoder size trains through `empathy.train`, a preset or family through `empathy.trainRun`. */
export function trainCell(req: TrainRequest, names: string): string {
  const plan = trainPlan(req.preset);
  const label = lit(`${req.preset} · ${names}`);
  const recorded = '// Recorded as a run (config, data hashes, metrics, the trained model) in the workspace\'s runs folder.\n';
  if (plan.kind === 'bi-encoder') {
    const cfg = { preset: plan.size, epochs: req.epochs, ...(PRESET_OVERRIDES[plan.size] ?? {}), ...(req.overrides ?? {}) };
    return `const config = ${configLiteral(cfg)};\n${recorded}` +
      `const run = await empathy.train(config, data, {\n  label: ${label},\n` +
      "  record: { source: 'extension', files: files.map((path) => ({ role: 'train' as const, path })), saveModel: true },\n});\n" +
      '`${run.steps} steps${run.stopped ? ` (stopped: ${run.stopped})` : \'\'} · run ${run.runId}`';
  }
  // Not a bi-encoder: the family's own defaults (epoch counts and learning rates are the family's), plus overrides.
  const cfg = { ...(req.overrides ?? {}) };
  return `const config = ${configLiteral(cfg)};\n${recorded}` +
    `const run = await empathy.trainRun({\n  label: ${label},\n  family: ${lit(plan.family)},\n  config,\n  data,\n` +
    "  source: 'extension',\n  dataFiles: files.map((path) => ({ role: 'train' as const, path })),\n});\n" +
    '`${run.steps} steps${run.stopped ? ` (stopped: ${run.stopped})` : \'\'} · run ${run.run.id}`';
}

function configLiteral(cfg: Record<string, unknown>): string {
  return JSON.stringify(cfg, null, 2).replace(/"([A-Za-z_$][\w$]*)":/g, '$1:');
}

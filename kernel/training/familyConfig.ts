// Each family's config from what the caller actually set: the train.py-named fields (`--epochs`, `lr`,
// `seed_val`, …) are translated into the family's own fields where they mean the same thing, and a field a
// family does not use becomes a note ("--lambda_EI does not apply to the linear model"), never silently
// dropped. Nothing here fills train.py's defaults: those are the bi-encoder's own (defaultTrainConfig).
import type { ModelFamilyName } from '../engine/model';
import { defaultTrainConfig } from '../models/bi-encoder/trainConfig';
import { defaultLinearConfig } from '../models/linear/config';
import { defaultTaggerConfig } from '../models/tagger/config';
import { defaultEnsembleConfig } from '../models/ensemble/config';
import { effectiveConfig, resolveModelPreset, type ModelPreset } from '../models/presets';

/** Fields every family honours (the orchestrator's, not the model's): mechanisms, splits, where to save. */
export const GENERAL_KEYS: readonly string[] = ['mechanisms', 'do_validation', 'do_test', 'save_model_path'];

/** The bi-encoder's TrainConfig fields (train.py's flags and the extras), named as the user names them. */
const TRAIN_PY_KEYS: readonly string[] = [...Object.keys(defaultTrainConfig), 'model', 'backend', 'class_weights', 'init_weights', 'tokenizer', 'vocab_size', 'resume'];

/** train.py-named field → the tagger's field of the same meaning. */
const TAGGER_FROM_TRAIN_PY: Record<string, string> = { lr: 'lr', epochs: 'epochs', dropout: 'dropout', batch_size: 'batchSize', max_len: 'maxLen', seed_val: 'seed', backend: 'backend', class_weights: 'classWeights' };
/** train.py-named field → the linear model's field of the same meaning. */
const LINEAR_FROM_TRAIN_PY: Record<string, string> = { seed_val: 'seed', class_weights: 'classWeight' };

const NATIVE_KEYS: Record<Exclude<ModelFamilyName, 'bi-encoder'>, readonly string[]> = {
  linear: Object.keys(defaultLinearConfig),
  tagger: Object.keys(defaultTaggerConfig),
  ensemble: [...Object.keys(defaultEnsembleConfig), 'rationaleGate', 'rationaleThreshold', 'rationaleMix'],
};

const FAMILY_WORDS: Record<ModelFamilyName, string> = { 'bi-encoder': 'the bi-encoder', linear: 'the linear model', tagger: 'the tagger', ensemble: 'the ensemble' };

/** A training, resolved before it starts: the family, the config it is called with, what it really uses. */
export interface TrainingPlan {
  /** The name asked for (a preset such as offline-default, or a family). */
  model: string;
  family: ModelFamilyName;
  /** What the family's train() is called with: the preset ⊕ the translated fields ⊕ the general ones. */
  config: Record<string, unknown>;
  /** The config the family really trains with, after its own defaults (what a run records). */
  effective: Record<string, unknown>;
  /** One line per field given that this family does not use (printed, never silently dropped). */
  notes: string[];
}

export interface PlanOptions {
  /** How a field is named to the user in notes (the CLI: `--epochs`; default: `epochs`). */
  nameOf?: (key: string) => string;
}

/**
 * Resolve a training of `model` (a preset or family name) from the fields the caller set (`given`: CLI
 * flags given explicitly and the --config file, or a notebook's config object). Throws on an unknown model.
 */
export function planTraining(model: string, given: Record<string, unknown>, opts: PlanOptions = {}): TrainingPlan {
  const preset: ModelPreset | undefined = resolveModelPreset(model);
  if (!preset) throw new Error(`unknown model ${JSON.stringify(model)}`);
  const family = preset.family;
  const nameOf = opts.nameOf ?? ((k: string) => k);
  const notes: string[] = [];
  const unused = (k: string) => notes.push(`${nameOf(k)} does not apply to ${FAMILY_WORDS[family]}${model !== family ? ` (${model})` : ''}`);
  const set = Object.entries(given).filter(([, v]) => v !== undefined);
  let config: Record<string, unknown>;
  if (family === 'bi-encoder') {
    // Its config is train.py's: every field passes (unknown keys are the engine's to judge, as before).
    config = { ...preset.config, ...Object.fromEntries(set) };
  } else {
    const native = NATIVE_KEYS[family];
    config = { ...preset.config };
    const tagger: Record<string, unknown> = {};
    const linear: Record<string, unknown> = {};
    for (const [k, v] of set) {
      if (GENERAL_KEYS.includes(k)) config[k] = v;
      else if (native.includes(k)) config[k] = family === 'ensemble' && (k === 'tagger' || k === 'linear') ? { ...(config[k] as object | undefined), ...(v as object) } : v;
      else if (family === 'tagger' && TAGGER_FROM_TRAIN_PY[k]) config[TAGGER_FROM_TRAIN_PY[k]] = v;
      else if (family === 'linear' && LINEAR_FROM_TRAIN_PY[k]) config[LINEAR_FROM_TRAIN_PY[k]] = v;
      else if (family === 'ensemble' && (TAGGER_FROM_TRAIN_PY[k] || LINEAR_FROM_TRAIN_PY[k])) {
        // The ensemble's training is its members': the tagger's epochs, lr, …; a seed seeds the whole.
        if (TAGGER_FROM_TRAIN_PY[k]) tagger[TAGGER_FROM_TRAIN_PY[k]] = v;
        if (LINEAR_FROM_TRAIN_PY[k]) linear[LINEAR_FROM_TRAIN_PY[k]] = v;
        if (k === 'seed_val') config.seed = v;
      } else if (TRAIN_PY_KEYS.includes(k) || k === 'preset') unused(k);
      else notes.push(`${nameOf(k)} is not a setting of ${FAMILY_WORDS[family]}${model !== family ? ` (${model})` : ''}: ignored`);
    }
    if (family === 'ensemble') {
      if (Object.keys(tagger).length) config.tagger = { ...(config.tagger as object | undefined), ...tagger };
      if (Object.keys(linear).length) config.linear = { ...(config.linear as object | undefined), ...linear };
    }
  }
  const effective = family === 'bi-encoder' ? { ...defaultTrainConfig, ...config } : effectiveConfig(family, config);
  return { model, family, config, effective, notes };
}

// Each family's config from what the caller actually set: the train.py-named fields (`--epochs`, `lr`,
// `seed_val`, …) are translated into the family's own fields where they mean the same thing, and a field a
// family does not use becomes a note ("--lambda_EI does not apply to the linear model"), never silently
// dropped. Nothing here fills train.py's defaults: those are the bi-encoder's own (defaultTrainConfig).
import type { ModelFamilyName } from '../engine';
import { requireFamily, resolveModelPreset, type ModelPreset } from '../models';

/** Fields every family honours (the orchestrator's, not the model's): mechanisms, splits, where to save. */
export const GENERAL_KEYS: readonly string[] = ['mechanisms', 'do_validation', 'do_test', 'save_model_path'];

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
  const spec = requireFamily(family);
  const nameOf = opts.nameOf ?? ((k: string) => k);
  const set = Object.entries(given).filter(([, v]) => v !== undefined);
  // The family reads the fields it takes (translating train.py's names); the general ones pass to every family.
  const resolved = spec.resolveConfig(Object.fromEntries(set.filter(([k]) => !GENERAL_KEYS.includes(k))), preset.config);
  const config = { ...resolved.config, ...Object.fromEntries(set.filter(([k]) => GENERAL_KEYS.includes(k))) };
  const which = `${spec.words}${model !== family ? ` (${model})` : ''}`;
  const notes = resolved.notes.map((n) => (n.why === 'unused' ? `${nameOf(n.key)} does not apply to ${which}` : `${nameOf(n.key)} is not a setting of ${which}: ignored`));
  const effective = spec.effective(config);
  return { model, family, config, effective, notes };
}

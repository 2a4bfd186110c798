// Named model presets, read off the family registry (families.ts): `offline-default` is what every user
// without pretrained weights gets (the ensemble); `linear` and `tagger` are its two members alone; a bare
// family name means its defaults.
import type { ModelFamilyName } from '../engine';
import { familySpec, familySpecs, requireFamily } from './families';

export interface ModelPreset {
  family: ModelFamilyName;
  /** Config overrides for the family's train(). */
  config: Record<string, unknown>;
  summary: string;
}

/** Every named preset of every registered family. */
export function modelPresets(): Record<string, ModelPreset> {
  const out: Record<string, ModelPreset> = {};
  for (const f of familySpecs()) for (const p of f.presets) out[p.name] = { family: f.name, config: p.config, summary: p.summary };
  return out;
}

/** A preset by name, or a bare family name (its defaults). */
export function resolveModelPreset(name: string): ModelPreset | undefined {
  const presets = modelPresets();
  if (presets[name]) return presets[name];
  if (familySpec(name)) return { family: name, config: {}, summary: `${name} family defaults` };
  return undefined;
}

/** Every name `--model` accepts (train, cv): the presets, then the family names not already among them. */
export function modelNames(): string[] {
  const names = Object.keys(modelPresets());
  for (const f of familySpecs()) if (!names.includes(f.name)) names.push(f.name);
  return names;
}

/** The bi-encoder's size presets (`--model bi-encoder --preset NAME`). */
export const BI_ENCODER_PRESETS: readonly string[] = requireFamily('bi-encoder').sizes ?? [];

/**
 * The config a family really trains with: its defaults ⊕ the preset ⊕ what the caller passed, resolved
 * the way the family resolves it (train.py's defaults such as lr 2e-5 / 4 epochs are the bi-encoder's
 * and do not apply to the other families; kernel/training/familyConfig.ts translates the train.py
 * fields a user gave). This is what a run records.
 */
export function effectiveConfig(family: ModelFamilyName, cfg: Record<string, unknown>): Record<string, unknown> {
  return requireFamily(family).effective(cfg);
}

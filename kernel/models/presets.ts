// Named model presets over the built-in families: `offline-default` is what every user without
// pretrained weights gets (the ensemble); `linear` and `tagger` are its two members alone.
import type { ModelFamilyName } from '../engine/model';
import type { Mechanism } from '../engine/types';
import { resolveEnsembleConfig, softRationaleRule } from './ensemble/config';
import { resolveLinearConfig } from './linear/config';
import { resolveTaggerConfig } from './tagger/config';

export interface ModelPreset {
  family: ModelFamilyName;
  /** Config overrides for the family's train(). */
  config: Record<string, unknown>;
  summary: string;
}

export const MODEL_PRESETS: Record<string, ModelPreset> = {
  'offline-default': { family: 'ensemble', config: {}, summary: 'w·linear + (1−w)·BiGRU tagger level probabilities (w = 0.9 ER, 0.9 IP, 0.7 EX, chosen by grouped CV); rationale token probabilities ρ·linear sentence model + (1−ρ)·tagger, shown where the predicted level is > 0 (thresholds and ρ chosen by grouped CV)' },
  'offline-default-soft': { family: 'ensemble', config: { ...softRationaleRule }, summary: 'offline-default with soft rationales: token probability × P(level > 0), no hard gate (may mark tokens where the predicted level is 0)' },
  linear: { family: 'linear', config: {}, summary: 'TF-IDF (word 1–2 + char_wb 2–5) class-balanced logistic regression, C by grouped CV' },
  tagger: { family: 'tagger', config: {}, summary: 'word + char n-gram embeddings, shared BiGRU, masked cross-attention, joint level and rationale heads' },
};

/** A preset by name, or a bare family name (its defaults). */
export function resolveModelPreset(name: string): ModelPreset | undefined {
  if (MODEL_PRESETS[name]) return MODEL_PRESETS[name];
  if (['bi-encoder', 'linear', 'tagger', 'ensemble'].includes(name)) return { family: name as ModelFamilyName, config: {}, summary: `${name} family defaults` };
  return undefined;
}

/** Every name `--model` accepts (train, cv) and `empathy.defaultPreset` offers besides bi-encoder sizes. */
export const MODEL_NAMES: readonly string[] = [...Object.keys(MODEL_PRESETS), 'ensemble', 'bi-encoder'];

/** The bi-encoder's size presets (`--model bi-encoder --preset NAME`). */
export const BI_ENCODER_PRESETS: readonly string[] = ['tiny', 'small', 'roberta-base'];

/**
 * The config a family really trains with: its defaults ⊕ the preset ⊕ what the caller passed, resolved
 * the way the family resolves it (train.py's defaults such as lr 2e-5 / 4 epochs are the bi-encoder's
 * and do not apply to the other families; kernel/training/familyConfig.ts translates the train.py
 * fields a user gave). This is what a run records.
 */
export function effectiveConfig(family: ModelFamilyName, cfg: Record<string, unknown>): Record<string, unknown> {
  const mechs = cfg.mechanisms as Mechanism[] | undefined;
  if (family === 'linear') return { ...resolveLinearConfig(cfg) };
  if (family === 'tagger') return { ...resolveTaggerConfig(cfg) };
  if (family === 'ensemble') {
    const e = resolveEnsembleConfig(cfg);
    return {
      ...e,
      linear: resolveLinearConfig(e.linear),
      tagger: resolveTaggerConfig({ ...e.tagger, ...(mechs ? { mechanisms: mechs } : {}) }),
      ...(mechs ? { mechanisms: mechs } : {}),
    };
  }
  return { ...cfg };
}

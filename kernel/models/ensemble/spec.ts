// The ensemble (the offline-default preset) as the family registry knows it: its presets, its own fields,
// the train.py fields its members take (the tagger's epochs, lr, …; a seed seeds the whole), its Args
// lines, Train Model…'s entries; train and load on first use.
import type { ModelFamily, Mechanism } from '../../engine';
import type { ConfigNote, FamilySpec } from '../familySpec';
import { LINEAR_FROM_TRAIN_PY, notTaken } from '../linear/spec';
import { resolveLinearConfig } from '../linear/config';
import { TAGGER_FROM_TRAIN_PY, taggerBanner } from '../tagger/spec';
import { resolveTaggerConfig } from '../tagger/config';
import { defaultEnsembleConfig, resolveEnsembleConfig, softRationaleRule } from './config';

const NATIVE: readonly string[] = [...Object.keys(defaultEnsembleConfig), 'rationaleGate', 'rationaleThreshold', 'rationaleMix'];

export const ensembleSpec: FamilySpec = {
  name: 'ensemble',
  words: 'the ensemble',
  summary: 'w·linear + (1−w)·BiGRU tagger level probabilities; rationale token probabilities mixed the same way',
  presets: [
    { name: 'offline-default', config: {}, summary: 'w·linear + (1−w)·BiGRU tagger level probabilities (w = 0.9 ER, 0.9 IP, 0.7 EX, chosen by grouped CV); rationale token probabilities ρ·linear sentence model + (1−ρ)·tagger, shown where the predicted level is > 0 (thresholds and ρ chosen by grouped CV)' },
    { name: 'offline-default-soft', config: { ...softRationaleRule }, summary: 'offline-default with soft rationales: token probability × P(level > 0), no hard gate (may mark tokens where the predicted level is 0)' },
  ],
  choices: [
    { id: 'offline-default', label: 'offline-default', detail: 'The offline default (linear + BiGRU tagger ensemble; the shipped model): the best model without pretrained weights', setting: 'The offline default (ensemble of the linear and tagger families, the model that ships with the workbench): the best model without pretrained weights; minutes on the public data, seconds on the samples.' },
    { id: 'offline-default-soft', label: 'offline-default-soft', detail: 'The offline default with soft rationales (token probability × P(level > 0), no hard gate)', setting: 'The offline default with soft rationales (token probability × P(level > 0), no hard gate).' },
  ],
  onnx: true,
  resolveConfig(given, base) {
    const config = { ...base };
    const notes: ConfigNote[] = [];
    const tagger: Record<string, unknown> = {};
    const linear: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(given)) {
      if (NATIVE.includes(k)) config[k] = k === 'tagger' || k === 'linear' ? { ...(config[k] as object | undefined), ...(v as object) } : v;
      else if (TAGGER_FROM_TRAIN_PY[k] || LINEAR_FROM_TRAIN_PY[k]) {
        // The ensemble's training is its members': the tagger's epochs, lr, …; a seed seeds the whole.
        if (TAGGER_FROM_TRAIN_PY[k]) tagger[TAGGER_FROM_TRAIN_PY[k]] = v;
        if (LINEAR_FROM_TRAIN_PY[k]) linear[LINEAR_FROM_TRAIN_PY[k]] = v;
        if (k === 'seed_val') config.seed = v;
      } else notes.push(notTaken(k));
    }
    if (Object.keys(tagger).length) config.tagger = { ...(config.tagger as object | undefined), ...tagger };
    if (Object.keys(linear).length) config.linear = { ...(config.linear as object | undefined), ...linear };
    return { config, notes };
  },
  effective(config) {
    const mechs = config.mechanisms as Mechanism[] | undefined;
    const e = resolveEnsembleConfig(config);
    return {
      ...e,
      linear: resolveLinearConfig(e.linear),
      tagger: resolveTaggerConfig({ ...e.tagger, ...(mechs ? { mechanisms: mechs } : {}) }),
      ...(mechs ? { mechanisms: mechs } : {}),
    };
  },
  banner(used) {
    const tg = used.tagger as Record<string, unknown> | undefined;
    return [
      ...(tg ? [taggerBanner(tg)] : []),
      `linear: TF-IDF logistic regression, C by grouped CV${used.weights ? `; ensemble weights ${JSON.stringify(used.weights)}` : ''}`,
    ];
  },
  load: () => (require('./ensembleModel') as typeof import('./ensembleModel')).ensembleFamily as ModelFamily<any>,
};

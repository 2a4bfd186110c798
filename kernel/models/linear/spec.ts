// The linear model as the family registry knows it: its own config fields, the train.py fields it
// translates (seed_val, class_weights), its Args line, Train Model…'s entry; train and load on first use.
import type { ModelFamily } from '../../engine';
import { TRAIN_PY_KEYS } from '../bi-encoder/spec';
import type { ConfigNote, FamilySpec } from '../familySpec';
import { defaultLinearConfig, resolveLinearConfig } from './config';

/** train.py-named field → the linear model's field of the same meaning. */
export const LINEAR_FROM_TRAIN_PY: Record<string, string> = { seed_val: 'seed', class_weights: 'classWeight' };

/** A field no family of this name takes: a train.py one (or --preset) is "unused", anything else "unknown". */
export function notTaken(key: string): ConfigNote {
  return { key, why: TRAIN_PY_KEYS.includes(key) || key === 'preset' ? 'unused' : 'unknown' };
}

export const linearSpec: FamilySpec = {
  name: 'linear',
  words: 'the linear model',
  summary: 'TF-IDF (word 1–2 + char_wb 2–5) class-balanced logistic regression, C by grouped CV',
  presets: [{ name: 'linear', config: {}, summary: 'TF-IDF (word 1–2 + char_wb 2–5) class-balanced logistic regression, C by grouped CV' }],
  choices: [{ id: 'linear', label: 'linear', detail: 'TF-IDF class-balanced logistic regression: trains in seconds', setting: 'TF-IDF class-balanced logistic regression: trains in seconds.' }],
  onnx: false,
  resolveConfig(given, base) {
    const native = Object.keys(defaultLinearConfig);
    const config = { ...base };
    const notes: ConfigNote[] = [];
    for (const [k, v] of Object.entries(given)) {
      if (native.includes(k)) config[k] = v;
      else if (LINEAR_FROM_TRAIN_PY[k]) config[LINEAR_FROM_TRAIN_PY[k]] = v;
      else notes.push(notTaken(k));
    }
    return { config, notes };
  },
  effective: (config) => ({ ...resolveLinearConfig(config) }),
  banner: () => ['linear: TF-IDF logistic regression, C by grouped CV'],
  load: () => (require('./linearModel') as typeof import('./linearModel')).linearFamily as ModelFamily<any>,
};

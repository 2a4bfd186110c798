// The BiGRU tagger as the family registry knows it: its own config fields, the train.py fields it
// translates (lr, epochs, …), its Args line, Train Model…'s entry; train and load on first use.
import type { ModelFamily } from '../../engine';
import type { ConfigNote, FamilySpec } from '../familySpec';
import { notTaken } from '../linear/spec';
import { pyFloat } from '../pyFloat';
import { defaultTaggerConfig, resolveTaggerConfig } from './config';

/** train.py-named field → the tagger's field of the same meaning. */
export const TAGGER_FROM_TRAIN_PY: Record<string, string> = { lr: 'lr', epochs: 'epochs', dropout: 'dropout', batch_size: 'batchSize', max_len: 'maxLen', seed_val: 'seed', backend: 'backend', class_weights: 'classWeights' };

/** The tagger's Args line (alone, or as the ensemble's member). */
export function taggerBanner(tg: Record<string, unknown>): string {
  return `tagger: lr =  ${pyFloat(Number(tg.lr))}; epochs =  ${tg.epochs}; batch_size =  ${tg.batchSize}; dropout =  ${pyFloat(Number(tg.dropout))}; max_len =  ${tg.maxLen}; seed =  ${tg.seed}`;
}

export const taggerSpec: FamilySpec = {
  name: 'tagger',
  words: 'the tagger',
  summary: 'word + char n-gram embeddings, shared BiGRU, masked cross-attention, joint level and rationale heads',
  presets: [{ name: 'tagger', config: {}, summary: 'word + char n-gram embeddings, shared BiGRU, masked cross-attention, joint level and rationale heads' }],
  choices: [{ id: 'tagger', label: 'tagger', detail: 'The BiGRU rationale tagger alone', setting: 'The BiGRU rationale tagger alone.' }],
  onnx: true,
  resolveConfig(given, base) {
    const native = Object.keys(defaultTaggerConfig);
    const config = { ...base };
    const notes: ConfigNote[] = [];
    for (const [k, v] of Object.entries(given)) {
      if (native.includes(k)) config[k] = v;
      else if (TAGGER_FROM_TRAIN_PY[k]) config[TAGGER_FROM_TRAIN_PY[k]] = v;
      else notes.push(notTaken(k));
    }
    return { config, notes };
  },
  effective: (config) => ({ ...resolveTaggerConfig(config) }),
  banner: (used) => [taggerBanner(used)],
  load: () => (require('./taggerModel') as typeof import('./taggerModel')).taggerFamily as ModelFamily<any>,
};

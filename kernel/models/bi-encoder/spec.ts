// The bi-encoder as the family registry knows it: train.py's config (every field passes; the engine judges
// unknown ones), its sizes (--preset), its Args lines, Train Model…'s entries; train and load on first use.
import type { ModelFamily } from '../../engine';
import type { FamilySpec } from '../familySpec';
import { pyFloat } from '../pyFloat';
import { defaultTrainConfig } from './trainConfig';

/** The bi-encoder's TrainConfig fields (train.py's flags and the extras), named as the user names them. */
export const TRAIN_PY_KEYS: readonly string[] = [...Object.keys(defaultTrainConfig), 'model', 'backend', 'class_weights', 'init_weights', 'tokenizer', 'vocab_size', 'resume'];

export const biEncoderSpec: FamilySpec = {
  name: 'bi-encoder',
  words: 'the bi-encoder',
  summary: 'RoBERTa bi-encoder (seeker and response encoders, cross-attention, level and rationale heads): train.py',
  presets: [],
  sizes: ['tiny', 'small', 'roberta-base'],
  choices: [
    { id: 'tiny', label: 'bi-encoder · tiny', detail: 'A few-layer encoder: seconds per epoch on the samples — for trying things out', setting: 'Bi-encoder, a few-layer encoder: seconds per epoch on the samples; for trying things out.' },
    { id: 'small', label: 'bi-encoder · small', detail: 'A small encoder trained from scratch: minutes on a laptop CPU', setting: 'Bi-encoder, a small encoder trained from scratch: minutes on a laptop CPU.' },
    { id: 'roberta-base', label: 'bi-encoder · roberta-base', detail: "The paper's RoBERTa-base encoders: needs pretrained weights and a GPU to be practical", setting: 'Bi-encoder, the paper’s RoBERTa-base (125M parameters per encoder): needs the pretrained weights and a GPU to be practical.' },
  ],
  onnx: true,
  // Its config is train.py's: every field passes (unknown keys are the engine's to judge, as before).
  resolveConfig: (given, base) => ({ config: { ...base, ...given }, notes: [] }),
  effective: (config) => ({ ...defaultTrainConfig, ...config }),
  banner(used) {
    return [
      ...(['lr', 'lambda_EI', 'lambda_RE', 'dropout'] as const).map((k) => `${k} =  ${pyFloat(Number(used[k]))}`),
      ...(['max_len', 'batch_size', 'epochs', 'seed_val'] as const).map((k) => `${k} =  ${used[k]}`),
    ];
  },
  size: (used) => String(used.preset),
  load: () => (require('./biEncoderFamily') as typeof import('./biEncoderFamily')).biEncoderFamily as ModelFamily<any>,
};

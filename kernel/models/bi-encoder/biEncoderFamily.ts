// The bi-encoder family entry: train (train.ts) and load a checkpoint into a BiEncoderModel (load.ts).
import type { ModelFamily } from '../../engine';
import { loadBiEncoder } from './load';
import { train, type TrainConfig } from './train';

export { loadBiEncoder } from './load';

export const biEncoderFamily: ModelFamily<Partial<TrainConfig>> = {
  name: 'bi-encoder',
  train,
  load: loadBiEncoder,
};

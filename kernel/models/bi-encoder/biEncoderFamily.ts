// The bi-encoder family entry: train (train.ts) and load a checkpoint into a BiEncoderModel.
import { BiEncoder } from './biEncoder';
import { BiEncoderModel, checkBiEncoderConfig } from './biEncoderModel';
import { loadCheckpoint, splitByPrefix } from '../../engine/checkpoint';
import type { ModelFamily } from '../../engine/model';
import { tokenizerFromJSON } from '../../engine/tokenizer';
import { train, type TrainConfig } from './train';

/** Load a bi-encoder checkpoint (weights only; `train({ resume })` restores the optimiser too). */
export async function loadBiEncoder(path: string): Promise<BiEncoderModel> {
  const ck = await loadCheckpoint(path);
  if (ck.family !== 'bi-encoder') throw new Error(`${path} holds a '${ck.family}' model, not a bi-encoder`);
  const cfg = checkBiEncoderConfig(path, ck.config);
  if (ck.tokenizer === undefined) throw new Error(`${path}: checkpoint has no tokenizer`);
  const tokenizer = await tokenizerFromJSON(ck.tokenizer);
  const { rest } = splitByPrefix(ck.tensors, 'optimizer.');
  const net = new BiEncoder(cfg.model, 0);
  try {
    net.loadStateDict(rest);
  } catch (e) {
    net.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return new BiEncoderModel(net, tokenizer, cfg.maxLen, { trainArgs: ck.trainArgs as Partial<TrainConfig> | undefined, metrics: ck.metrics });
}

export const biEncoderFamily: ModelFamily<Partial<TrainConfig>> = {
  name: 'bi-encoder',
  train,
  load: loadBiEncoder,
};

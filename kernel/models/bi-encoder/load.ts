// Reading a bi-encoder checkpoint: its config, tokenizer and network with the saved weights, plus what a
// resumed run needs besides (the optimiser tensors, the train state). `loadBiEncoder` and
// `train({ resume })` both start here, so a checkpoint is read one way. A PyTorch `.pth` is converted on the way
// in (torchImport.ts), as the options say.
import { existsSync } from 'node:fs';
import { BiEncoder } from './biEncoder';
import { BiEncoderModel, checkBiEncoderConfig, type BiEncoderCheckpointConfig } from './biEncoderModel';
import {
  loadCheckpoint, splitByPrefix, type Checkpoint, type TensorEntry, tokenizerFromJSON, type Tokenizer,
  type LoadModelOptions, type TorchImportOptions, isTorchFile,
} from '../../engine';
import { importTorchCheckpoint } from './torchImport';
import type { TrainConfig } from './trainConfig';

/** A bi-encoder checkpoint opened: the caller owns (and disposes) `net`. */
export interface OpenedBiEncoder {
  net: BiEncoder;
  tokenizer: Tokenizer;
  cfg: BiEncoderCheckpointConfig;
  checkpoint: Checkpoint;
  /** The optimiser's tensors under their full names (`optimizer.…`); empty when the file has none. */
  optimizerTensors: Map<string, TensorEntry>;
}

/**
 * Open a bi-encoder checkpoint; `seed` seeds the network's dropout stream (the weights come from the file).
 * A PyTorch `.pth` is converted in memory with `torch` (heads, mechanism, tokenizer). `optimizer: false`
 * leaves the optimiser state on disk (inference: a trained checkpoint holds twice its weights in AdamW moments).
 */
export async function openBiEncoderCheckpoint(path: string, seed = 0, torch: TorchImportOptions = {}, opts: { optimizer?: boolean } = {}): Promise<OpenedBiEncoder> {
  const keep = opts.optimizer === false ? (name: string) => !name.startsWith('optimizer.') : undefined;
  const ck = existsSync(path) && (await isTorchFile(path)) ? (await importTorchCheckpoint(path, torch)).checkpoint : await loadCheckpoint(path, { keep });
  if (ck.family !== 'bi-encoder') throw new Error(`${path} holds a '${ck.family}' model, not a bi-encoder`);
  const cfg = checkBiEncoderConfig(path, ck.config);
  if (ck.tokenizer === undefined) throw new Error(`${path}: checkpoint has no tokenizer`);
  const tokenizer = await tokenizerFromJSON(ck.tokenizer);
  const { rest } = splitByPrefix(ck.tensors, 'optimizer.');
  const net = new BiEncoder(cfg.model, seed);
  try {
    net.loadStateDict(rest);
  } catch (e) {
    net.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const optimizerTensors = new Map([...ck.tensors].filter(([k]) => k.startsWith('optimizer.')));
  return { net, tokenizer, cfg, checkpoint: ck, optimizerTensors };
}

/** Load a bi-encoder checkpoint (weights only; `train({ resume })` restores the optimiser too). */
export async function loadBiEncoder(path: string, opts: LoadModelOptions = {}): Promise<BiEncoderModel> {
  const { net, tokenizer, cfg, checkpoint: ck } = await openBiEncoderCheckpoint(path, 0, opts.torch, { optimizer: false });
  return new BiEncoderModel(net, tokenizer, cfg.maxLen, { trainArgs: ck.trainArgs as Partial<TrainConfig> | undefined, metrics: ck.metrics, exportInference: true });
}

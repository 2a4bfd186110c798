// Reading a bi-encoder checkpoint: its config, tokenizer and network with the saved weights, plus what a
// resumed run needs besides (the optimiser tensors, the train state). `loadBiEncoder` and
// `train({ resume })` both start here, so a checkpoint is read one way. A PyTorch `.pth` is converted on the way
// in (torchImport.ts), as the options say.
import { existsSync } from 'node:fs';
import { BiEncoder, checkStateDict } from './biEncoder';
import { BiEncoderModel, checkBiEncoderConfig, type BiEncoderCheckpointConfig, type DeferredBiEncoder } from './biEncoderModel';
import {
  loadCheckpoint, splitByPrefix, type Checkpoint, type TensorEntry, tokenizerFromJSON, type Tokenizer,
  type LoadModelOptions, type TorchImportOptions, isTorchFile, SafetensorsFile, assertFiniteWeights, toFloat32,
} from '../../engine';
import { importTorchCheckpoint } from './torchImport';
import { EXTERNAL_WEIGHTS_FROM_BYTES } from './onnxExport';
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

/**
 * Checkpoints with at least this many bytes of weights load deferred: onnxruntime reads the weights from the
 * file and tfjs loads them only when a tfjs path needs them (salience, the tfjs fallback, save). The same size
 * from which the ONNX export keeps weights in a file (onnxExport.ts); tests lower it.
 */
export const deferredLoadTuning = { fromBytes: EXTERNAL_WEIGHTS_FROM_BYTES };

/** Load a bi-encoder checkpoint (weights only; `train({ resume })` restores the optimiser too). */
export async function loadBiEncoder(path: string, opts: LoadModelOptions = {}): Promise<BiEncoderModel> {
  if (!(existsSync(path) && (await isTorchFile(path)))) {
    const deferred = await openDeferred(path);
    if (deferred) return deferred;
  }
  const { net, tokenizer, cfg, checkpoint: ck } = await openBiEncoderCheckpoint(path, 0, opts.torch, { optimizer: false });
  return new BiEncoderModel(net, tokenizer, cfg.maxLen, { trainArgs: ck.trainArgs as Partial<TrainConfig> | undefined, metrics: ck.metrics, exportInference: true });
}

/**
 * A large workbench checkpoint opened without loading its weights, checked as a load checks it before any
 * work (config, tokenizer, every name and shape, every weight finite: read one tensor at a time). Undefined
 * for a model under deferredLoadTuning.fromBytes (loaded at once, as before).
 */
async function openDeferred(path: string): Promise<BiEncoderModel | undefined> {
  const ck = await loadCheckpoint(path, { keep: () => false }); // the metadata's checks; no tensor read yet
  if (ck.family !== 'bi-encoder') throw new Error(`${path} holds a '${ck.family}' model, not a bi-encoder`);
  const cfg = checkBiEncoderConfig(path, ck.config);
  if (BiEncoder.countParameters(cfg.model).parameters * 4 < deferredLoadTuning.fromBytes) return undefined;
  if (ck.tokenizer === undefined) throw new Error(`${path}: checkpoint has no tokenizer`);
  const tokenizer = await tokenizerFromJSON(ck.tokenizer);
  const file = SafetensorsFile.open(path);
  const weights = new Map(file.names().filter((n) => !n.startsWith('optimizer.')).map((n) => [n, file.info(n)!]));
  try {
    checkStateDict(new Map(BiEncoder.paramSpecs(cfg.model).map((p) => [p.name, p.shape])), weights, true);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  for (const n of weights.keys()) assertFiniteWeights(path, new Map([[n, file.tensor(n)]]));
  const source: DeferredBiEncoder = {
    cfg: cfg.model,
    weightReaders: () => new Map([...weights].map(([n, info]) => [n, { shape: info.shape, read: async () => toFloat32(n, file.tensor(n)) }])),
    load: () => {
      const net = new BiEncoder(cfg.model, 0);
      try {
        net.loadStateDict(new Map([...weights.keys()].map((n) => [n, file.tensor(n)])));
      } catch (e) {
        net.dispose();
        throw new Error(`${path}: ${(e as Error).message}`);
      }
      return net;
    },
  };
  return new BiEncoderModel(source, tokenizer, cfg.maxLen, { trainArgs: ck.trainArgs as Partial<TrainConfig> | undefined, metrics: ck.metrics, exportInference: true });
}

// The model families' public surface for the CLI (loaded lazily through cli/engine.ts) and notebooks: the
// family registry and loadModel, and the bi-encoder's train / load / predict / evaluate.
import { lazyExport } from '../engine';
export { families, familySpec, familySpecs, registerFamily, loadModel, requireFamily } from './families';
export type { TrainConfig, TrainState } from './bi-encoder/train';
export type { BiEncoderCheckpointConfig } from './bi-encoder/biEncoderModel';
export type { BiEncoderParts } from './bi-encoder/predict';
export type { EvaluateOptions } from './bi-encoder/evaluate';
export { encodePairs, collate, mechanismsInData, type EncodedExample, type EncodeOptions } from './bi-encoder/encode';
export { PRESETS, resolvePreset, type BiEncoderConfig, type EncoderConfig, type PresetName } from './bi-encoder/config';
export type { TorchImport } from './bi-encoder/torchImport';
export { BI_ENCODER_PRESETS, modelNames, type ModelPreset, resolveModelPreset } from './presets';
export { hasShippedModel, loadShippedModel, SHIPPED_MODEL_FILE, SHIPPED_MODEL_SUMMARY, shippedModelPath, shippedModelsDir } from './shipped';
export { pyFloat } from './pyFloat';

// Loaded on first use: these modules load tfjs or another heavy package at require time (kernel/engine/lazyExport.ts).
export declare const biEncoderFamily: typeof import('./bi-encoder/biEncoderFamily').biEncoderFamily;
export declare const loadBiEncoder: typeof import('./bi-encoder/biEncoderFamily').loadBiEncoder;
lazyExport(module.exports, () => require('./bi-encoder/biEncoderFamily') as typeof import('./bi-encoder/biEncoderFamily'), ['biEncoderFamily', 'loadBiEncoder']);
export declare const BiEncoderModel: typeof import('./bi-encoder/biEncoderModel').BiEncoderModel;
export type BiEncoderModel = import('./bi-encoder/biEncoderModel').BiEncoderModel;
lazyExport(module.exports, () => require('./bi-encoder/biEncoderModel') as typeof import('./bi-encoder/biEncoderModel'), ['BiEncoderModel']);
export declare const evaluateBiEncoder: typeof import('./bi-encoder/evaluate').evaluateBiEncoder;
lazyExport(module.exports, () => require('./bi-encoder/evaluate') as typeof import('./bi-encoder/evaluate'), ['evaluateBiEncoder']);
export declare const predictPairs: typeof import('./bi-encoder/predict').predictPairs;
export declare const runInference: typeof import('./bi-encoder/predict').runInference;
lazyExport(module.exports, () => require('./bi-encoder/predict') as typeof import('./bi-encoder/predict'), ['predictPairs', 'runInference']);
export declare const importTorchCheckpoint: typeof import('./bi-encoder/torchImport').importTorchCheckpoint;
lazyExport(module.exports, () => require('./bi-encoder/torchImport') as typeof import('./bi-encoder/torchImport'), ['importTorchCheckpoint']);
export declare const balancedClassWeights: typeof import('./bi-encoder/train').balancedClassWeights;
export declare const defaultTrainConfig: typeof import('./bi-encoder/train').defaultTrainConfig;
export declare const train: typeof import('./bi-encoder/train').train;
lazyExport(module.exports, () => require('./bi-encoder/train') as typeof import('./bi-encoder/train'), ['balancedClassWeights', 'defaultTrainConfig', 'train']);

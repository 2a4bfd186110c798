// The model families' public surface for the CLI and notebooks, and the only way into kernel/models/ from
// outside it (the layer rule): the family registry and loadModel, presets, the shipped model, and the
// bi-encoder's train / load / predict / evaluate. Every value loads on first read: the CLI's help reads the
// registry and presets without loading tfjs.
import { lazyExport } from '../engine';
export type { TrainConfig, TrainState } from './bi-encoder/train';
export type { BiEncoderCheckpointConfig } from './bi-encoder/biEncoderModel';
export type { BiEncoderParts } from './bi-encoder/predict';
export type { EvaluateOptions } from './bi-encoder/evaluate';
export type { EncodedExample, EncodeOptions } from './bi-encoder/encode';
export type { BiEncoderConfig, EncoderConfig, PresetName } from './bi-encoder/config';
export type { TorchImport } from './bi-encoder/torchImport';
export type { ModelPreset } from './presets';
export type { FamilySpec } from './familySpec';

// Loaded on first use (kernel/engine/lazyExport.ts): importing this index loads none of these modules until one of their names is read.
export declare const biEncoderFamily: typeof import('./bi-encoder/biEncoderFamily').biEncoderFamily;
export declare const loadBiEncoder: typeof import('./bi-encoder/biEncoderFamily').loadBiEncoder;
lazyExport(module.exports, () => require('./bi-encoder/biEncoderFamily') as typeof import('./bi-encoder/biEncoderFamily'), ['biEncoderFamily', 'loadBiEncoder']);
export declare const BiEncoderModel: typeof import('./bi-encoder/biEncoderModel').BiEncoderModel;
export type BiEncoderModel = import('./bi-encoder/biEncoderModel').BiEncoderModel;
lazyExport(module.exports, () => require('./bi-encoder/biEncoderModel') as typeof import('./bi-encoder/biEncoderModel'), ['BiEncoderModel']);
export declare const PRESETS: typeof import('./bi-encoder/config').PRESETS;
export declare const resolvePreset: typeof import('./bi-encoder/config').resolvePreset;
lazyExport(module.exports, () => require('./bi-encoder/config') as typeof import('./bi-encoder/config'), ['PRESETS', 'resolvePreset']);
export declare const collate: typeof import('./bi-encoder/encode').collate;
export declare const encodePairs: typeof import('./bi-encoder/encode').encodePairs;
export declare const mechanismsInData: typeof import('./bi-encoder/encode').mechanismsInData;
lazyExport(module.exports, () => require('./bi-encoder/encode') as typeof import('./bi-encoder/encode'), ['collate', 'encodePairs', 'mechanismsInData']);
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
export declare const families: typeof import('./families').families;
export declare const familySpec: typeof import('./families').familySpec;
export declare const familySpecs: typeof import('./families').familySpecs;
export declare const loadModel: typeof import('./families').loadModel;
export declare const registerFamily: typeof import('./families').registerFamily;
export declare const requireFamily: typeof import('./families').requireFamily;
lazyExport(module.exports, () => require('./families') as typeof import('./families'), ['families', 'familySpec', 'familySpecs', 'loadModel', 'registerFamily', 'requireFamily']);
export declare const BI_ENCODER_PRESETS: typeof import('./presets').BI_ENCODER_PRESETS;
export declare const modelNames: typeof import('./presets').modelNames;
export declare const resolveModelPreset: typeof import('./presets').resolveModelPreset;
lazyExport(module.exports, () => require('./presets') as typeof import('./presets'), ['BI_ENCODER_PRESETS', 'modelNames', 'resolveModelPreset']);
export declare const pyFloat: typeof import('./pyFloat').pyFloat;
lazyExport(module.exports, () => require('./pyFloat') as typeof import('./pyFloat'), ['pyFloat']);
export declare const SHIPPED_MODEL_FILE: typeof import('./shipped').SHIPPED_MODEL_FILE;
export declare const SHIPPED_MODEL_SUMMARY: typeof import('./shipped').SHIPPED_MODEL_SUMMARY;
export declare const hasShippedModel: typeof import('./shipped').hasShippedModel;
export declare const loadShippedModel: typeof import('./shipped').loadShippedModel;
export declare const shippedModelPath: typeof import('./shipped').shippedModelPath;
export declare const shippedModelsDir: typeof import('./shipped').shippedModelsDir;
lazyExport(module.exports, () => require('./shipped') as typeof import('./shipped'), ['SHIPPED_MODEL_FILE', 'SHIPPED_MODEL_SUMMARY', 'hasShippedModel', 'loadShippedModel', 'shippedModelPath', 'shippedModelsDir']);

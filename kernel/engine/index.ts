// The engine's public API: train / load / predict / evaluate bi-encoder models, tokenizers, backends, types.
export * from './types';
export type { EmpathyModel, ModelFamily, ModelFamilyName, PredictOptions, TrainData, TrainResult } from './model';
export { train, defaultTrainConfig, balancedClassWeights, type TrainConfig, type TrainState } from './train';
export { families, loadModel } from './families';
export { biEncoderFamily, loadBiEncoder } from './biEncoderFamily';
export { BiEncoderModel, type BiEncoderCheckpointConfig } from './biEncoderModel';
export { predictPairs, runInference, type BiEncoderParts } from './predict';
export { evaluateBiEncoder, type EvaluateOptions } from './evaluate';
export { extractSpans } from './spans';
export { encodePairs, collate, mechanismsInData, type EncodedExample, type EncodeOptions } from './encode';
export { saveCheckpoint, loadCheckpoint, readCheckpointFamily, type Checkpoint } from './checkpoint';
export { trainTokenizer, loadHfTokenizer, tokenizerFromJSON, BpeTokenizer, HfTokenizer, type Tokenizer, type Encoding } from './tokenizer';
export { initBackend, currentBackend, describeBackend, type BackendPreference } from './backend';
export { PRESETS, resolvePreset, type BiEncoderConfig, type EncoderConfig, type PresetName } from './config';

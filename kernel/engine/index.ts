// The engine's public API: the shared core (backends, checkpoints, tokenizers, types) and, re-exported from
// kernel/models/, the family registry and the bi-encoder's train / load / predict / evaluate.
export * from './types';
export type { EmpathyModel, ModelFamily, ModelFamilyName, PredictOptions, TrainData, TrainResult } from './model';
export { train, defaultTrainConfig, balancedClassWeights, type TrainConfig, type TrainState } from '../models/bi-encoder/train';
export { families, loadModel } from '../models/families';
export { biEncoderFamily, loadBiEncoder } from '../models/bi-encoder/biEncoderFamily';
export { BiEncoderModel, type BiEncoderCheckpointConfig } from '../models/bi-encoder/biEncoderModel';
export { predictPairs, runInference, type BiEncoderParts } from '../models/bi-encoder/predict';
export { evaluateBiEncoder, type EvaluateOptions } from '../models/bi-encoder/evaluate';
export { extractSpans } from './spans';
export { encodePairs, collate, mechanismsInData, type EncodedExample, type EncodeOptions } from '../models/bi-encoder/encode';
export { saveCheckpoint, loadCheckpoint, readCheckpointFamily, type Checkpoint } from './checkpoint';
export { importTorchCheckpoint, type TorchImport } from '../models/bi-encoder/torchImport';
export type { TorchImportOptions, LoadModelOptions } from './torch/importOptions';
export { trainTokenizer, loadHfTokenizer, tokenizerFromJSON, BpeTokenizer, HfTokenizer, type Tokenizer, type Encoding } from './tokenizer';
export { initBackend, currentBackend, describeBackend, type BackendPreference, type BackendOptions } from './backend';
export { setWasmThreads, resolveWasmThreads, physicalCores, WASM_THREADS_ENV, WASM_MAX_THREADS } from './wasmThreads';
export { resolveInference, describeInference, type InferenceInfo } from './onnx/runtime';
export { PRESETS, resolvePreset, type BiEncoderConfig, type EncoderConfig, type PresetName } from '../models/bi-encoder/config';

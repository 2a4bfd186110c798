// The engine's public API: the shared core every family uses (backends, checkpoints, tokenizers, spans,
// ONNX inference, types). The families themselves are kernel/models/ (its index.ts).
export * from './types';
export type { EmpathyModel, ModelFamily, ModelFamilyName, PredictOptions, TrainData, TrainResult } from './model';
export { extractSpans } from './spans';
export { saveCheckpoint, loadCheckpoint, readCheckpointFamily, type Checkpoint } from './checkpoint';
export type { TorchImportOptions, LoadModelOptions } from './torch/importOptions';
export { trainTokenizer, loadHfTokenizer, tokenizerFromJSON, BpeTokenizer, HfTokenizer, type Tokenizer, type Encoding } from './tokenizer';
export { initBackend, currentBackend, describeBackend, type BackendPreference, type BackendOptions } from './backend';
export { setWasmThreads, resolveWasmThreads, physicalCores, WASM_THREADS_ENV, WASM_MAX_THREADS } from './wasmThreads';
export { resolveInference, describeInference, type InferenceInfo } from './onnx/runtime';

// The model families' public surface for the CLI (loaded lazily through cli/engine.ts) and notebooks: the
// family registry and loadModel, and the bi-encoder's train / load / predict / evaluate.
export { families, familySpec, familySpecs, registerFamily, loadModel } from './families';
export { train, defaultTrainConfig, balancedClassWeights, type TrainConfig, type TrainState } from './bi-encoder/train';
export { biEncoderFamily, loadBiEncoder } from './bi-encoder/biEncoderFamily';
export { BiEncoderModel, type BiEncoderCheckpointConfig } from './bi-encoder/biEncoderModel';
export { predictPairs, runInference, type BiEncoderParts } from './bi-encoder/predict';
export { evaluateBiEncoder, type EvaluateOptions } from './bi-encoder/evaluate';
export { encodePairs, collate, mechanismsInData, type EncodedExample, type EncodeOptions } from './bi-encoder/encode';
export { PRESETS, resolvePreset, type BiEncoderConfig, type EncoderConfig, type PresetName } from './bi-encoder/config';
export { importTorchCheckpoint, type TorchImport } from './bi-encoder/torchImport';

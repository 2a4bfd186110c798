// `BiEncoderModel`: the EmpathyModel of the bi-encoder family, holding the network, its tokenizer and,
// after training, its optimiser (so a save is resumable); predict/evaluate/save delegate to their files.
// A model loaded from a checkpoint infers through onnxruntime (exported once, on first use) when it loads.
import {
  type AdamW, configLike, configMechanisms, configNumber, configObject, saveCheckpoint, openOnnxRunner,
  type InferenceInfo, type EmpathyModel, type PredictOptions, type SalienceOptions, type Tokenizer, type EvalReport,
  type LabeledPair, type Mechanism, type Pair, type PairPrediction,
} from '../../engine';
import { BiEncoder } from './biEncoder';
import { PRESETS, type BiEncoderConfig } from './config';
import { BiEncoderOnnx } from './onnxInference';
import type { OnnxWeightSource } from './onnxExport';
import { evaluateBiEncoder } from './evaluate';
import { predictPairs } from './predict';
import { biEncoderSalience } from './salience';
import type { TrainConfig } from './trainConfig';

/** The `config` entry of a bi-encoder checkpoint. */
export interface BiEncoderCheckpointConfig {
  model: BiEncoderConfig;
  /** Tokens per side including the specials (train.py --max_len). */
  maxLen: number;
}

/** A checkpoint's `config` checked to be a bi-encoder's (an error names the file and the field). */
export function checkBiEncoderConfig(file: string, raw: unknown): BiEncoderCheckpointConfig {
  const c = configObject(file, raw, 'config');
  const model = configLike(file, c.model, PRESETS.tiny, 'config.model');
  configMechanisms(file, model.mechanisms, 'config.model.mechanisms');
  const enc = configObject(file, model.encoder, 'config.model.encoder');
  for (const k of ['vocabSize', 'hidden', 'layers', 'heads', 'intermediate', 'maxPositions', 'typeVocabSize'] as const) {
    configNumber(file, enc[k], `config.model.encoder.${k}`, { integer: true, min: 1 });
  }
  configNumber(file, c.maxLen, 'config.maxLen', { integer: true, min: 3 });
  // Shapes the network is built from: a head size, positions for every token, dropouts below 1.
  if ((enc.hidden as number) % (enc.heads as number) !== 0) throw new Error(`${file}: checkpoint config.model.encoder.heads is ${enc.heads}, expected a divisor of hidden (${enc.hidden})`);
  const positions = (enc.maxPositions as number) - (typeof enc.padId === 'number' ? enc.padId : 1) - 1;
  if ((c.maxLen as number) > positions) throw new Error(`${file}: checkpoint config.maxLen is ${c.maxLen}, expected ≤ ${positions} (the encoder's positions)`);
  for (const [v, at] of [[model.dropout, 'config.model.dropout'], [enc.hiddenDropout, 'config.model.encoder.hiddenDropout'], [enc.attentionDropout, 'config.model.encoder.attentionDropout']] as const) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`${file}: checkpoint ${at} is ${String(v)}, expected a number ≥ 0 and < 1`);
  }
  return c as unknown as BiEncoderCheckpointConfig;
}

export interface BiEncoderModelExtras {
  /** The arguments it was trained with (stored as `train_args`). */
  trainArgs?: Partial<TrainConfig>;
  /** The live optimiser after training (its state is saved as `optimizer.*`); disposed with the model. */
  optimizer?: AdamW;
  /** Where training stood (saved as `train_state`, used by `resume`). */
  trainState?: unknown;
  metrics?: unknown;
  /**
   * Run predict/evaluate through an ONNX export of the weights when onnxruntime-node loads (EMPATHY_INFERENCE
   * decides; tfjs otherwise). Set for models loaded from a checkpoint, whose weights no longer change; a
   * model fresh from training keeps tfjs (its weights are live).
   */
  exportInference?: boolean;
}

/**
 * A network whose weights stay in its checkpoint file until tfjs needs them (load.ts): onnxruntime reads them
 * from the file for inference, so a served model is held once, by onnxruntime, not also by tfjs.
 */
export interface DeferredBiEncoder extends OnnxWeightSource {
  /** Build the tfjs network with the file's weights (synchronously). */
  load(): BiEncoder;
}

export class BiEncoderModel implements EmpathyModel {
  readonly family = 'bi-encoder' as const;
  readonly cfg: BiEncoderConfig;
  private onnx?: Promise<BiEncoderOnnx | undefined>;
  private engineInfo?: InferenceInfo;
  private loaded?: BiEncoder;
  private readonly deferred?: DeferredBiEncoder;
  private disposed = false;

  constructor(
    net: BiEncoder | DeferredBiEncoder,
    readonly tokenizer: Tokenizer,
    readonly maxLen: number,
    readonly extras: BiEncoderModelExtras = {},
  ) {
    this.cfg = net.cfg;
    if (net instanceof BiEncoder) this.loaded = net;
    else this.deferred = net;
  }

  /** The tfjs network; for a deferred model, reading it loads the weights from the checkpoint (tfjs paths only). */
  get net(): BiEncoder {
    if (!this.loaded && this.disposed) throw new Error('BiEncoderModel used after dispose()');
    this.loaded ??= this.deferred!.load();
    return this.loaded;
  }

  /** Whether tfjs holds the weights (false while only onnxruntime has served a deferred model). */
  get netLoaded(): boolean {
    return this.loaded !== undefined;
  }

  get mechanisms(): readonly Mechanism[] {
    return this.cfg.mechanisms;
  }

  /** The ONNX runner (exported on first call), or undefined when tfjs runs inference. */
  onnxRunner(): Promise<BiEncoderOnnx | undefined> {
    if (!this.extras.exportInference) return Promise.resolve(undefined);
    this.onnx ??= this.openOnnx();
    return this.onnx;
  }

  /** What runs this model's inference (known after the first predict/evaluate; undefined before). */
  get inference(): InferenceInfo | undefined {
    return this.extras.exportInference ? this.engineInfo : { engine: 'tfjs', reason: 'weights live (not loaded from a checkpoint)' };
  }

  private async openOnnx(): Promise<BiEncoderOnnx | undefined> {
    const { runner, info } = await openOnnxRunner((i) => BiEncoderOnnx.create(this.loaded ?? this.deferred!, i));
    this.engineInfo = info;
    return runner;
  }


  predict(pairs: readonly Pair[], opts?: PredictOptions): Promise<PairPrediction[]> {
    return predictPairs(this, pairs, opts);
  }

  /** Gradient × input on the responder's word + position embeddings (kernel/models/bi-encoder/salience.ts). */
  salience(pair: Pair, mechanism: Mechanism, opts?: SalienceOptions): Promise<number[]> {
    return biEncoderSalience(this, pair, mechanism, opts);
  }

  evaluate(data: readonly LabeledPair[], opts?: PredictOptions): Promise<EvalReport> {
    return evaluateBiEncoder(this, data, {
      ...opts,
      lambdaEI: this.extras.trainArgs?.lambda_EI,
      lambdaRE: this.extras.trainArgs?.lambda_RE,
    });
  }

  async save(path: string, extra: { trainArgs?: unknown; metrics?: unknown } = {}): Promise<void> {
    const tensors = await this.net.stateDictAsync();
    if (this.extras.optimizer) {
      for (const [k, v] of await this.extras.optimizer.getStateAsync()) tensors.set(k, v); // keys already `optimizer.<param>.*`
    }
    const config: BiEncoderCheckpointConfig = { model: this.cfg, maxLen: this.maxLen };
    await saveCheckpoint(path, {
      family: 'bi-encoder',
      config,
      tokenizer: this.tokenizer.toJSON(),
      trainArgs: extra.trainArgs ?? this.extras.trainArgs,
      metrics: extra.metrics ?? this.extras.metrics,
      trainState: this.extras.optimizer ? this.extras.trainState : undefined,
      tensors,
    });
  }

  describe(): Record<string, unknown> {
    const e = this.cfg.encoder;
    const { parameters, trainable } = BiEncoder.countParameters(this.cfg); // wherever the weights are kept
    return {
      family: this.family,
      mechanisms: [...this.mechanisms],
      maxLen: this.maxLen,
      preset: this.extras.trainArgs?.preset,
      encoder: { hidden: e.hidden, layers: e.layers, heads: e.heads, intermediate: e.intermediate, vocabSize: e.vocabSize },
      seekerMask: this.cfg.seekerMask,
      freezeSeeker: this.cfg.freezeSeeker,
      classWeights: this.cfg.classWeights,
      tokenizer: { kind: this.tokenizer.kind, vocabSize: this.tokenizer.vocabSize },
      parameters,
      trainableParameters: trainable,
    };
  }

  dispose(): void {
    const onnx = this.onnx;
    this.onnx = undefined;
    void onnx?.then((r) => r?.release(), () => undefined);
    this.extras.optimizer?.dispose();
    this.extras.optimizer = undefined;
    this.disposed = true;
    this.loaded?.dispose();
  }
}


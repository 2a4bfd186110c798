// `BiEncoderModel`: the EmpathyModel of the bi-encoder family, holding the network, its tokenizer and,
// after training, its optimiser (so a save is resumable); predict/evaluate/save delegate to their files.
import type { AdamW } from '../../engine/adamw';
import type { BiEncoder } from './biEncoder';
import { configLike, configMechanisms, configNumber, configObject, saveCheckpoint } from '../../engine/checkpoint';
import { PRESETS, type BiEncoderConfig } from './config';
import { evaluateBiEncoder } from './evaluate';
import type { EmpathyModel, PredictOptions, SalienceOptions } from '../../engine/model';
import { predictPairs } from './predict';
import { biEncoderSalience } from './salience';
import type { Tokenizer } from '../../engine/tokenizer';
import type { TrainConfig } from './trainConfig';
import type { EvalReport, LabeledPair, Mechanism, Pair, PairPrediction } from '../../engine/types';

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
}

export class BiEncoderModel implements EmpathyModel {
  readonly family = 'bi-encoder' as const;

  constructor(
    readonly net: BiEncoder,
    readonly tokenizer: Tokenizer,
    readonly maxLen: number,
    readonly extras: BiEncoderModelExtras = {},
  ) {}

  get mechanisms(): readonly Mechanism[] {
    return this.net.cfg.mechanisms;
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
    const config: BiEncoderCheckpointConfig = { model: this.net.cfg, maxLen: this.maxLen };
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
    const e = this.net.cfg.encoder;
    let parameters = 0, trainable = 0;
    for (const v of this.net.params.values()) {
      parameters += v.size;
      if (v.trainable) trainable += v.size;
    }
    return {
      family: this.family,
      mechanisms: [...this.mechanisms],
      maxLen: this.maxLen,
      preset: this.extras.trainArgs?.preset,
      encoder: { hidden: e.hidden, layers: e.layers, heads: e.heads, intermediate: e.intermediate, vocabSize: e.vocabSize },
      seekerMask: this.net.cfg.seekerMask,
      freezeSeeker: this.net.cfg.freezeSeeker,
      classWeights: this.net.cfg.classWeights,
      tokenizer: { kind: this.tokenizer.kind, vocabSize: this.tokenizer.vocabSize },
      parameters,
      trainableParameters: trainable,
    };
  }

  dispose(): void {
    this.extras.optimizer?.dispose();
    this.extras.optimizer = undefined;
    this.net.dispose();
  }
}


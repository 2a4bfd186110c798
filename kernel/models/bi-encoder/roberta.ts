// A RoBERTa encoder from raw ops and named variables (HF RobertaModel semantics: RoBERTa position ids,
// token-type row 0, embedding LayerNorm, post-LN layers with erf GELU, mask bias (1-mask)·-10000, pooler).
import * as tf from '@tensorflow/tfjs';
import type { EncoderConfig } from './config';
import { dense, dropout, embeddingLookup, geluErf, layerNorm, matMul, SeedStream, type HostWeights } from '../../engine';

/** A parameter to create: its original (PyTorch) name, shape and init. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
}

/** HF parameter names (relative to `<prefix>roberta.`) of an encoder, in PyTorch state_dict order. */
export function robertaParamSpecs(cfg: EncoderConfig): ParamSpec[] {
  const H = cfg.hidden;
  const I = cfg.intermediate;
  const specs: ParamSpec[] = [
    { name: 'embeddings.word_embeddings.weight', shape: [cfg.vocabSize, H], init: 'normal' },
    { name: 'embeddings.position_embeddings.weight', shape: [cfg.maxPositions, H], init: 'normal' },
    { name: 'embeddings.token_type_embeddings.weight', shape: [cfg.typeVocabSize, H], init: 'normal' },
    { name: 'embeddings.LayerNorm.weight', shape: [H], init: 'ones' },
    { name: 'embeddings.LayerNorm.bias', shape: [H], init: 'zeros' },
  ];
  for (let l = 0; l < cfg.layers; l++) {
    const p = `encoder.layer.${l}.`;
    specs.push(
      { name: `${p}attention.self.query.weight`, shape: [H, H], init: 'normal' },
      { name: `${p}attention.self.query.bias`, shape: [H], init: 'zeros' },
      { name: `${p}attention.self.key.weight`, shape: [H, H], init: 'normal' },
      { name: `${p}attention.self.key.bias`, shape: [H], init: 'zeros' },
      { name: `${p}attention.self.value.weight`, shape: [H, H], init: 'normal' },
      { name: `${p}attention.self.value.bias`, shape: [H], init: 'zeros' },
      { name: `${p}attention.output.dense.weight`, shape: [H, H], init: 'normal' },
      { name: `${p}attention.output.dense.bias`, shape: [H], init: 'zeros' },
      { name: `${p}attention.output.LayerNorm.weight`, shape: [H], init: 'ones' },
      { name: `${p}attention.output.LayerNorm.bias`, shape: [H], init: 'zeros' },
      { name: `${p}intermediate.dense.weight`, shape: [I, H], init: 'normal' },
      { name: `${p}intermediate.dense.bias`, shape: [I], init: 'zeros' },
      { name: `${p}output.dense.weight`, shape: [H, I], init: 'normal' },
      { name: `${p}output.dense.bias`, shape: [H], init: 'zeros' },
      { name: `${p}output.LayerNorm.weight`, shape: [H], init: 'ones' },
      { name: `${p}output.LayerNorm.bias`, shape: [H], init: 'zeros' },
    );
  }
  specs.push(
    { name: 'pooler.dense.weight', shape: [H, H], init: 'normal' },
    { name: 'pooler.dense.bias', shape: [H], init: 'zeros' },
  );
  return specs;
}

/** RoBERTa position ids from token ids: cumsum(id != pad)·(id != pad) + pad, per row. ids [B*T] -> [B*T]. */
export function robertaPositionIds(ids: Int32Array, batch: number, seqLen: number, padId: number): Int32Array {
  const pos = new Int32Array(batch * seqLen);
  for (let b = 0; b < batch; b++) {
    let c = 0;
    for (let t = 0; t < seqLen; t++) {
      const i = b * seqLen + t;
      if (ids[i] !== padId) { c += 1; pos[i] = c + padId; } else pos[i] = padId;
    }
  }
  return pos;
}

/** The checks every encoder input passes (tfjs forward and the ONNX graph alike): lengths, positions, vocab. */
export function checkEncoderInputs(c: EncoderConfig, ids: Int32Array, mask: Int32Array, batch: number, seqLen: number): void {
  const N = batch * seqLen;
  if (ids.length !== N || mask.length !== N) throw new Error(`encode: ids/mask length ${ids.length}/${mask.length}, expected ${batch}×${seqLen}`);
  if (seqLen > c.maxPositions - c.padId - 1) throw new Error(`sequence length ${seqLen} exceeds the encoder's ${c.maxPositions - c.padId - 1} positions`);
  for (let i = 0; i < N; i++) {
    if (ids[i] < 0 || ids[i] >= c.vocabSize) throw new Error(`token id ${ids[i]} at ${i} outside vocab of ${c.vocabSize}`);
  }
}

/** Additive attention bias (1 - mask)·-10000 as [B, 1, 1, T]. */
export function maskBias(mask: Int32Array, batch: number, seqLen: number): tf.Tensor4D {
  const bias = new Float32Array(batch * seqLen);
  for (let i = 0; i < bias.length; i++) bias[i] = (1 - mask[i]) * -10000;
  return tf.tensor4d(bias, [batch, 1, 1, seqLen]);
}

/** Optional sink for intermediate tensors (parity tests): called with a name and the tensor. */
export type Trace = (name: string, t: tf.Tensor) => void;

/**
 * One encoder: looks its weights up by name in `params` (`<prefix>embeddings.word_embeddings.weight`, ...),
 * or in `host` for weights kept outside the backend (a frozen encoder: uploaded per use, gradient-free).
 * It owns no tensors; the BiEncoder owns the variables.
 */
export class RobertaEncoder {
  constructor(
    readonly cfg: EncoderConfig,
    /** Name prefix in the params map, e.g. 'responder_encoder.roberta.'. */
    readonly prefix: string,
    private readonly params: Map<string, tf.Variable>,
    private readonly host?: HostWeights,
  ) {}

  private p(name: string): tf.Tensor {
    const v = this.params.get(this.prefix + name);
    if (v) return v;
    if (this.host?.has(this.prefix + name)) return this.host.tensor(this.prefix + name); // freed by the caller's tidy
    throw new Error(`missing parameter ${this.prefix + name}`);
  }

  /** Rows of an embedding table: gathered on the host for a host-kept table (no upload of [V, H]). */
  private lookup(name: string, ids: Int32Array): tf.Tensor2D {
    if (this.host?.has(this.prefix + name)) return this.host.rows(this.prefix + name, ids); // tf.gather's values
    return embeddingLookup(this.p(name), tf.tensor1d(ids, 'int32'), this.cfg.padId);
  }

  /**
   * The input embeddings word + position (from token ids) before token-type, LayerNorm and dropout:
   * ids [B*T] -> [B*T, H]. What gradient × input salience differentiates against (kernel/models/bi-encoder/salience.ts).
   */
  inputEmbeddings(ids: Int32Array, batch: number, seqLen: number): tf.Tensor2D {
    const c = this.cfg;
    const word = this.lookup('embeddings.word_embeddings.weight', ids); // [N, H]
    const pos = this.lookup('embeddings.position_embeddings.weight', robertaPositionIds(ids, batch, seqLen, c.padId)); // [N, H]
    return tf.add(word, pos) as tf.Tensor2D; // [N, H]
  }

  /**
   * Last hidden state. ids/mask [B*T] row-major; returns [B*T, H] (2-D, the layout every dense uses).
   * `rng` set = training (dropout on); absent = eval. `inputEmbeds` ([B*T, H], as `inputEmbeddings`)
   * replaces the word + position lookup, so a caller can differentiate with respect to it.
   */
  encode(ids: Int32Array, mask: Int32Array, batch: number, seqLen: number, rng?: SeedStream, trace?: Trace, inputEmbeds?: tf.Tensor2D): tf.Tensor2D {
    const c = this.cfg;
    const H = c.hidden;
    const nh = c.heads;
    const dh = H / nh;
    const N = batch * seqLen;
    checkEncoderInputs(c, ids, mask, batch, seqLen);

    // Embeddings: word + position (from token ids) + token-type row 0, LayerNorm, dropout.
    if (inputEmbeds && (inputEmbeds.shape[0] !== N || inputEmbeds.shape[1] !== H)) throw new Error(`encode: inputEmbeds [${inputEmbeds.shape}], expected [${N}, ${H}]`);
    const wordPos = inputEmbeds ?? this.inputEmbeddings(ids, batch, seqLen); // [N, H]
    const type0 = tf.slice(this.p('embeddings.token_type_embeddings.weight'), [0, 0], [1, H]); // [1, H]
    let h = layerNorm(tf.add(wordPos, type0), this.p('embeddings.LayerNorm.weight'), this.p('embeddings.LayerNorm.bias'), c.layerNormEps) as tf.Tensor2D; // [N, H]
    h = dropout(h, c.hiddenDropout, rng) as tf.Tensor2D;
    trace?.('embedding_output', h);

    const bias = maskBias(mask, batch, seqLen); // [B, 1, 1, T]
    trace?.('extended_attention_mask', bias);
    for (let l = 0; l < c.layers; l++) {
      // Each layer in its own tidy (unless tracing: the trace receives intermediates): only its output and
      // what the tape saves for the backward outlive it, so inference holds one layer's activations at a time.
      const input = h;
      h = trace ? this.layer(l, input, bias, batch, seqLen, rng, trace) : tf.tidy(() => this.layer(l, input, bias, batch, seqLen, rng));
    }
    return h;
  }

  /** One post-LN transformer layer: h [B*T, H] -> [B*T, H]; bias [B, 1, 1, T] the additive attention mask. */
  private layer(l: number, h: tf.Tensor2D, bias: tf.Tensor4D, batch: number, seqLen: number, rng?: SeedStream, trace?: Trace): tf.Tensor2D {
    const c = this.cfg;
    const H = c.hidden;
    const nh = c.heads;
    const dh = H / nh;
    const N = batch * seqLen;
    const scale = 1 / Math.sqrt(dh);
    const p = `encoder.layer.${l}.`;
    // Self-attention: heads split [B, T, nh, dh] -> [B, nh, T, dh]; keys go straight to [B, nh, dh, T].
    const q = tf.transpose(tf.reshape(dense(h, this.p(`${p}attention.self.query.weight`), this.p(`${p}attention.self.query.bias`)), [batch, seqLen, nh, dh]), [0, 2, 1, 3]); // [B, nh, T, dh]
    const kT = tf.transpose(tf.reshape(dense(h, this.p(`${p}attention.self.key.weight`), this.p(`${p}attention.self.key.bias`)), [batch, seqLen, nh, dh]), [0, 2, 3, 1]); // [B, nh, dh, T]
    const v = tf.transpose(tf.reshape(dense(h, this.p(`${p}attention.self.value.weight`), this.p(`${p}attention.self.value.bias`)), [batch, seqLen, nh, dh]), [0, 2, 1, 3]); // [B, nh, T, dh]
    const scores = tf.add(tf.mul(matMul(q, kT), scale), bias); // [B, nh, T, T]
    let probs = tf.softmax(scores); // [B, nh, T, T]
    trace?.(`layer.${l}.attention_probs`, probs);
    probs = dropout(probs, c.attentionDropout, rng);
    const ctx = tf.reshape(tf.transpose(matMul(probs, v), [0, 2, 1, 3]), [N, H]) as tf.Tensor2D; // [B, nh, T, dh] -> [N, H]
    const attnOut = dropout(dense(ctx, this.p(`${p}attention.output.dense.weight`), this.p(`${p}attention.output.dense.bias`)), c.hiddenDropout, rng); // [N, H]
    const a = layerNorm(tf.add(attnOut, h), this.p(`${p}attention.output.LayerNorm.weight`), this.p(`${p}attention.output.LayerNorm.bias`), c.layerNormEps) as tf.Tensor2D; // [N, H]
    trace?.(`layer.${l}.attention_output`, a);
    // Feed-forward: dense -> erf GELU -> dense, residual, LayerNorm.
    const inter = geluErf(dense(a, this.p(`${p}intermediate.dense.weight`), this.p(`${p}intermediate.dense.bias`))) as tf.Tensor2D; // [N, I]
    const ffn = dropout(dense(inter, this.p(`${p}output.dense.weight`), this.p(`${p}output.dense.bias`)), c.hiddenDropout, rng); // [N, H]
    const y = layerNorm(tf.add(ffn, a), this.p(`${p}output.LayerNorm.weight`), this.p(`${p}output.LayerNorm.bias`), c.layerNormEps) as tf.Tensor2D; // [N, H]
    trace?.(`layer.${l}.output`, y);
    return y;
  }

  /** The pooler, tanh(dense(h[:, 0])): h [B*T, H] -> [B, H]. Unused by EPITOME (kept for parity/completeness). */
  pool(h: tf.Tensor2D, batch: number, seqLen: number): tf.Tensor2D {
    const first = tf.reshape(tf.slice(tf.reshape(h, [batch, seqLen, this.cfg.hidden]), [0, 0, 0], [batch, 1, this.cfg.hidden]), [batch, this.cfg.hidden]) as tf.Tensor2D; // [B, H]
    return tf.tanh(dense(first, this.p('pooler.dense.weight'), this.p('pooler.dense.bias'))) as tf.Tensor2D; // [B, H]
  }
}

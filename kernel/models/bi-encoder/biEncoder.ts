// EPITOME's BiEncoderAttentionWithRationaleClassification (Sharma et al., EMNLP 2020), single or joint:
// seeker + responder RoBERTa, 1-head cross-attention (q = responder, k/v = seeker), level and rationale heads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BiEncoderConfig } from './config';
import { validateConfig } from './config';
import {
  type Mechanism, addAll, crossEntropy, dense, dropout, matMul, SeedStream, variableGradsLowMemory, type GradSink,
  HostWeights, storageView, readSafetensors, type TensorEntry, toFloat32, resolvePretrained, looksLikeTorchFile,
  readTorchStateDict,
} from '../../engine';
import { type ParamSpec, RobertaEncoder, robertaParamSpecs, type Trace } from './roberta';

/** A tokenised batch; every array row-major. */
export interface EncodedBatch {
  batch: number;
  seqLen: number;
  idsSP: Int32Array; maskSP: Int32Array; idsRP: Int32Array; maskRP: Int32Array; // [B*T]
  /** Gold levels 0/1/2 per mechanism ([B]); -1 = unlabelled row (ignored by the loss). */
  levels?: Partial<Record<Mechanism, Int32Array>>;
  /** Gold rationale token labels 0/1 ([B*T]). */
  rationales?: Partial<Record<Mechanism, Int32Array>>;
  /** Which tokens count in the rationale CE, as weights ([B*T]); default maskRP (the paper). */
  rationaleWeights?: Partial<Record<Mechanism, Float32Array>>;
}

export interface ForwardOptions {
  /** Dropout on when true. */
  training: boolean;
  /** Seed of this pass's dropout masks (training only; default 0). */
  seed?: number;
  /** Receives intermediates (parity tests): seeker/responder states, cross-attention probs/output, ... */
  trace?: Trace;
  /**
   * The responder's word + position embeddings ([B*T, H], from `responseInputEmbeddings`) to use instead of
   * looking them up: lets salience take gradients with respect to the response's input embeddings.
   */
  responseEmbeds?: tf.Tensor2D;
}

export interface ForwardOutput {
  levelLogits: Partial<Record<Mechanism, tf.Tensor2D>>; // [B, 3]
  rationaleLogits: Partial<Record<Mechanism, tf.Tensor3D>>; // [B, T, 2]
}

export interface LossOptions {
  /** Weight of the level CE (train.py --lambda_EI). */
  lambdaEI: number;
  /** Weight of the rationale CE (train.py --lambda_RE). */
  lambdaRE: number;
}

export interface LossOutput {
  /** λ_EI·lossLevel + λ_RE·lossRationale. */
  loss: tf.Scalar;
  /** Level CE, summed over mechanisms. */
  lossLevel: tf.Scalar;
  /** Rationale CE, summed over mechanisms. */
  lossRationale: tf.Scalar;
}

let instanceCounter = 0;

const SEEKER = 'seeker_encoder.roberta.';
const RESPONDER = 'responder_encoder.roberta.';

/**
 * Check a state dict's names and shapes against the model's (`shapes`, in state_dict order) before anything is
 * assigned, so a bad file changes nothing: with `strict`, unknown or missing names throw; any shape that
 * differs, or a non-float dtype, throws naming the tensor. Returns the names missing and unexpected.
 */
export function checkStateDict(shapes: Map<string, number[]>, m: ReadonlyMap<string, { dtype: string; shape: number[] }>, strict: boolean): { missing: string[]; unexpected: string[] } {
  const unexpected = [...m.keys()].filter((k) => !shapes.has(k));
  const missing = [...shapes.keys()].filter((k) => !m.has(k));
  if (strict && (unexpected.length > 0 || missing.length > 0)) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    if (unexpected.length) parts.push(`unexpected ${unexpected.length} tensor(s): ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', …' : ''}`);
    throw new Error(`loadStateDict: ${parts.join('; ')}`);
  }
  for (const [k, e] of m) {
    const shape = shapes.get(k);
    if (!shape) continue;
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`loadStateDict: tensor '${k}' has shape [${e.shape.join(', ')}] in the checkpoint but [${shape.join(', ')}] in the model`);
    }
    if (e.dtype !== 'F32' && e.dtype !== 'F16' && e.dtype !== 'BF16') throw new Error(`loadStateDict: tensor '${k}' has dtype ${e.dtype}, expected a float tensor`);
  }
  return { missing, unexpected };
}

export class BiEncoder {
  readonly cfg: BiEncoderConfig;
  /**
   * Variables keyed by the original PyTorch names, in the original state_dict order: every weight, except
   * those moved to `host` (moveFrozenSeekerToHost: the frozen seeker, for training on wasm/cpu).
   */
  readonly params = new Map<string, tf.Variable>();
  /** Frozen weights kept outside the backend's memory (see moveFrozenSeekerToHost). */
  readonly host = new HostWeights();
  private readonly seeker: RobertaEncoder;
  private readonly responder: RobertaEncoder;
  private disposed = false;

  /** Initialise like the original `_init_weights`: N(0, initStd) weights (padding rows too), zero biases, LayerNorm 1/0. */
  constructor(cfg: BiEncoderConfig, seed: number) {
    validateConfig(cfg);
    this.cfg = cfg;
    const id = ++instanceCounter;
    let i = 0;
    for (const spec of BiEncoder.paramSpecs(cfg)) {
      const trainable = !(cfg.freezeSeeker && spec.name.startsWith('seeker_encoder.'));
      const init = tf.tidy(() => {
        if (spec.init === 'zeros') return tf.zeros(spec.shape);
        if (spec.init === 'ones') return tf.ones(spec.shape);
        return tf.randomNormal(spec.shape, 0, cfg.encoder.initStd, 'float32', seed * 1000 + i);
      });
      i += 1;
      this.params.set(spec.name, tf.variable(init, trainable, `bienc${id}/${spec.name}`));
      init.dispose();
    }
    this.seeker = new RobertaEncoder(cfg.encoder, SEEKER, this.params, this.host);
    this.responder = new RobertaEncoder(cfg.encoder, RESPONDER, this.params);
  }

  /**
   * Move the frozen seeker's weights out of the backend into JavaScript arrays: they then cost no backend
   * memory (wasm32's heap is 4 GB; roberta-base's seeker is 0.5 GB of it) and each forward uploads one
   * layer at a time, gathers embedding rows on the host and records nothing on a tape: same values, same
   * dropout masks. Returns the bytes moved (0 when the seeker trains or is already on the host).
   */
  moveFrozenSeekerToHost(): number {
    if (this.disposed) throw new Error('BiEncoder used after dispose()');
    if (!this.cfg.freezeSeeker) return 0;
    let bytes = 0;
    for (const [name, v] of [...this.params]) {
      if (!name.startsWith(SEEKER)) continue;
      this.host.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync() as Float32Array) });
      bytes += v.size * 4;
      this.params.delete(name);
      v.dispose();
    }
    return bytes;
  }

  /** Every weight's name and shape in the original state_dict order, wherever it is kept. */
  private *weightShapes(): Generator<[string, number[]]> {
    for (const spec of BiEncoder.paramSpecs(this.cfg)) {
      const v = this.params.get(spec.name);
      const h = v ? undefined : this.host.get(spec.name);
      if (v) yield [spec.name, [...v.shape]];
      else if (h) yield [spec.name, [...h.shape]];
    }
  }

  /** Parameter counts of a config (all weights, and those training updates: the seeker is frozen unless configured not to be). */
  static countParameters(cfg: BiEncoderConfig): { parameters: number; trainable: number } {
    let parameters = 0, trainable = 0;
    for (const spec of BiEncoder.paramSpecs(cfg)) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      parameters += n;
      if (!(cfg.freezeSeeker && spec.name.startsWith('seeker_encoder.'))) trainable += n;
    }
    return { parameters, trainable };
  }

  /** Parameter counts (all weights, and those the optimiser may update), wherever they are kept. */
  parameterCounts(): { parameters: number; trainable: number } {
    let parameters = 0, trainable = 0;
    for (const [name, shape] of this.weightShapes()) {
      const n = shape.reduce((a, b) => a * b, 1);
      parameters += n;
      if (this.params.get(name)?.trainable) trainable += n;
    }
    return { parameters, trainable };
  }

  /** Every parameter in the original state_dict order (fixtures' 94 keys for one mechanism). */
  static paramSpecs(cfg: BiEncoderConfig): ParamSpec[] {
    const H = cfg.encoder.hidden;
    const joint = cfg.mechanisms.length > 1;
    const head = (base: string, m: Mechanism) => (joint ? `${base}.${m}` : base);
    const specs: ParamSpec[] = [];
    for (const m of cfg.mechanisms) {
      specs.push(
        { name: `${head('rationale_classifier', m)}.weight`, shape: [2, H], init: 'normal' },
        { name: `${head('rationale_classifier', m)}.bias`, shape: [2], init: 'zeros' },
      );
    }
    for (const n of ['q_linear', 'v_linear', 'k_linear', 'out']) {
      specs.push({ name: `attn.${n}.weight`, shape: [H, H], init: 'normal' }, { name: `attn.${n}.bias`, shape: [H], init: 'zeros' });
    }
    // The original's unused `Norm` module: present in the state dict, never applied.
    specs.push({ name: 'norm.alpha', shape: [H], init: 'ones' }, { name: 'norm.bias', shape: [H], init: 'zeros' });
    for (const m of cfg.mechanisms) {
      const e = head('empathy_classifier', m);
      specs.push(
        { name: `${e}.dense.weight`, shape: [H, H], init: 'normal' },
        { name: `${e}.dense.bias`, shape: [H], init: 'zeros' },
        { name: `${e}.out_proj.weight`, shape: [3, H], init: 'normal' },
        { name: `${e}.out_proj.bias`, shape: [3], init: 'zeros' },
      );
    }
    for (const prefix of [SEEKER, RESPONDER]) {
      for (const s of robertaParamSpecs(cfg.encoder)) specs.push({ ...s, name: prefix + s.name });
    }
    return specs;
  }

  /** Names of the parameters the optimiser may update (requires_grad in the original; some get no gradient). */
  trainableNames(): string[] {
    return [...this.params].filter(([, v]) => v.trainable).map(([k]) => k);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v;
  }

  private headName(base: string, m: Mechanism): string {
    return this.cfg.mechanisms.length > 1 ? `${base}.${m}` : base;
  }

  /** Logits per mechanism. Call inside tf.tidy (or dispose the outputs). */
  forward(b: EncodedBatch, opts: ForwardOptions): ForwardOutput {
    const rng = opts.training ? new SeedStream(opts.seed ?? 0) : undefined;
    return this.forwardFrom(this.encodeSeeker(b, opts, rng), b, opts, rng);
  }

  /**
   * The seeker's last hidden state [B*T, H]. The frozen seeker still runs its dropout when training: the
   * original freezes its parameters (requires_grad=False) but model.train() leaves it in train mode. It draws
   * the first dropout seeds of `rng`, so the responder's masks follow whether or not it ran under a tape.
   */
  private encodeSeeker(b: EncodedBatch, opts: ForwardOptions, rng: SeedStream | undefined): tf.Tensor2D {
    if (this.disposed) throw new Error('BiEncoder used after dispose()');
    const trace = opts.trace;
    return this.seeker.encode(b.idsSP, b.maskSP, b.batch, b.seqLen, rng, trace ? (n, t) => trace(`seeker.${n}`, t) : undefined); // [N, H]
  }

  /** forward() after the seeker: responder, cross-attention and heads, from the seeker states hSP [B*T, H]. */
  private forwardFrom(hSP: tf.Tensor2D, b: EncodedBatch, opts: ForwardOptions, rng: SeedStream | undefined): ForwardOutput {
    const { batch: B, seqLen: T } = b;
    const H = this.cfg.encoder.hidden;
    const N = B * T;
    const trace = opts.trace;
    const drop = this.cfg.dropout;

    const hRP = this.responder.encode(b.idsRP, b.maskRP, B, T, rng, trace ? (n, t) => trace(`responder.${n}`, t) : undefined, opts.responseEmbeds); // [N, H]
    trace?.('seeker_last_hidden_state', hSP);
    trace?.('responder_last_hidden_state', hRP);

    // Cross-attention, 1 head (the original MultiHeadAttention with heads=1, d_k = H).
    const q = tf.reshape(dense(hRP, this.p('attn.q_linear.weight'), this.p('attn.q_linear.bias')), [B, T, H]); // [B, T, H]
    const kT = tf.transpose(tf.reshape(dense(hSP, this.p('attn.k_linear.weight'), this.p('attn.k_linear.bias')), [B, T, H]), [0, 2, 1]); // [B, H, T]
    const v = tf.reshape(dense(hSP, this.p('attn.v_linear.weight'), this.p('attn.v_linear.bias')), [B, T, H]); // [B, T, H]
    let scores = tf.mul(matMul(q, kT), 1 / Math.sqrt(H)); // [B, T_RP, T_SP]
    if (this.cfg.seekerMask) {
      // Beyond the paper (off by default): hide seeker padding from the responder's queries.
      const bias = new Float32Array(N);
      for (let i = 0; i < N; i++) bias[i] = (1 - b.maskSP[i]) * -10000;
      scores = tf.add(scores, tf.tensor3d(bias, [B, 1, T])); // [B, T, T]
    }
    let probs = tf.softmax(scores); // [B, T_RP, T_SP]
    trace?.('cross_attention_probs', tf.reshape(probs, [B, 1, T, T]));
    probs = dropout(probs, drop, rng);
    const ctx = tf.reshape(matMul(probs, v), [N, H]) as tf.Tensor2D; // [B, T, H] -> [N, H]
    const attnOut = dense(ctx, this.p('attn.out.weight'), this.p('attn.out.bias')); // [N, H]
    trace?.('cross_attention_output', attnOut);
    const h = tf.add(hRP, dropout(attnOut, drop, rng)) as tf.Tensor2D; // [N, H]
    trace?.('response_states_after_cross', h);

    const first = tf.reshape(tf.slice(tf.reshape(h, [B, T, H]), [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D; // [B, H]
    const levelLogits: ForwardOutput['levelLogits'] = {};
    const rationaleLogits: ForwardOutput['rationaleLogits'] = {};
    for (const m of this.cfg.mechanisms) {
      // Level head: dropout -> dense -> ReLU -> dropout -> out_proj (ReLU, not RoBERTa's tanh).
      const e = this.headName('empathy_classifier', m);
      const x = tf.relu(dense(dropout(first, drop, rng) as tf.Tensor2D, this.p(`${e}.dense.weight`), this.p(`${e}.dense.bias`))); // [B, H]
      levelLogits[m] = dense(dropout(x, drop, rng) as tf.Tensor2D, this.p(`${e}.out_proj.weight`), this.p(`${e}.out_proj.bias`)); // [B, 3]
      // Rationale head: dropout -> linear(H, 2) on every response token.
      const r = this.headName('rationale_classifier', m);
      rationaleLogits[m] = tf.reshape(dense(dropout(h, drop, rng) as tf.Tensor2D, this.p(`${r}.weight`), this.p(`${r}.bias`)), [B, T, 2]); // [B, T, 2]
    }
    return { levelLogits, rationaleLogits };
  }

  /**
   * λ_EI·CE(level) + λ_RE·CE(rationale tokens where maskRP == 1, or rationaleWeights), each summed over the
   * mechanisms that have labels in the batch. Class weights (cfg.classWeights) weight the level CE.
   */
  loss(b: EncodedBatch, out: ForwardOutput, opts: LossOptions): LossOutput {
    return biEncoderLoss(this.cfg, b, out, opts);
  }


  /**
   * Forward + loss + gradients of every trainable parameter that receives one (frozen seeker, poolers and
   * `norm.*` get none). Returns plain loss values and gradient tensors the caller owns (dispose them).
   * Reads the losses synchronously: on webgpu (no synchronous readback in Node) use lossAndGradsAsync.
   */
  lossAndGrads(b: EncodedBatch, fwd: ForwardOptions, lossOpts: LossOptions): { loss: number; lossLevel: number; lossRationale: number; grads: Map<string, tf.Tensor> } {
    const r = this.lossAndGradTensors(b, fwd, lossOpts);
    const [loss, lossLevel, lossRationale] = r.losses.map((t) => t.dataSync()[0]);
    tf.dispose(r.losses);
    return { loss, lossLevel, lossRationale, grads: r.grads };
  }

  /** lossAndGrads with the three loss values read asynchronously (every backend, webgpu included). */
  async lossAndGradsAsync(b: EncodedBatch, fwd: ForwardOptions, lossOpts: LossOptions): Promise<{ loss: number; lossLevel: number; lossRationale: number; grads: Map<string, tf.Tensor> }> {
    const r = this.lossAndGradTensors(b, fwd, lossOpts);
    try {
      const [loss, lossLevel, lossRationale] = (await Promise.all(r.losses.map((t) => t.data()))).map((d) => d[0]);
      return { loss, lossLevel, lossRationale, grads: r.grads };
    } catch (e) {
      tf.dispose([...r.grads.values()]);
      throw e;
    } finally {
      tf.dispose(r.losses);
    }
  }

  /**
   * lossAndGradsAsync with each gradient handed to `sink` (by parameter name) the moment it is complete
   * and freed right after (copy it out): the backend never holds all the gradients at once. The frozen
   * seeker runs outside the tape, from the host when moveFrozenSeekerToHost() moved it there.
   */
  async lossAndGradsInto(b: EncodedBatch, fwd: ForwardOptions, lossOpts: LossOptions, sink: (name: string, g: tf.Tensor) => void): Promise<{ loss: number; lossLevel: number; lossRationale: number }> {
    const r = this.lossAndGradTensors(b, fwd, lossOpts, sink);
    try {
      const [loss, lossLevel, lossRationale] = (await Promise.all(r.losses.map((t) => t.data()))).map((d) => d[0]);
      return { loss, lossLevel, lossRationale };
    } finally {
      tf.dispose(r.losses);
    }
  }

  /** Loss scalars [loss, level, rationale] and gradients by parameter name (none with a sink); the caller owns them all. */
  private lossAndGradTensors(b: EncodedBatch, fwd: ForwardOptions, lossOpts: LossOptions, sink?: (name: string, g: tf.Tensor) => void): { losses: tf.Scalar[]; grads: Map<string, tf.Tensor> } {
    const names = this.trainableNames();
    const vars = names.map((n) => this.p(n));
    let parts: tf.Scalar[] = [];
    const rng = fwd.training ? new SeedStream(fwd.seed ?? 0) : undefined;
    // A frozen seeker gets no gradient: run it before the tape starts, so the tape keeps none of its
    // activations (its 4 layers' saved tensors were ~40 % of a step's memory), one layer alive at a time.
    const frozen = this.cfg.freezeSeeker && !names.some((n) => n.startsWith('seeker_encoder.'));
    const hSP = frozen ? tf.tidy(() => this.encodeSeeker(b, fwd, rng)) : undefined; // [N, H]
    let value: tf.Scalar;
    let grads: tf.NamedTensorMap;
    const nameOf = new Map(vars.map((v, i) => [v.name, names[i]]));
    const toSink: GradSink | undefined = sink ? (v, g) => sink(nameOf.get(v.name) ?? v.name, g) : undefined;
    try {
      ({ value, grads } = variableGradsLowMemory(() => {
        const out = this.forwardFrom(hSP ?? this.encodeSeeker(b, fwd, rng), b, fwd, rng);
        const l = this.loss(b, out, lossOpts);
        parts = [tf.keep(l.lossLevel), tf.keep(l.lossRationale)];
        return l.loss;
      }, vars, toSink));
    } catch (e) {
      tf.dispose(parts);
      throw e;
    } finally {
      hSP?.dispose();
    }
    const byName = new Map<string, tf.Tensor>();
    for (const [vn, g] of Object.entries(grads)) byName.set(nameOf.get(vn) ?? vn, g);
    // Keep the original parameter order.
    const ordered = new Map<string, tf.Tensor>();
    for (const n of names) { const g = byName.get(n); if (g) ordered.set(n, g); }
    return { losses: [value, ...parts], grads: ordered };
  }

  /** The responder's input embeddings, word + position, for `ForwardOptions.responseEmbeds`: [B*T, H]. */
  responseInputEmbeddings(b: EncodedBatch): tf.Tensor2D {
    return this.responder.inputEmbeddings(b.idsRP, b.batch, b.seqLen);
  }

  /** The pooler output of one encoder (unused by the model; exposed for parity checks). */
  pooled(which: 'seeker' | 'responder', ids: Int32Array, mask: Int32Array, batch: number, seqLen: number, trace?: Trace): tf.Tensor2D {
    const enc = which === 'seeker' ? this.seeker : this.responder;
    return enc.pool(enc.encode(ids, mask, batch, seqLen, undefined, trace), batch, seqLen);
  }

  /** F32 copies of every parameter by original name, in state_dict order (synchronous read: not on webgpu). */
  stateDict(): Map<string, TensorEntry> {
    const out = new Map<string, TensorEntry>();
    for (const [k, shape] of this.weightShapes()) {
      const v = this.params.get(k);
      out.set(k, { dtype: 'F32', shape, data: v ? (v.dataSync() as Float32Array) : new Float32Array(this.host.get(k)!.data) });
    }
    return out;
  }

  /**
   * Every weight by original name with a reader of its current values, without copying where it can: a view
   * of the backend's storage (wasm, cpu; valid until the backend next allocates), the host-kept array, else
   * an asynchronous copy (GPU backends). The ONNX export streams them into its weights file.
   */
  weightReaders(): Map<string, { shape: number[]; read: () => Promise<Float32Array> }> {
    const out = new Map<string, { shape: number[]; read: () => Promise<Float32Array> }>();
    for (const [k, shape] of this.weightShapes()) {
      const v = this.params.get(k);
      const h = this.host.get(k);
      out.set(k, { shape, read: v ? async () => storageView(v) ?? ((await v.data()) as Float32Array) : async () => h!.data });
    }
    return out;
  }

  /** stateDict() read asynchronously (every backend, webgpu included). */
  async stateDictAsync(): Promise<Map<string, TensorEntry>> {
    const out = new Map<string, TensorEntry>();
    for (const [k, shape] of this.weightShapes()) {
      const v = this.params.get(k);
      out.set(k, { dtype: 'F32', shape, data: v ? ((await v.data()) as Float32Array) : new Float32Array(this.host.get(k)!.data) });
    }
    return out;
  }

  /**
   * Assign weights by original name (F32/F16/BF16). Any shape mismatch throws naming the tensor and both
   * shapes. strict (default true): unknown or missing names throw too; non-strict loads the intersection.
   * Returns the names loaded and the model's names left untouched.
   */
  loadStateDict(m: Map<string, TensorEntry>, opts: { strict?: boolean } = {}): { loaded: string[]; missing: string[]; unexpected: string[] } {
    const { missing, unexpected } = checkStateDict(new Map(this.weightShapes()), m, opts.strict ?? true);
    const loaded: string[] = [];
    for (const [k, e] of m) {
      const v = this.params.get(k);
      if (!v) {
        if (this.host.has(k)) { this.host.set(k, { shape: [...e.shape], data: new Float32Array(toFloat32(k, e)) }); loaded.push(k); }
        continue;
      }
      const t = tf.tensor(toFloat32(k, e), e.shape, 'float32');
      v.assign(t);
      t.dispose();
      loaded.push(k);
    }
    return { loaded, missing, unexpected };
  }

  /**
   * Read a Hugging Face roberta-base `model.safetensors`, else `pytorch_model.bin` (read by the restricted
   * unpickler: nothing in it runs) — a file, a folder holding it, an HF cache folder `models--roberta-base`
   * with snapshots/<rev>/, or a model id in the HF cache (see hfCache.ts) — and map its encoder weights
   * (`roberta.` prefix or none; F16/BF16 converted to F32; old `LayerNorm.gamma/beta` renamed) onto BOTH encoders. Load the result with
   * `loadStateDict(map, { strict: false })` (the heads and cross-attention keep their init).
   */
  static loadHuggingFaceRoberta(dirOrFile: string): Map<string, TensorEntry> {
    const file = resolveHfFile(dirOrFile);
    const buf = fs.readFileSync(file);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    let tensors: Map<string, TensorEntry>;
    try {
      tensors = looksLikeTorchFile(bytes) ? readTorchStateDict(bytes).tensors : readSafetensors(bytes).tensors;
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    const out = new Map<string, TensorEntry>();
    for (const [rawName, e] of tensors) {
      let n = rawName;
      if (n.startsWith('roberta.')) n = n.slice('roberta.'.length);
      if (!(n.startsWith('embeddings.') || n.startsWith('encoder.') || n.startsWith('pooler.'))) continue; // lm_head, classifier, ...
      if (n.endsWith('position_ids')) continue; // a buffer, not a weight
      n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
      if (e.dtype !== 'F32' && e.dtype !== 'F16' && e.dtype !== 'BF16') continue;
      const data = toFloat32(rawName, e);
      const entry: TensorEntry = { dtype: 'F32', shape: [...e.shape], data };
      out.set(SEEKER + n, entry);
      out.set(RESPONDER + n, { ...entry, data: new Float32Array(data) });
    }
    if (out.size === 0) throw new Error(`${file}: no RoBERTa encoder weights found (expected 'roberta.embeddings.*' or 'embeddings.*')`);
    return out;
  }

  /** Free every variable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
    this.host.clear();
  }
}

function resolveHfFile(ref: string): string {
  const where = resolvePretrained(ref, 'init_weights'); // a file, a folder, a models--… folder or a cached model id
  if (fs.statSync(where).isFile()) return where;
  for (const name of ['model.safetensors', 'pytorch_model.bin']) {
    const f = path.join(where, name);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`${where}: no model.safetensors or pytorch_model.bin in this folder${where !== ref ? ` (resolved from ${ref})` : ''}`);
}

/** The multi-task loss of a forward's logits (BiEncoder.loss): needs the config only, not the weights. */
export function biEncoderLoss(cfg: BiEncoderConfig, b: EncodedBatch, out: ForwardOutput, opts: LossOptions): LossOutput {
  const { batch: B, seqLen: T } = b;
  const levelTerms: tf.Scalar[] = [];
  const ratTerms: tf.Scalar[] = [];
  for (const m of cfg.mechanisms) {
    const lv = b.levels?.[m];
    const lg = out.levelLogits[m];
    if (lv && lg) {
      if (lv.length !== B) throw new Error(`levels.${m} has ${lv.length} entries for a batch of ${B}`);
      levelTerms.push(crossEntropy(lg, lv, undefined, cfg.classWeights?.[m]));
    }
    const rl = b.rationales?.[m];
    const rg = out.rationaleLogits[m];
    if (rl && rg) {
      if (rl.length !== B * T) throw new Error(`rationales.${m} has ${rl.length} entries, expected ${B}×${T}`);
      let w = b.rationaleWeights?.[m];
      if (!w) {
        w = new Float32Array(B * T);
        for (let i = 0; i < w.length; i++) w[i] = b.maskRP[i];
      }
      ratTerms.push(crossEntropy(tf.reshape(rg, [B * T, 2]) as tf.Tensor2D, rl, w));
    }
  }
  if (levelTerms.length === 0 && ratTerms.length === 0) throw new Error('loss: the batch has no level or rationale labels for the model\'s mechanisms');
  const sum = (ts: tf.Scalar[]) => (ts.length === 0 ? tf.scalar(0) : ts.length === 1 ? ts[0] : addAll(ts));
  const lossLevel = sum(levelTerms);
  const lossRationale = sum(ratTerms);
  const loss = tf.add(tf.mul(lossLevel, opts.lambdaEI), tf.mul(lossRationale, opts.lambdaRE)) as tf.Scalar;
  return { loss, lossLevel, lossRationale };
}
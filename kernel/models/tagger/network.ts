// The tagger network from raw tfjs ops and named variables: word + hashed char n-gram embeddings →
// BiGRU shared by seeker and response (one pass over 2B rows, both directions batched) → response-
// to-seeker cross-attention with the seeker padding masked → level heads (masked mean+max pooling,
// dense-ReLU-dense) and per-token rationale logits, for ER/IP/EX jointly.
// Wasm-friendly: matMuls and embedding lookups with their own gradients (kernel/engine/ops), no gather
// gradient (per-row reversal is a permutation-matrix product), the GRU unrolled over T ≤ maxLen steps.
import * as tf from '@tensorflow/tfjs';
import { crossEntropy, dropout, embeddingLookup, matMul, SeedStream, type TensorEntry, type Mechanism } from '../../engine';
import { seededRandom } from '../../../dataset/random';
import { installFastWasmSlice } from './wasmSlice';
import type { TaggerConfig } from './config';
import type { TaggerBatch } from './vocab';

export interface NetworkShape {
  vocabSize: number;
  mechanisms: Mechanism[];
}

export interface ForwardOut {
  levelLogits: Partial<Record<Mechanism, tf.Tensor2D>>; // [B, 3]
  rationaleLogits: tf.Tensor2D; // [B·T, M] column j = mechanisms[j]
}

let nextNetworkId = 0;

export class TaggerNetwork {
  readonly params = new Map<string, tf.Variable>();

  constructor(
    readonly cfg: TaggerConfig,
    readonly shape: NetworkShape,
    seed: number,
  ) {
    const { embedDim: E, hidden: H, headHidden: Hh, charBuckets } = cfg;
    const D = 2 * H;
    installFastWasmSlice(); // the unrolled GRU unstacks [T, …] tensors: O(T·size) with the stock wasm Slice
    nextNetworkId++;
    const rnd = seededRandom(seed);
    // Uniform(−a, a) init with a = √(6 / (fan_in + fan_out)) (Glorot), embeddings N-ish small.
    const init = (name: string, shape: number[], a: number, zeroRow0 = false) => {
      const n = shape.reduce((x, y) => x * y, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (rnd() * 2 - 1) * a;
      if (zeroRow0) data.fill(0, 0, shape[shape.length - 1]);
      const t = tf.tensor(data, shape);
      // tfjs variable names are process-global: a counter keeps two networks (e.g. trained + loaded) apart.
      this.params.set(name, tf.variable(t, true, `tagger/${name}/${nextNetworkId}`));
      t.dispose();
    };
    const glorot = (i: number, o: number) => Math.sqrt(6 / (i + o));
    init('embed.word', [shape.vocabSize, E], 0.1, true); // row 0 = pad
    init('embed.char', [charBuckets + 1, E], 0.1, true);
    init('gru.Wx', [2, E, 3 * H], glorot(E, 3 * H)); // [direction, in, (r|z|n)]
    init('gru.Wh', [2, H, 3 * H], glorot(H, 3 * H));
    init('gru.bx', [2, 1, 3 * H], 0);
    init('gru.bh', [2, 1, 3 * H], 0);
    for (const n of ['q', 'k', 'v']) init(`attn.${n}`, [D, D], glorot(D, D));
    for (const m of shape.mechanisms) {
      init(`level.${m}.w1`, [2 * D, Hh], glorot(2 * D, Hh));
      init(`level.${m}.b1`, [1, Hh], 0);
      init(`level.${m}.w2`, [Hh, 3], glorot(Hh, 3));
      init(`level.${m}.b2`, [1, 3], 0);
    }
    // Rationale head input: the token state, ⊕ its clause and sentence mean states with segmentPooling.
    const Dr = cfg.segmentPooling ? 3 * D : D;
    init('rationale.w', [Dr, shape.mechanisms.length], glorot(Dr, 1));
    init('rationale.b', [1, shape.mechanisms.length], 0);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`tagger: no parameter ${name}`);
    return v;
  }

  /**
   * Token input embeddings of both directions (word embedding + mean of the token's char 3-gram embeddings;
   * the backward direction reads each row's real tokens reversed): [2·R·T, E], before dropout.
   */
  tokenInputs(b: TaggerBatch): tf.Tensor2D {
    const { K, U } = b;
    const E = this.cfg.embedDim;
    // Type vectors: word embedding + mean of the type's char 3-gram embeddings. [U, E]
    const wordE = embeddingLookup(this.p('embed.word'), tf.tensor1d(b.typeWordIds, 'int32'), 0); // [U, E]
    const charE = embeddingLookup(this.p('embed.char'), tf.tensor1d(b.typeCharIds, 'int32'), 0); // [U·K, E]
    const charSum = tf.sum(tf.mul(tf.reshape(charE, [U, K, E]), tf.tensor3d(b.typeCharMask, [U, K, 1])), 1); // [U, E]
    const typeVec = tf.add(wordE, tf.div(charSum, tf.tensor2d(b.typeCharCount, [U, 1]))); // [U, E]
    return embeddingLookup(typeVec, tf.tensor1d(b.tokType, 'int32'), 0); // [2·R·T, E]
  }

  /**
   * The forward pass (call inside tf.tidy / variableGrads). `rng` set = training (dropout on).
   * `inputs` ([2·R·T, E], as `tokenInputs`) replaces the embedding lookups, so salience can take
   * gradients with respect to the token input embeddings.
   */
  forward(b: TaggerBatch, rng?: SeedStream, inputs?: tf.Tensor2D): ForwardOut {
    const { B, T } = b;
    const R = 2 * B;
    const { embedDim: E, hidden: H } = this.cfg;
    const D = 2 * H;
    const drop = this.cfg.dropout;
    // Token inputs of both directions (the backward one reads each row's real tokens reversed). [2, R·T, E]
    const x2 = tf.reshape(dropout(inputs ?? this.tokenInputs(b), drop, rng), [2, R * T, E]);
    const xp = tf.add(matMul(x2, this.p('gru.Wx')), this.p('gru.bx')); // [2, R·T, 3H]
    const xSteps = tf.unstack(tf.transpose(tf.reshape(xp, [2, R, T, 3 * H]), [2, 0, 1, 3])); // T × [2, R, 3H]
    const Wh = this.p('gru.Wh');
    const bh = this.p('gru.bh');
    let h: tf.Tensor = tf.zeros([2, R, H]); // [2, R, H]
    const hs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      // GRU (Cho et al. 2014, PyTorch form): r, z gates; n = tanh(x_n + r ⊙ (h W_hn + b_hn)).
      const hp = tf.add(matMul(h, Wh), bh); // [2, R, 3H]
      const [xr, xz, xn] = tf.split(xSteps[t], 3, 2);
      const [hr, hz, hn] = tf.split(hp, 3, 2);
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      h = tf.add(n, tf.mul(z, tf.sub(h, n))); // (1 − z)·n + z·h
      hs.push(h);
    }
    const Hs = tf.reshape(tf.transpose(tf.stack(hs), [1, 2, 0, 3]), [2, R * T, H]); // [2, R·T, H]
    const [fw, bwRev] = tf.unstack(Hs); // [R·T, H] each
    const bw = embeddingLookup(bwRev, tf.tensor1d(b.unreverse, 'int32')); // back to forward order [R·T, H]
    const enc = tf.reshape(tf.concat([fw, bw], 1), [R, T, D]); // [R, T, D]
    const S = tf.slice(enc, [0, 0, 0], [B, T, D]); // seekers [B, T, D]
    const Rr = tf.slice(enc, [B, 0, 0], [B, T, D]); // responses [B, T, D]
    // Cross-attention, one head: response tokens attend to seeker tokens (padding masked).
    const q = tf.reshape(matMul(tf.reshape(Rr, [B * T, D]), this.p('attn.q')), [B, T, D]);
    const k = tf.reshape(matMul(tf.reshape(S, [B * T, D]), this.p('attn.k')), [B, T, D]);
    const v = tf.reshape(matMul(tf.reshape(S, [B * T, D]), this.p('attn.v')), [B, T, D]);
    let scores = tf.mul(matMul(q, k, false, true), 1 / Math.sqrt(D)); // [B, T, T]
    const maskS = b.mask.subarray(0, B * T);
    if (this.cfg.seekerMask) scores = tf.add(scores, tf.tensor3d(maskS.map((m) => (1 - m) * -1e4), [B, 1, T]));
    const ctx = matMul(tf.softmax(scores), v); // [B, T, D]
    const hR = tf.add(Rr, ctx); // [B, T, D]
    // Level heads on masked mean + max pooling over response tokens.
    const maskR = tf.tensor3d(b.mask.subarray(B * T), [B, T, 1]);
    const count = tf.maximum(tf.sum(maskR, 1), 1); // [B, 1]
    const mean = tf.div(tf.sum(tf.mul(hR, maskR), 1), count); // [B, D]
    const max = tf.max(tf.add(hR, tf.mul(tf.sub(maskR, 1), 1e4)), 1); // [B, D]
    const pooled = dropout(tf.concat([mean, max], 1), drop, rng) as tf.Tensor2D; // [B, 2D]
    const levelLogits: ForwardOut['levelLogits'] = {};
    for (const m of this.shape.mechanisms) {
      const z1 = dropout(tf.relu(tf.add(matMul(pooled, this.p(`level.${m}.w1`)), this.p(`level.${m}.b1`))), drop, rng); // [B, Hh]
      levelLogits[m] = tf.add(matMul(z1, this.p(`level.${m}.w2`)), this.p(`level.${m}.b2`)) as tf.Tensor2D; // [B, 3]
    }
    let tokIn: tf.Tensor = hR; // [B, T, D]
    if (this.cfg.segmentPooling) {
      const clause = matMul(tf.tensor3d(b.clauseAvg, [B, T, T]), hR); // [B, T, D]
      const sentence = matMul(tf.tensor3d(b.sentenceAvg, [B, T, T]), hR); // [B, T, D]
      tokIn = tf.concat([hR, clause, sentence], 2); // [B, T, 3D]
    }
    const tok = dropout(tf.reshape(tokIn, [B * T, tokIn.shape[2]!]), drop, rng); // [B·T, D or 3D]
    const rationaleLogits = tf.add(matMul(tok, this.p('rationale.w')), this.p('rationale.b')) as tf.Tensor2D; // [B·T, M]
    return { levelLogits, rationaleLogits };
  }

  /** Σ_m class-weighted level CE + λ · token BCE on level > 0 rows (weights in the batch). */
  loss(b: TaggerBatch, out: ForwardOut, classWeights: Partial<Record<Mechanism, number[]>>): { loss: tf.Scalar; level: tf.Scalar; rationale: tf.Scalar } {
    let level: tf.Scalar = tf.scalar(0);
    let rationale: tf.Scalar = tf.scalar(0);
    const { B, T } = b;
    this.shape.mechanisms.forEach((m, j) => {
      const labels = b.levels[m];
      if (!labels || !labels.some((y) => y >= 0)) return;
      level = tf.add(level, crossEntropy(out.levelLogits[m]!, labels, undefined, classWeights[m]));
      const w = b.rationaleWeight[m]!;
      let wsum = 0;
      for (let i = 0; i < w.length; i++) wsum += w[i];
      if (wsum === 0) return;
      const logit = tf.reshape(tf.slice(out.rationaleLogits, [0, j], [B * T, 1]), [B * T]); // [B·T]
      const bce = tf.sub(tf.softplus(logit), tf.mul(tf.tensor1d(b.rationale[m]!), logit)); // [B·T]
      rationale = tf.add(rationale, tf.div(tf.sum(tf.mul(bce, tf.tensor1d(w))), wsum));
    });
    return { loss: tf.add(level, tf.mul(rationale, this.cfg.lambdaRationale)), level, rationale };
  }

  stateDict(): Map<string, TensorEntry> {
    const out = new Map<string, TensorEntry>();
    for (const [k, v] of this.params) out.set(k, { dtype: 'F32', shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  loadStateDict(sd: Map<string, TensorEntry>): void {
    for (const [k, v] of this.params) {
      const e = sd.get(k);
      if (!e) throw new Error(`tagger checkpoint: missing tensor ${k}`);
      if (e.shape.join(',') !== v.shape.join(',')) throw new Error(`tagger checkpoint: ${k} is [${e.shape}], the model expects [${v.shape}]`);
      tf.tidy(() => v.assign(tf.tensor(e.data as Float32Array, e.shape)));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

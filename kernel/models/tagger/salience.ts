// Gradient × input salience of the tagger: |∂logit/∂x ⊙ x| summed over the embedding dimension, where x is
// a response token's input embedding (word + mean char 3-gram embedding) and the logit one mechanism's
// level logit; one value per response word token of `predict`, normalised by the max to [0, 1].
import * as tf from '@tensorflow/tfjs';
import { type SalienceOptions, normaliseByMax, type Level, type Mechanism, type Pair } from '../../engine';
import type { TaggerConfig } from './config';
import type { TaggerNetwork } from './network';
import { makeBatch, toExamples, type WordVocab } from './vocab';

/** What salience needs from a tagger model. */
export interface TaggerParts {
  cfg: TaggerConfig;
  vocab: WordVocab;
  net: TaggerNetwork;
  maxLen: number;
}

/**
 * Raw |gradient × input| per response token (no normalisation) and the level it attributes. Each token's
 * embedding feeds both GRU directions (the backward one reads it at the mirrored position), so its gradient
 * is the sum of the two slots' gradients.
 */
export function taggerRawSalience(parts: TaggerParts, pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): { level: Level; values: Float32Array } {
  const { net } = parts;
  if (!net.shape.mechanisms.includes(mechanism)) throw new Error(`salience: the tagger has no ${mechanism} head (has ${net.shape.mechanisms.join(', ')})`);
  const exs = toExamples([pair], parts.maxLen, []);
  const L = exs[0].response.tokens.length;
  const b = makeBatch(exs, parts.vocab, parts.cfg, []);
  const level: Level = opts.level ?? tf.tidy(() => tf.argMax(net.forward(b).levelLogits[mechanism]!, 1).dataSync()[0] as Level);
  if (L === 0) return { level, values: new Float32Array(0) };
  const { B, T } = b; // B = 1: row 0 the seeker, row 1 the response
  const R = 2 * B;
  const E = parts.cfg.embedDim;
  const target = opts.target ?? 'logit';
  const [g, x] = tf.tidy(() => {
    const inputs = net.tokenInputs(b); // [2·R·T, E]
    const score = (xs: tf.Tensor): tf.Scalar => {
      const logits = net.forward(b, undefined, xs as tf.Tensor2D).levelLogits[mechanism]!; // [1, 3]
      const z = target === 'logprob' ? tf.logSoftmax(logits) : logits; // [1, 3]
      return tf.reshape(tf.slice(z, [0, level], [1, 1]), []) as tf.Scalar;
    };
    return [tf.grad(score)(inputs), inputs]; // [2·R·T, E] each
  });
  let grad: Float32Array, emb: Float32Array;
  try {
    grad = g.dataSync() as Float32Array;
    emb = x.dataSync() as Float32Array;
  } finally {
    g.dispose();
    x.dispose();
  }
  const values = new Float32Array(L);
  const r = B; // the response row
  for (let t = 0; t < L; t++) {
    const fw = (r * T + t) * E; // forward slot
    const bw = (R * T + r * T + (L - 1 - t)) * E; // backward slot (same embedding, mirrored position)
    let s = 0;
    for (let d = 0; d < E; d++) s += Math.abs((grad[fw + d] + grad[bw + d]) * emb[fw + d]);
    values[t] = s;
  }
  return { level, values };
}

/** `EmpathyModel.salience` of the tagger: one value per response token of `predict`. */
export async function taggerSalience(parts: TaggerParts, pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): Promise<number[]> {
  return normaliseByMax(taggerRawSalience(parts, pair, mechanism, opts).values);
}

// Gradient × input salience of the bi-encoder: how much each response token's input embedding (word +
// position) moves one mechanism's level logit, |∂logit/∂e ⊙ e| summed over the hidden dimension, one
// value per content token of `predict` (no <s>, </s> or padding), normalised by the max to [0, 1].
import * as tf from '@tensorflow/tfjs';
import type { EncodedBatch } from './biEncoder';
import { collate, encodePairs } from './encode';
import { type SalienceOptions, normaliseByMax, type Level, type Mechanism, type Pair } from '../../engine';
import type { BiEncoderParts } from './predict';

/**
 * Raw (unnormalised) per-position |gradient × input| of the level score of `mechanism` for a batch of one:
 * [T] over every response position (specials and padding included). `level` undefined = the predicted one.
 * Exposed for the finite-difference test; `biEncoderSalience` is the public entry.
 */
export function biEncoderRawSalience(parts: BiEncoderParts, batch: EncodedBatch, mechanism: Mechanism, opts: SalienceOptions = {}): {
  level: Level;
  /** |g ⊙ e| summed over H, per response position: [T]. */
  values: Float32Array;
  /** The gradient g and the input embeddings e, row-major [T*H] (for checks). */
  grad: Float32Array;
  embeds: Float32Array;
} {
  const net = parts.net;
  if (!net.cfg.mechanisms.includes(mechanism)) throw new Error(`salience: the model has no ${mechanism} head (has ${net.cfg.mechanisms.join(', ')})`);
  if (batch.batch !== 1) throw new Error(`salience: one pair at a time, got a batch of ${batch.batch}`);
  const level: Level = opts.level ?? tf.tidy(() => {
    const logits = net.forward(batch, { training: false }).levelLogits[mechanism]!; // [1, 3]
    return tf.argMax(logits, 1).dataSync()[0] as Level;
  });
  const target = opts.target ?? 'logit';
  const sal = tf.tidy(() => {
    const e = net.responseInputEmbeddings(batch); // [T, H] word + position
    // The attributed score as a function of the response's input embeddings (eval mode: no dropout).
    const score = (x: tf.Tensor): tf.Scalar => {
      const logits = net.forward(batch, { training: false, responseEmbeds: x as tf.Tensor2D }).levelLogits[mechanism]!; // [1, 3]
      const z = target === 'logprob' ? tf.logSoftmax(logits) : logits; // [1, 3]
      return tf.reshape(tf.slice(z, [0, level], [1, 1]), []) as tf.Scalar;
    };
    const g = tf.grad(score)(e); // [T, H]
    return [tf.sum(tf.abs(tf.mul(g, e)), 1), g, e]; // [T], [T, H], [T, H]
  });
  try {
    const [values, grad, embeds] = sal.map((t) => t.dataSync() as Float32Array);
    return { level, values, grad, embeds };
  } finally {
    for (const t of sal) t.dispose();
  }
}

/** `EmpathyModel.salience` of the bi-encoder: one value per content token of `predict` (positions 1 .. len−2). */
export async function biEncoderSalience(parts: BiEncoderParts, pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): Promise<number[]> {
  const { examples } = encodePairs([pair], parts.tokenizer, { maxLen: parts.maxLen });
  const ex = examples[0];
  if (ex.rpIds.length <= 2) return []; // nothing between <s> and </s>
  const batch = collate([ex], parts.maxLen, parts.tokenizer.padId);
  const { values } = biEncoderRawSalience(parts, batch, mechanism, opts);
  return normaliseByMax(values.subarray(1, ex.rpIds.length - 1));
}

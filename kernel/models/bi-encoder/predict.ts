// Bi-encoder inference: batched forward passes over encoded pairs (plain arrays out, no tensor kept),
// and predictions per mechanism: level, class probabilities, per-token rationale probabilities with
// character offsets into the response, rationale spans, and whether the response was truncated. The
// forward runs through onnxruntime when the parts offer an exported graph (onnxInference.ts), else tfjs.
import * as tf from '@tensorflow/tfjs';
import { type BiEncoder, biEncoderLoss, type EncodedBatch, type ForwardOutput } from './biEncoder';
import type { BiEncoderConfig } from './config';
import type { BiEncoderOnnx, BatchLogits } from './onnxInference';
import { collate, encodePairs, type EncodedExample } from './encode';
import {
  type PredictOptions, extractSpans, type Tokenizer, type Level, type Mechanism, type MechanismPrediction, type Pair,
  type PairPrediction, type ProgressOptions, type RationaleToken,
} from '../../engine';
import { argmax3 } from '../evaluate';

/** What inference needs from a bi-encoder model. */
export interface BiEncoderParts {
  /** The network's config (what inference through onnxruntime needs of it). */
  cfg: BiEncoderConfig;
  /** The tfjs network (for a model loaded lazily, reading it loads the weights: only the tfjs paths do). */
  net: BiEncoder;
  tokenizer: Tokenizer;
  /** Tokens per side including the specials. */
  maxLen: number;
  /** The network exported to onnxruntime, when inference runs there (undefined: tfjs runs the forward). */
  onnxRunner?(): Promise<BiEncoderOnnx | undefined>;
}

/** One example's outputs: level probabilities and per-token rationale probabilities (length = rpIds). */
export interface ExampleOutput {
  levelProbs: Partial<Record<Mechanism, [number, number, number]>>;
  tokenProbs: Partial<Record<Mechanism, Float32Array>>;
}

export interface InferenceOptions extends ProgressOptions {
  batchSize?: number;
  /** Also compute the loss (examples must carry labels for `lossMechanisms`). */
  loss?: { lambdaEI: number; lambdaRE: number; mechanisms: readonly Mechanism[] };
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Run the model over examples in batches (padded to maxLen like the original), checking the signal and
 * yielding to the event loop between batches. Returns plain arrays and, with `loss`, the mean total loss
 * (weighted by batch size).
 */
export async function runInference(parts: BiEncoderParts, examples: readonly EncodedExample[], opts: InferenceOptions = {}): Promise<{ outputs: ExampleOutput[]; loss: number }> {
  const bs = Math.max(1, opts.batchSize ?? 32);
  const mechs = parts.cfg.mechanisms;
  const onnx = await parts.onnxRunner?.();
  const outputs: ExampleOutput[] = [];
  let lossSum = 0;
  opts.onProgress?.(0, examples.length);
  for (let i = 0; i < examples.length; i += bs) {
    opts.signal?.throwIfAborted();
    const chunk = examples.slice(i, i + bs);
    const batch: EncodedBatch = collate(chunk, parts.maxLen, parts.tokenizer.padId, opts.loss?.mechanisms ?? []);
    const B = batch.batch, T = batch.seqLen;
    if (onnx) {
      const logits = await onnx.forward(batch);
      chunk.forEach((ex, b) => outputs.push(exampleOutput(logits, mechs, b, T, ex.rpIds.length)));
      if (opts.loss) lossSum += (await lossFromLogits(parts.cfg, batch, logits, opts.loss)) * B;
      opts.onProgress?.(Math.min(i + bs, examples.length), examples.length);
      await yieldToLoop();
      continue;
    }
    const tensors = tf.tidy(() => {
      const out = parts.net.forward(batch, { training: false });
      const list: tf.Tensor[] = [];
      for (const m of mechs) {
        list.push(tf.softmax(out.levelLogits[m]!)); // [B, 3]
        list.push(tf.reshape(tf.slice(tf.softmax(out.rationaleLogits[m]!), [0, 0, 1], [B, T, 1]), [B, T])); // [B, T] P(rationale)
      }
      if (opts.loss) list.push(parts.net.loss(batch, out, opts.loss).loss);
      return list;
    });
    try {
      const data = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
      chunk.forEach((ex, b) => {
        const o: ExampleOutput = { levelProbs: {}, tokenProbs: {} };
        mechs.forEach((m, k) => {
          const lp = data[2 * k], rp = data[2 * k + 1];
          o.levelProbs[m] = [lp[b * 3], lp[b * 3 + 1], lp[b * 3 + 2]];
          o.tokenProbs[m] = rp.slice(b * T, b * T + ex.rpIds.length);
        });
        outputs.push(o);
      });
      if (opts.loss) lossSum += data[data.length - 1][0] * B;
    } finally {
      for (const t of tensors) t.dispose();
    }
    opts.onProgress?.(Math.min(i + bs, examples.length), examples.length);
    await yieldToLoop();
  }
  return { outputs, loss: examples.length > 0 ? lossSum / examples.length : NaN };
}

/** Softmax of the level logits and P(rationale) per response token of example `b`, from ONNX logits. */
function exampleOutput(l: BatchLogits, mechs: readonly Mechanism[], b: number, T: number, rpLen: number): ExampleOutput {
  const o: ExampleOutput = { levelProbs: {}, tokenProbs: {} };
  for (const m of mechs) {
    const lv = l.level[m]!, rt = l.rationale[m]!; // [B*3], [B*T*2]
    const z0 = lv[b * 3], z1 = lv[b * 3 + 1], z2 = lv[b * 3 + 2];
    const mx = Math.max(z0, z1, z2);
    const e0 = Math.exp(z0 - mx), e1 = Math.exp(z1 - mx), e2 = Math.exp(z2 - mx);
    const sum = e0 + e1 + e2;
    o.levelProbs[m] = [e0 / sum, e1 / sum, e2 / sum];
    const tp = new Float32Array(rpLen);
    for (let t = 0; t < rpLen; t++) {
      const a = rt[(b * T + t) * 2], c = rt[(b * T + t) * 2 + 1];
      tp[t] = 1 / (1 + Math.exp(a - c)); // softmax over 2 classes, class 1
    }
    o.tokenProbs[m] = tp;
  }
  return o;
}

/** The model's own loss (BiEncoder.loss) on logits computed elsewhere: the same formula for both engines. */
async function lossFromLogits(cfg: BiEncoderConfig, batch: EncodedBatch, l: BatchLogits, lossOpts: NonNullable<InferenceOptions['loss']>): Promise<number> {
  const B = batch.batch, T = batch.seqLen;
  const t = tf.tidy(() => {
    const out: ForwardOutput = { levelLogits: {}, rationaleLogits: {} };
    for (const m of cfg.mechanisms) {
      out.levelLogits[m] = tf.tensor2d(l.level[m]!, [B, 3]);
      out.rationaleLogits[m] = tf.tensor3d(l.rationale[m]!, [B, T, 2]);
    }
    return biEncoderLoss(cfg, batch, out, lossOpts).loss;
  });
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

export function argmaxLevel(p: readonly number[], pairId?: string): Level {
  return argmax3(p, pairId); // the one level rule (kernel/models/evaluate.ts): non-finite probabilities are an error
}

/** Predictions for unlabelled pairs. */
export async function predictPairs(parts: BiEncoderParts, pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
  const threshold = opts.threshold ?? 0.5;
  const { examples } = encodePairs(pairs, parts.tokenizer, { maxLen: parts.maxLen });
  const { outputs } = await runInference(parts, examples, opts);
  return pairs.map((p, i) => {
    const ex = examples[i];
    const mechanisms: PairPrediction['mechanisms'] = {};
    for (const m of parts.cfg.mechanisms) {
      const probs = outputs[i].levelProbs[m]!;
      const tp = outputs[i].tokenProbs[m]!;
      const tokens: RationaleToken[] = [];
      // Response content tokens: positions 1 .. len-2 (position 0 is <s>, the last is </s>).
      for (let t = 1; t < ex.rpIds.length - 1; t++) {
        const [s, e] = ex.rpOffsets[t];
        tokens.push({ text: p.responsePost.slice(s, e), start: s, end: e, prob: tp[t] });
      }
      const pred: MechanismPrediction = {
        level: argmaxLevel(probs, p.id),
        probs: [...probs] as [number, number, number],
        tokens,
        spans: extractSpans(p.responsePost, tokens, threshold),
        truncated: ex.rpTruncated,
      };
      mechanisms[m] = pred;
    }
    return { id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost, mechanisms };
  });
}

// The `tagger` model family: the BiGRU rationale tagger (network.ts) with its word vocabulary — training
// (Adam, class-balanced level loss, rationale loss on level > 0 rows, abortable, typed events),
// prediction (through onnxruntime for a loaded checkpoint when it loads, onnxInference.ts; else tfjs),
// evaluation and the single-file checkpoint.
import * as tf from '@tensorflow/tfjs';
import {
  currentBackend, initBackend, configLike, configMechanisms, loadCheckpoint, parseCheckpointConfig, saveCheckpoint,
  type Checkpoint, type EmpathyModel, type ModelFamily, type PredictOptions, type SalienceOptions, type TrainData,
  type TrainResult, SeedStream, extractSpans, type BackendInfo, type EvalReport, type LabeledPair, type Mechanism,
  type MechanismPrediction, type Pair, type PairPrediction, type RunOptions, openOnnxRunner, type InferenceInfo,
} from '../../engine';
import { seededRandom } from '../../../dataset/random';
import { argmax3, evaluatePredictions, labelledMechanisms, yieldToLoop } from '../evaluate';
import { gateByLevel } from '../levelGate';
import { balancedClassWeights } from '../linear/logreg';
import { defaultTaggerConfig, resolveTaggerConfig, type TaggerConfig } from './config';
import { TaggerNetwork } from './network';
import { taggerSalience } from './salience';
import { makeBatch, toExamples, WordVocab, type TaggerBatch, type TaggerExample } from './vocab';
import { TaggerOnnx } from './onnxInference';

export class TaggerModel implements EmpathyModel {
  readonly family = 'tagger' as const;
  readonly mechanisms: readonly Mechanism[];
  readonly maxLen: number;

  private onnx?: Promise<TaggerOnnx | undefined>;
  private engineInfo?: InferenceInfo;

  constructor(
    readonly cfg: TaggerConfig,
    readonly vocab: WordVocab,
    readonly net: TaggerNetwork,
    /** Infer through an ONNX export when onnxruntime-node loads (set for checkpoints: their weights no longer change). */
    readonly exportInference = false,
  ) {
    this.mechanisms = net.shape.mechanisms;
    this.maxLen = cfg.maxLen;
  }

  /** The ONNX runner (exported on first call), or undefined when tfjs runs inference. */
  onnxRunner(): Promise<TaggerOnnx | undefined> {
    if (!this.exportInference) return Promise.resolve(undefined);
    this.onnx ??= (async () => {
      const { runner, info } = await openOnnxRunner((i) => TaggerOnnx.create(this.net, i));
      this.engineInfo = info;
      return runner;
    })();
    return this.onnx;
  }

  /** What runs this model's inference (known after the first predict; undefined before). */
  get inference(): InferenceInfo | undefined {
    return this.exportInference ? this.engineInfo : { engine: 'tfjs', reason: 'weights live (not loaded from a checkpoint)' };
  }

  /** Level probabilities [M, B, 3] and token rationale probabilities [B·T, M] of one batch, either engine. */
  private async batchProbs(b: TaggerBatch, mechs: readonly Mechanism[]): Promise<{ levelProbs: Float32Array; tokenProbs: Float32Array }> {
    const onnx = await this.onnxRunner();
    if (onnx) {
      const l = await onnx.forward(b);
      const levelProbs = new Float32Array(mechs.length * b.B * 3);
      mechs.forEach((m, j) => {
        const z = l.level[m]!; // [B*3]
        for (let i = 0; i < b.B; i++) {
          const [a, c, d] = [z[i * 3], z[i * 3 + 1], z[i * 3 + 2]];
          const mx = Math.max(a, c, d);
          const ea = Math.exp(a - mx), ec = Math.exp(c - mx), ed = Math.exp(d - mx), s = ea + ec + ed;
          levelProbs.set([ea / s, ec / s, ed / s], (j * b.B + i) * 3);
        }
      });
      const tokenProbs = l.rationale.map((x) => 1 / (1 + Math.exp(-x))); // sigmoid, [B·T·M]
      return { levelProbs, tokenProbs };
    }
    const [lp, rp] = tf.tidy(() => {
      const f = this.net.forward(b);
      return [tf.stack(mechs.map((m) => tf.softmax(f.levelLogits[m]!))), tf.sigmoid(f.rationaleLogits)]; // [M, B, 3], [B·T, M]
    });
    try {
      return { levelProbs: (await lp.data()) as Float32Array, tokenProbs: (await rp.data()) as Float32Array };
    } finally {
      lp.dispose();
      rp.dispose();
    }
  }

  /** Predictions with the tagger's raw token probabilities (no gating by level): what the ensemble uses. */
  async predictRaw(pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
    const bs = opts.batchSize ?? 64;
    const out: PairPrediction[] = [];
    const mechs = [...this.mechanisms];
    for (let s = 0; s < pairs.length; s += bs) {
      opts.signal?.throwIfAborted();
      const part = pairs.slice(s, s + bs);
      const exs = toExamples(part, this.maxLen, []);
      const b = makeBatch(exs, this.vocab, this.cfg, []);
      const { levelProbs, tokenProbs } = await this.batchProbs(b, mechs);
      const B = part.length;
      part.forEach((p, i) => {
        const ex = exs[i];
        const mechanisms: Partial<Record<Mechanism, MechanismPrediction>> = {};
        mechs.forEach((m, j) => {
          const o = (j * B + i) * 3;
          const probs: [number, number, number] = [levelProbs[o], levelProbs[o + 1], levelProbs[o + 2]];
          const tokens = ex.response.tokens.map((t, k) => ({ ...t, prob: tokenProbs[(i * b.T + k) * mechs.length + j] }));
          mechanisms[m] = { level: argmax3(probs, p.id), probs, tokens, spans: extractSpans(p.responsePost, tokens, opts.threshold ?? 0.5), truncated: ex.response.truncated };
        });
        out.push({ id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost, mechanisms });
      });
      opts.onProgress?.(Math.min(s + bs, pairs.length), pairs.length);
      await yieldToLoop();
    }
    return out;
  }

  async predict(pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
    const raw = await this.predictRaw(pairs, opts);
    return this.cfg.gateRationales ? gateByLevel(raw) : raw;
  }

  /** Gradient × input on the response tokens' word + char n-gram embeddings (salience.ts). */
  salience(pair: Pair, mechanism: Mechanism, opts?: SalienceOptions): Promise<number[]> {
    return taggerSalience(this, pair, mechanism, opts);
  }

  async evaluate(data: readonly LabeledPair[], opts: PredictOptions = {}): Promise<EvalReport> {
    return evaluatePredictions(data, await this.predict(data, opts), { threshold: opts.threshold, maxLen: this.maxLen });
  }

  async save(path: string, extra: { trainArgs?: unknown; metrics?: unknown } = {}): Promise<void> {
    await saveCheckpoint(path, this.toCheckpoint(extra));
  }

  /** The checkpoint contents (the ensemble nests them under a prefix). */
  toCheckpoint(extra: { trainArgs?: unknown; metrics?: unknown } = {}): Checkpoint {
    return {
      family: 'tagger',
      config: { ...this.cfg, mechanisms: [...this.mechanisms] },
      tokenizer: { kind: 'tagger-words', words: this.vocab.words },
      trainArgs: extra.trainArgs,
      metrics: extra.metrics,
      tensors: this.net.stateDict(),
    };
  }

  describe(): Record<string, unknown> {
    let params = 0;
    for (const v of this.net.params.values()) params += v.size;
    const { embedDim, hidden, headHidden, charBuckets, maxLen, seekerMask, segmentPooling } = this.cfg;
    return { family: 'tagger', mechanisms: [...this.mechanisms], vocabSize: this.vocab.size, params, embedDim, hidden, headHidden, charBuckets, maxLen, seekerMask, segmentPooling, encoder: 'BiGRU (shared by seeker and response)' };
  }

  dispose(): void {
    const onnx = this.onnx;
    this.onnx = undefined;
    void onnx?.then((r) => r?.release(), () => undefined);
    this.net.dispose();
  }
}

/** Batches of similar length (shuffle, sort within windows of 20 batches, shuffle the batches). */
function epochBatches(n: number, lens: number[], bs: number, rnd: () => number): number[][] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const batches: number[][] = [];
  const win = bs * 20;
  for (let s = 0; s < n; s += win) {
    const w = idx.slice(s, s + win).sort((a, b) => lens[a] - lens[b]);
    for (let k = 0; k < w.length; k += bs) batches.push(w.slice(k, k + bs));
  }
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}

export async function trainTagger(over: Partial<TaggerConfig>, data: TrainData, opts: RunOptions = {}): Promise<TrainResult> {
  const cfg = resolveTaggerConfig(over);
  const emit = opts.onEvent ?? (() => {});
  const backend: BackendInfo = currentBackend() && cfg.backend === 'auto' && !process.env.EMPATHY_BACKEND ? currentBackend()! : await initBackend(cfg.backend);
  const mechs = cfg.mechanisms ?? labelledMechanisms(data.train);
  if (mechs.length === 0) throw new Error('tagger: the training data has no labelled mechanism');
  const train = data.train;
  const vocab = WordVocab.build(train.flatMap((p) => [p.seekerPost, p.responsePost]), cfg.vocabSize, cfg.minCount);
  const exs: TaggerExample[] = toExamples(train, cfg.maxLen, mechs);
  const classWeights: Partial<Record<Mechanism, number[]>> = {};
  for (const m of mechs) {
    const ys = exs.flatMap((e) => (e.levels[m] === undefined ? [] : [e.levels[m]!]));
    classWeights[m] = cfg.classWeights === 'balanced' ? balancedClassWeights(ys, 3) : [1, 1, 1];
  }
  const net = new TaggerNetwork(cfg, { vocabSize: vocab.size, mechanisms: mechs }, cfg.seed);
  const model = new TaggerModel(cfg, vocab, net);
  const optimizer = tf.train.adam(cfg.lr);
  const vars = [...net.params.values()];
  const rnd = seededRandom(cfg.seed + 1);
  const lens = exs.map((e) => Math.max(e.seeker.tokens.length, e.response.tokens.length));
  const stepsPerEpoch = Math.ceil(exs.length / cfg.batchSize);
  emit({ type: 'start', v: 1, totalSteps: stepsPerEpoch * cfg.epochs, stepsPerEpoch, epochs: cfg.epochs, examples: exs.length, backend, resumedFromStep: 0 });
  emit({ type: 'log', v: 1, level: 'info', message: `tagger: vocabulary ${vocab.size} words, ${model.describe().params} parameters, class weights ${mechs.map((m) => `${m} [${classWeights[m]!.map((w) => w.toFixed(2)).join(', ')}]`).join(' ')}` });
  let step = 0;
  let stopped: TrainResult['stopped'];
  // Averaged weights (cfg.emaDecay), created at the first step of epoch cfg.emaFromEpoch; owned here.
  let ema: tf.Variable[] | undefined;
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      let sum = 0;
      let count = 0;
      for (const bi of epochBatches(exs.length, lens, cfg.batchSize, rnd)) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        const t0 = Date.now();
        const b = makeBatch(bi.map((i) => exs[i]), vocab, cfg, mechs);
        const rng = new SeedStream(cfg.seed * 100003 + step);
        let parts: tf.Scalar[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const l = net.loss(b, net.forward(b, rng), classWeights);
          parts = [tf.keep(l.level), tf.keep(l.rationale)];
          return l.loss;
        }, vars);
        const names = Object.keys(grads);
        const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k]))))).dataSync()[0]);
        const scale = Number.isFinite(norm) && norm > cfg.maxGradNorm ? cfg.maxGradNorm / norm : 1;
        const clipped = names.map((k) => ({ name: k, tensor: scale < 1 ? tf.mul(grads[k], scale) : grads[k] }));
        optimizer.applyGradients(clipped);
        if (cfg.emaDecay > 0 && epoch >= cfg.emaFromEpoch) {
          const d = cfg.emaDecay;
          if (!ema) {
            ema = vars.map((v) => {
              const c = v.clone();
              const e = tf.variable(c, false);
              c.dispose();
              return e;
            });
          }
          else tf.tidy(() => ema!.forEach((e, i) => e.assign(tf.add(tf.mul(e, d), tf.mul(vars[i], 1 - d)))));
        }
        const loss = value.dataSync()[0];
        const [lv, lr] = parts.map((t) => t.dataSync()[0]);
        for (const t of [value, ...parts, ...Object.values(grads), ...(scale < 1 ? clipped.map((c) => c.tensor) : [])]) t.dispose();
        step++;
        sum += loss;
        count++;
        emit({ type: 'step', v: 1, step, epoch, loss, lossLevel: lv, lossRationale: lr, lr: cfg.lr, gradNorm: norm, examplesPerSec: bi.length / Math.max((Date.now() - t0) / 1000, 1e-3) });
        await yieldToLoop();
      }
      const dev = data.dev?.length ? await model.evaluate(data.dev, { signal: opts.signal, onProgress: (done, total) => emit({ type: 'eval', v: 1, split: 'dev', done, total: total ?? done }) }) : undefined;
      emit({ type: 'epoch', v: 1, epoch, step, trainLoss: sum / Math.max(count, 1), dev });
    }
  } catch (e) {
    if (!opts.signal?.aborted) {
      optimizer.dispose();
      ema?.forEach((e) => e.dispose());
      ema = undefined;
      model.dispose();
      throw e;
    }
    stopped = 'aborted';
    emit({ type: 'stopped', v: 1, step, reason: 'aborted' });
  } finally {
    optimizer.dispose();
    if (ema) {
      // The model keeps the averaged weights (also when stopped: an average of the steps taken).
      ema.forEach((e, i) => vars[i].assign(e));
      ema.forEach((e) => e.dispose());
    }
  }
  const dev = !stopped && data.dev?.length ? await model.evaluate(data.dev, { onProgress: (done, total) => emit({ type: 'eval', v: 1, split: 'dev', done, total: total ?? done }) }) : undefined;
  const test = !stopped && data.test?.length ? await model.evaluate(data.test, { onProgress: (done, total) => emit({ type: 'eval', v: 1, split: 'test', done, total: total ?? done }) }) : undefined;
  emit({ type: 'end', v: 1, step, dev, test });
  return { model, steps: step, stopped, dev, test };
}

export async function loadTagger(path: string): Promise<TaggerModel> {
  return taggerFromCheckpoint(await loadCheckpoint(path), path);
}

/** Rebuild a tagger from checkpoint contents (`path` names the file, `field` its config, in errors). */
export async function taggerFromCheckpoint(ck: Checkpoint, path: string, field = 'config'): Promise<TaggerModel> {
  if (ck.family !== 'tagger') throw new Error(`${path}: a '${ck.family}' checkpoint, not 'tagger'`);
  const cfgRaw = configLike(path, ck.config, defaultTaggerConfig, field) as unknown as TaggerConfig & { mechanisms: Mechanism[] };
  configMechanisms(path, cfgRaw.mechanisms, `${field}.mechanisms`);
  const tok = ck.tokenizer as { kind: string; words: string[] } | undefined;
  if (!tok || tok.kind !== 'tagger-words' || !Array.isArray(tok.words)) throw new Error(`${path}: tagger checkpoint without its word vocabulary`);
  // Checkpoints written before segment pooling existed have no such key and no such weights: off.
  const cfg = parseCheckpointConfig(path, field, () => resolveTaggerConfig({ ...cfgRaw, segmentPooling: (cfgRaw as Partial<TaggerConfig>).segmentPooling ?? false }));
  if (!currentBackend()) await initBackend(cfg.backend);
  const vocab = new WordVocab(tok.words);
  const net = new TaggerNetwork(cfg, { vocabSize: vocab.size, mechanisms: cfgRaw.mechanisms }, cfg.seed);
  try {
    net.loadStateDict(ck.tensors);
  } catch (e) {
    net.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return new TaggerModel(cfg, vocab, net, true);
}

export const taggerFamily: ModelFamily<Partial<TaggerConfig>> = {
  name: 'tagger',
  train: trainTagger,
  load: loadTagger,
};

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

/** Per-mechanism level weights: 'balanced' over the rows labelled for it, else [1, 1, 1]. */
function levelClassWeights(exs: readonly TaggerExample[], mechs: readonly Mechanism[], mode: TaggerConfig['classWeights']): Partial<Record<Mechanism, number[]>> {
  const classWeights: Partial<Record<Mechanism, number[]>> = {};
  for (const m of mechs) {
    const ys = exs.flatMap((e) => (e.levels[m] === undefined ? [] : [e.levels[m]!]));
    classWeights[m] = mode === 'balanced' ? balancedClassWeights(ys, 3) : [1, 1, 1];
  }
  return classWeights;
}

/**
 * Averaged weights (cfg.emaDecay), created at the first update (the first step of epoch cfg.emaFromEpoch);
 * owns those variables until `commit` or `dispose`.
 */
class WeightAverage {
  private ema: tf.Variable[] | undefined;

  constructor(private readonly vars: readonly tf.Variable[], private readonly decay: number) {}

  /** After an optimiser step: the first call copies the weights, later ones fold them in (e·d + w·(1 − d)). */
  update(): void {
    const d = this.decay;
    const vars = this.vars;
    if (!this.ema) {
      this.ema = vars.map((v) => {
        const c = v.clone();
        const e = tf.variable(c, false);
        c.dispose();
        return e;
      });
    }
    else tf.tidy(() => this.ema!.forEach((e, i) => e.assign(tf.add(tf.mul(e, d), tf.mul(vars[i], 1 - d)))));
  }

  /** The model keeps the averaged weights (also when stopped: an average of the steps taken). */
  commit(): void {
    if (!this.ema) return;
    this.ema.forEach((e, i) => this.vars[i].assign(e));
    this.dispose();
  }

  dispose(): void {
    this.ema?.forEach((e) => e.dispose());
    this.ema = undefined;
  }
}

/** What one tagger training run steps with (built once by trainTagger; `step` counts optimiser steps). */
interface TaggerRun {
  cfg: TaggerConfig;
  net: TaggerNetwork;
  vocab: WordVocab;
  mechs: Mechanism[];
  exs: TaggerExample[];
  /** Per example: its longer side in tokens (batches group similar lengths). */
  lens: number[];
  classWeights: Partial<Record<Mechanism, number[]>>;
  optimizer: tf.Optimizer;
  vars: tf.Variable[];
  average: WeightAverage;
  rnd: () => number;
  opts: RunOptions;
  emit: NonNullable<RunOptions['onEvent']>;
  step: number;
}

/**
 * One optimiser step on batch `b`: the loss and its parts, gradients clipped to cfg.maxGradNorm (global
 * norm), Adam. Frees every tensor it made; returns the numbers the step event reports.
 */
function taggerStep(run: TaggerRun, b: TaggerBatch): { loss: number; lossLevel: number; lossRationale: number; gradNorm: number } {
  const { cfg, net, classWeights, optimizer, vars } = run;
  const rng = new SeedStream(cfg.seed * 100003 + run.step);
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
  const loss = value.dataSync()[0];
  const [lv, lr] = parts.map((t) => t.dataSync()[0]);
  for (const t of [value, ...parts, ...Object.values(grads), ...(scale < 1 ? clipped.map((c) => c.tensor) : [])]) t.dispose();
  return { loss, lossLevel: lv, lossRationale: lr, gradNorm: norm };
}

/** One epoch of steps (abortable between batches); returns the mean step loss. */
async function trainTaggerEpoch(run: TaggerRun, epoch: number): Promise<number> {
  const { cfg, exs, opts, emit } = run;
  let sum = 0;
  let count = 0;
  for (const bi of epochBatches(exs.length, run.lens, cfg.batchSize, run.rnd)) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const t0 = Date.now();
    const b = makeBatch(bi.map((i) => exs[i]), run.vocab, cfg, run.mechs);
    const r = taggerStep(run, b);
    if (cfg.emaDecay > 0 && epoch >= cfg.emaFromEpoch) run.average.update();
    run.step++;
    sum += r.loss;
    count++;
    emit({ type: 'step', v: 1, step: run.step, epoch, loss: r.loss, lossLevel: r.lossLevel, lossRationale: r.lossRationale, lr: cfg.lr, gradNorm: r.gradNorm, examplesPerSec: bi.length / Math.max((Date.now() - t0) / 1000, 1e-3) });
    await yieldToLoop();
  }
  return sum / Math.max(count, 1);
}

/** The model's report on one split, streaming eval progress events. */
function evaluateSplit(model: TaggerModel, pairs: readonly LabeledPair[], split: 'dev' | 'test', emit: TaggerRun['emit'], signal?: AbortSignal): Promise<EvalReport> {
  return model.evaluate(pairs, { signal, onProgress: (done, total) => emit({ type: 'eval', v: 1, split, done, total: total ?? done }) });
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
  const classWeights = levelClassWeights(exs, mechs, cfg.classWeights);
  const net = new TaggerNetwork(cfg, { vocabSize: vocab.size, mechanisms: mechs }, cfg.seed);
  const model = new TaggerModel(cfg, vocab, net);
  const optimizer = tf.train.adam(cfg.lr);
  const vars = [...net.params.values()];
  const rnd = seededRandom(cfg.seed + 1);
  const lens = exs.map((e) => Math.max(e.seeker.tokens.length, e.response.tokens.length));
  const stepsPerEpoch = Math.ceil(exs.length / cfg.batchSize);
  emit({ type: 'start', v: 1, totalSteps: stepsPerEpoch * cfg.epochs, stepsPerEpoch, epochs: cfg.epochs, examples: exs.length, backend, resumedFromStep: 0 });
  emit({ type: 'log', v: 1, level: 'info', message: `tagger: vocabulary ${vocab.size} words, ${model.describe().params} parameters, class weights ${mechs.map((m) => `${m} [${classWeights[m]!.map((w) => w.toFixed(2)).join(', ')}]`).join(' ')}` });
  const average = new WeightAverage(vars, cfg.emaDecay);
  const run: TaggerRun = { cfg, net, vocab, mechs, exs, lens, classWeights, optimizer, vars, average, rnd, opts, emit, step: 0 };
  let stopped: TrainResult['stopped'];
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const trainLoss = await trainTaggerEpoch(run, epoch);
      const dev = data.dev?.length ? await evaluateSplit(model, data.dev, 'dev', emit, opts.signal) : undefined;
      emit({ type: 'epoch', v: 1, epoch, step: run.step, trainLoss, dev });
    }
  } catch (e) {
    if (!opts.signal?.aborted) {
      optimizer.dispose();
      average.dispose();
      model.dispose();
      throw e;
    }
    stopped = 'aborted';
    emit({ type: 'stopped', v: 1, step: run.step, reason: 'aborted' });
  } finally {
    optimizer.dispose();
    average.commit();
  }
  const dev = !stopped && data.dev?.length ? await evaluateSplit(model, data.dev, 'dev', emit) : undefined;
  const test = !stopped && data.test?.length ? await evaluateSplit(model, data.test, 'test', emit) : undefined;
  emit({ type: 'end', v: 1, step: run.step, dev, test });
  return { model, steps: run.step, stopped, dev, test };
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

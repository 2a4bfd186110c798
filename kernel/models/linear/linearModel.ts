// The `linear` model family: TF-IDF of the response + one class-balanced multinomial logistic
// regression per mechanism for the level, and one binary logistic regression per mechanism over the
// response's sentences for the rationale (rationale.ts); trains in seconds, exposes per-n-gram weights.
import {
  configLike, configMechanisms, configObject, loadCheckpoint, parseCheckpointConfig, saveCheckpoint, type Checkpoint,
  groupedStratifiedFolds, type EmpathyModel, type ModelFamily, type PredictOptions, type SalienceOptions,
  type TrainResult, type TrainData, type TensorEntry, type BackendInfo, type EvalReport, type LabeledPair,
  type Mechanism, type MechanismPrediction, type Pair, type PairPrediction, type RunOptions, extractSpans,
} from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { levelMetrics } from '../../metrics/levels';
import { argmax3, evaluatePredictions, labelledMechanisms, yieldToLoop } from '../evaluate';
import { gateByLevel } from '../levelGate';
import { defaultLinearConfig, resolveLinearConfig, type LinearConfig } from './config';
import { fitLogReg, predictProba, type LogRegParams } from './logreg';
import { fitRationaleHead, rationaleTokenProbs, segmentFeatures, segmentResponse } from './rationale';
import { linearSalience } from './salience';
import { csrSelectRows, type Csr } from './sparse';
import { TfidfVectorizer } from './tfidf';

/** No tensors: the linear family runs in plain TypeScript on typed arrays. */
export const LINEAR_BACKEND: BackendInfo = { name: 'cpu', device: 'CPU', detail: 'plain TypeScript (sparse typed arrays, no tfjs)', skipped: [], chosenBy: 'auto' };

export interface FeatureWeight {
  feature: string;
  weight: number;
}

export class LinearModel implements EmpathyModel {
  readonly family = 'linear' as const;
  readonly mechanisms: readonly Mechanism[];
  readonly maxLen: number;

  constructor(
    readonly cfg: LinearConfig,
    readonly vectorizer: TfidfVectorizer,
    /** Per mechanism: weights (feature-major [d, 3]) and bias, and the C it was fitted with. */
    readonly heads: Partial<Record<Mechanism, LogRegParams & { C: number }>>,
    /** Per mechanism: the sentence rationale classifier (feature-major [d, 2]); absent = no rationale. */
    readonly rationaleHeads: Partial<Record<Mechanism, LogRegParams>> = {},
  ) {
    this.mechanisms = MECHANISMS.filter((m) => heads[m]);
    this.maxLen = cfg.maxLen;
  }

  /** Level probabilities [n, 3] per mechanism, row-major (what the ensemble averages). */
  levelProbs(pairs: readonly Pair[]): Partial<Record<Mechanism, Float64Array>> {
    const x = this.vectorizer.transform(pairs.map((p) => p.responsePost));
    const out: Partial<Record<Mechanism, Float64Array>> = {};
    for (const m of this.mechanisms) out[m] = predictProba(x, this.heads[m]!);
    return out;
  }

  /**
   * Predictions with the rationale model's raw token probabilities (not gated by the level): what the
   * ensemble averages. Mechanisms without a rationale model list their tokens with probability 0.
   */
  async predictRaw(pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
    const out: PairPrediction[] = [];
    const chunk = opts.batchSize ?? 256;
    const unit = this.cfg.rationaleUnit === 'none' ? 'sentence' : this.cfg.rationaleUnit;
    for (let s = 0; s < pairs.length; s += chunk) {
      opts.signal?.throwIfAborted();
      const part = pairs.slice(s, s + chunk);
      const probs = this.levelProbs(part);
      const responses = part.map((p) => segmentResponse(p.responsePost, this.maxLen, unit));
      const tokenProbs: Partial<Record<Mechanism, number[][]>> = {};
      let segX: ReturnType<typeof segmentFeatures> | undefined; // the segments' TF-IDF, computed once for every head
      for (const m of this.mechanisms) {
        const h = this.rationaleHeads[m];
        if (h) tokenProbs[m] = rationaleTokenProbs((segX ??= segmentFeatures(this.vectorizer, responses)), h, responses);
      }
      part.forEach((p, i) => {
        const { tokens, truncated } = responses[i];
        const mechanisms: Partial<Record<Mechanism, MechanismPrediction>> = {};
        for (const m of this.mechanisms) {
          const pr = probs[m]!.subarray(i * 3, i * 3 + 3);
          const tp = tokenProbs[m]?.[i];
          const toks = tokens.map((t, k) => ({ ...t, prob: tp ? tp[k] : 0 }));
          mechanisms[m] = { level: argmax3(pr, p.id), probs: [pr[0], pr[1], pr[2]], tokens: toks, spans: tp ? extractSpans(p.responsePost, toks, opts.threshold ?? 0.5) : [], truncated };
        }
        out.push({ id: p.id, seekerPost: p.seekerPost, responsePost: p.responsePost, mechanisms });
      });
      opts.onProgress?.(Math.min(s + chunk, pairs.length), pairs.length);
      await yieldToLoop();
    }
    return out;
  }

  /** Levels, and rationales only where the predicted level is > 0 (level 0 has none by definition). */
  async predict(pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
    return gateByLevel(await this.predictRaw(pairs, opts));
  }

  /**
   * Not a gradient (no input embeddings): per token, Σ |weight × tf-idf| of the n-grams touching it for
   * the attributed level (salience.ts).
   */
  salience(pair: Pair, mechanism: Mechanism, opts?: SalienceOptions): Promise<number[]> {
    return linearSalience(this, pair, mechanism, opts);
  }

  async evaluate(data: readonly LabeledPair[], opts: PredictOptions = {}): Promise<EvalReport> {
    return evaluatePredictions(data, await this.predict(data, opts), { threshold: opts.threshold, maxLen: this.maxLen });
  }

  /** The n features with the largest weight towards `level` of `mechanism` (an inspectable model). */
  topFeatures(mechanism: Mechanism, level: 0 | 1 | 2, n = 20): FeatureWeight[] {
    const h = this.heads[mechanism];
    if (!h) throw new Error(`linear model has no ${mechanism} head (has ${this.mechanisms.join(', ')})`);
    const order = Array.from({ length: h.d }, (_, j) => j).sort((a, b) => h.W[b * 3 + level] - h.W[a * 3 + level]);
    return order.slice(0, n).map((j) => ({ feature: this.vectorizer.features[j], weight: h.W[j * 3 + level] }));
  }

  async save(path: string, extra: { trainArgs?: unknown; metrics?: unknown } = {}): Promise<void> {
    await saveCheckpoint(path, this.toCheckpoint(extra));
  }

  /** The checkpoint contents (the ensemble nests them under a prefix). */
  toCheckpoint(extra: { trainArgs?: unknown; metrics?: unknown } = {}): Checkpoint {
    const tensors = new Map<string, TensorEntry>();
    const d = this.vectorizer.size;
    tensors.set('tfidf.idf', { dtype: 'F32', shape: [d], data: new Float32Array(this.vectorizer.idf) });
    for (const m of this.mechanisms) {
      const h = this.heads[m]!;
      // PyTorch nn.Linear layout: weight [out=3, in=d].
      const w = new Float32Array(3 * d);
      for (let j = 0; j < d; j++) for (let c = 0; c < 3; c++) w[c * d + j] = h.W[j * 3 + c];
      tensors.set(`${m}.weight`, { dtype: 'F32', shape: [3, d], data: w });
      tensors.set(`${m}.bias`, { dtype: 'F32', shape: [3], data: new Float32Array(h.b) });
      const r = this.rationaleHeads[m];
      if (r) {
        const rw = new Float32Array(2 * d);
        for (let j = 0; j < d; j++) for (let c = 0; c < 2; c++) rw[c * d + j] = r.W[j * 2 + c];
        tensors.set(`${m}.rationale.weight`, { dtype: 'F32', shape: [2, d], data: rw });
        tensors.set(`${m}.rationale.bias`, { dtype: 'F32', shape: [2], data: new Float32Array(r.b) });
      }
    }
    return {
      family: 'linear',
      config: { ...this.cfg, C: Object.fromEntries(this.mechanisms.map((m) => [m, this.heads[m]!.C])), mechanisms: [...this.mechanisms] },
      tokenizer: { kind: 'tfidf', wordCount: this.vectorizer.wordCount, features: this.vectorizer.features },
      trainArgs: extra.trainArgs,
      metrics: extra.metrics,
      tensors,
    };
  }

  describe(): Record<string, unknown> {
    return {
      family: 'linear',
      mechanisms: [...this.mechanisms],
      features: this.vectorizer.size,
      wordFeatures: this.vectorizer.wordCount,
      charFeatures: this.vectorizer.size - this.vectorizer.wordCount,
      C: Object.fromEntries(this.mechanisms.map((m) => [m, this.heads[m]!.C])),
      tfidf: this.cfg.tfidf,
      classWeight: this.cfg.classWeight,
      rationales: this.cfg.rationaleUnit === 'none' ? 'none (level model only)' : `${this.cfg.rationaleUnit}-level logistic regression (C ${this.cfg.rationaleC}) for ${this.mechanisms.filter((m) => this.rationaleHeads[m]).join(', ') || 'no mechanism'}`,
    };
  }

  dispose(): void {
    // Plain typed arrays: nothing to free.
  }
}

/** Round parameters through float32, so a saved-and-loaded model predicts exactly as the trained one. */
function toF32Params(p: LogRegParams): LogRegParams {
  return { k: p.k, d: p.d, W: Float64Array.from(new Float32Array(p.W)), b: Float64Array.from(new Float32Array(p.b)) };
}

/** Macro-F1 of argmax(probs [n, 3]) against gold. */
function macroF1Of(probs: Float64Array, gold: ArrayLike<number>): number {
  const pred = Array.from({ length: gold.length }, (_, i) => argmax3(probs.subarray(i * 3, i * 3 + 3)));
  return levelMetrics(Array.from(gold), pred).macroF1;
}

/** Pick C from cfg.cGrid by grouped, stratified inner CV (vectoriser fitted once on all training rows). */
async function selectC(rows: readonly LabeledPair[], x: Csr, y: Int32Array, m: Mechanism, cfg: LinearConfig, opts: RunOptions): Promise<{ C: number; scores: number[] }> {
  const folds = groupedStratifiedFolds(rows, { k: cfg.cvFolds, seed: cfg.seed, stratifyBy: [m] });
  const grid = [...cfg.cGrid].sort((a, b) => a - b);
  const scores = new Array<number>(grid.length).fill(0);
  for (let f = 0; f < cfg.cvFolds; f++) {
    const tr: number[] = [];
    const te: number[] = [];
    folds.forEach((ff, i) => (ff === f ? te : tr).push(i));
    const xtr = csrSelectRows(x, tr);
    const xte = csrSelectRows(x, te);
    const ytr = Int32Array.from(tr, (i) => y[i]);
    const yte = Int32Array.from(te, (i) => y[i]);
    let init: LogRegParams | undefined;
    for (let g = 0; g < grid.length; g++) {
      opts.signal?.throwIfAborted();
      init = fitLogReg(xtr, ytr, 3, { C: grid[g], classWeight: cfg.classWeight, maxIter: cfg.maxIter, tol: cfg.tol }, init);
      scores[g] += macroF1Of(predictProba(xte, init), yte) / cfg.cvFolds;
      await yieldToLoop();
    }
  }
  let best = 0;
  for (let g = 1; g < grid.length; g++) if (scores[g] > scores[best] + 1e-9) best = g;
  return { C: grid[best], scores };
}

export async function trainLinear(over: Partial<LinearConfig>, data: TrainData, opts: RunOptions = {}): Promise<TrainResult> {
  const cfg = resolveLinearConfig(over);
  const emit = opts.onEvent ?? (() => {});
  const mechs = cfg.mechanisms ?? labelledMechanisms(data.train);
  if (mechs.length === 0) throw new Error('linear: the training data has no labelled mechanism');
  emit({ type: 'start', v: 1, totalSteps: mechs.length, stepsPerEpoch: mechs.length, epochs: 1, examples: data.train.length, backend: LINEAR_BACKEND, resumedFromStep: 0 });
  const t0 = Date.now();
  const vectorizer = TfidfVectorizer.fit(data.train.map((p) => p.responsePost), cfg.tfidf);
  const xAll = vectorizer.transform(data.train.map((p) => p.responsePost));
  emit({ type: 'log', v: 1, level: 'info', message: `linear: ${vectorizer.size} TF-IDF features (${vectorizer.wordCount} word, ${vectorizer.size - vectorizer.wordCount} char) from ${data.train.length} responses in ${Date.now() - t0} ms` });
  const heads: Partial<Record<Mechanism, LogRegParams & { C: number }>> = {};
  const rationaleHeads: Partial<Record<Mechanism, LogRegParams>> = {};
  let step = 0;
  let lossSum = 0;
  for (const m of mechs) {
    opts.signal?.throwIfAborted();
    const idx = data.train.flatMap((p, i) => (p.labels[m] ? [i] : []));
    const rows = idx.map((i) => data.train[i]);
    const x = csrSelectRows(xAll, idx);
    const y = Int32Array.from(rows, (p) => p.labels[m]!.level);
    let C: number;
    if (cfg.C === 'cv') {
      const sel = await selectC(rows, x, y, m, cfg, opts);
      C = sel.C;
      emit({ type: 'log', v: 1, level: 'info', message: `linear ${m}: inner ${cfg.cvFolds}-fold macro-F1 by C ${cfg.cGrid.map((c, g) => `${c}: ${sel.scores[g].toFixed(3)}`).join(', ')} → C=${C}` });
    } else {
      C = typeof cfg.C === 'number' ? cfg.C : (cfg.C[m] ?? 1);
    }
    const ts = Date.now();
    const fit = fitLogReg(x, y, 3, { C, classWeight: cfg.classWeight, maxIter: cfg.maxIter, tol: cfg.tol });
    heads[m] = { ...toF32Params(fit), C };
    if (cfg.rationaleUnit !== 'none') {
      const r = fitRationaleHead(vectorizer, rows, m, { unit: cfg.rationaleUnit, C: cfg.rationaleC, minShare: cfg.rationaleMinShare, maxLen: cfg.maxLen, maxIter: cfg.maxIter, tol: cfg.tol });
      if (r.head) rationaleHeads[m] = r.head;
      emit({ type: 'log', v: 1, level: r.head ? 'info' : 'warn', message: r.head ? `linear ${m}: rationale model on ${r.sentences} ${cfg.rationaleUnit}s of level > 0 responses (${r.positives} rationale)` : `linear ${m}: no rationale model (${r.reason})` });
    }
    step++;
    lossSum += fit.loss;
    emit({ type: 'step', v: 1, step, epoch: 1, loss: fit.loss, lossLevel: fit.loss, lossRationale: 0, lr: 0, gradNorm: 0, examplesPerSec: rows.length / Math.max((Date.now() - ts) / 1000, 1e-3) });
    if (!fit.converged) emit({ type: 'log', v: 1, level: 'warn', message: `linear ${m}: L-BFGS stopped after ${fit.iterations} iterations before converging` });
    await yieldToLoop();
  }
  const model = new LinearModel(cfg, vectorizer, heads, rationaleHeads);
  const dev = data.dev?.length ? await model.evaluate(data.dev) : undefined;
  const test = data.test?.length ? await model.evaluate(data.test) : undefined;
  emit({ type: 'epoch', v: 1, epoch: 1, step, trainLoss: lossSum / Math.max(step, 1), dev }); // mean penalised objective over mechanisms
  emit({ type: 'end', v: 1, step, dev, test });
  return { model, steps: step, dev, test };
}

export async function loadLinear(path: string): Promise<LinearModel> {
  return linearFromCheckpoint(await loadCheckpoint(path), path);
}

/** Rebuild a linear model from checkpoint contents (`path` names the file, `field` its config, in errors). */
export function linearFromCheckpoint(ck: Checkpoint, path: string, field = 'config'): LinearModel {
  if (ck.family !== 'linear') throw new Error(`${path}: a '${ck.family}' checkpoint, not 'linear'`);
  const cfgRaw = configLike(path, ck.config, { ...defaultLinearConfig, C: undefined }, field) as unknown as LinearConfig & { C: Partial<Record<Mechanism, number>>; mechanisms: Mechanism[] };
  configMechanisms(path, cfgRaw.mechanisms, `${field}.mechanisms`);
  configObject(path, cfgRaw.C, `${field}.C`);
  const tok = ck.tokenizer as { kind: string; wordCount: number; features: string[] } | undefined;
  if (!tok || tok.kind !== 'tfidf' || !Array.isArray(tok.features)) throw new Error(`${path}: linear checkpoint without its TF-IDF vocabulary`);
  const get = (name: string, shape: number[]): Float32Array => {
    const t = ck.tensors.get(name);
    if (!t) throw new Error(`${path}: missing tensor ${name}`);
    if (t.dtype !== 'F32' || t.shape.join(',') !== shape.join(',')) throw new Error(`${path}: tensor ${name} is ${t.dtype}[${t.shape}], expected F32[${shape}]`);
    return t.data as Float32Array;
  };
  const d = tok.features.length;
  const cfg = parseCheckpointConfig(path, field, () => resolveLinearConfig(cfgRaw));
  const vectorizer = new TfidfVectorizer(cfg.tfidf, tok.features, get('tfidf.idf', [d]), tok.wordCount);
  const heads: Partial<Record<Mechanism, LogRegParams & { C: number }>> = {};
  const rationaleHeads: Partial<Record<Mechanism, LogRegParams>> = {};
  for (const m of cfgRaw.mechanisms) {
    const w = get(`${m}.weight`, [3, d]);
    const W = new Float64Array(d * 3);
    for (let j = 0; j < d; j++) for (let c = 0; c < 3; c++) W[j * 3 + c] = w[c * d + j];
    heads[m] = { k: 3, d, W, b: Float64Array.from(get(`${m}.bias`, [3])), C: cfgRaw.C[m] ?? NaN };
    // Checkpoints from before the rationale model, or trained without it, have no such tensors.
    if (ck.tensors.has(`${m}.rationale.weight`)) {
      const rw = get(`${m}.rationale.weight`, [2, d]);
      const RW = new Float64Array(d * 2);
      for (let j = 0; j < d; j++) for (let c = 0; c < 2; c++) RW[j * 2 + c] = rw[c * d + j];
      rationaleHeads[m] = { k: 2, d, W: RW, b: Float64Array.from(get(`${m}.rationale.bias`, [2])) };
    }
  }
  return new LinearModel({ ...cfg, rationaleUnit: (cfgRaw as Partial<LinearConfig>).rationaleUnit ?? 'none' }, vectorizer, heads, rationaleHeads);
}

export const linearFamily: ModelFamily<Partial<LinearConfig>> = {
  name: 'linear',
  train: trainLinear,
  load: loadLinear,
};

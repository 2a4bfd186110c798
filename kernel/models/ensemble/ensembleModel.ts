// The `ensemble` model family — the `offline-default` preset: a linear baseline and a BiGRU tagger
// trained on the same data; level = argmax of w·linear + (1−w)·tagger probabilities (w per mechanism,
// fixed or picked by grouped inner CV); token rationale probabilities ρ·linear (sentence model) +
// (1−ρ)·tagger, gated per mechanism (default soft: × P(level > 0); or shown only where the level is
// predicted > 0), at per-mechanism token thresholds (combine.ts, config.ts).
import {
  configObject, splitByPrefix, loadCheckpoint, parseCheckpointConfig, saveCheckpoint, type Checkpoint, foldSplit,
  groupedStratifiedFolds, type EmpathyModel, type ModelFamily, type PredictOptions, type SalienceOptions,
  type TrainData, type TrainResult, type TensorEntry, type EvalReport, type LabeledPair, type Mechanism, type Pair,
  type PairPrediction, type RunOptions,
} from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { levelMetrics } from '../../metrics/levels';
import { evaluatePredictions } from '../evaluate';
import { linearFromCheckpoint, trainLinear, type LinearModel } from '../linear/linearModel';
import { taggerFromCheckpoint, trainTagger, type TaggerModel } from '../tagger/taggerModel';
import { combinePredictions, type EnsembleWeights } from './combine';
import { resolveEnsembleConfig, type EnsembleConfig, type EnsembleOverrides } from './config';

export class EnsembleModel implements EmpathyModel {
  readonly family = 'ensemble' as const;
  readonly mechanisms: readonly Mechanism[];
  readonly maxLen: number;

  constructor(
    readonly cfg: EnsembleConfig,
    readonly linear: LinearModel,
    readonly tagger: TaggerModel,
  ) {
    this.mechanisms = linear.mechanisms.filter((m) => tagger.mechanisms.includes(m));
    this.maxLen = tagger.maxLen;
  }

  get weights(): EnsembleWeights {
    return this.cfg.weights;
  }

  async predict(pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
    const lin = await this.linear.predictRaw(pairs, { ...opts, onProgress: undefined });
    const tag = await this.tagger.predictRaw(pairs, opts);
    return combinePredictions(lin, tag, this.cfg.weights, { threshold: opts.threshold ?? this.cfg.rationaleThreshold, minPositiveProb: this.cfg.rationaleGate.minPositiveProb, soft: this.cfg.rationaleGate.soft, rationaleMix: this.rationaleMix() });
  }

  /** The configured share of the linear model's token probabilities, 0 where it has no rationale model. */
  rationaleMix(): Partial<Record<Mechanism, number>> {
    return Object.fromEntries(this.mechanisms.map((m) => [m, this.linear.rationaleHeads[m] ? this.cfg.rationaleMix[m] : 0]));
  }

  /**
   * Delegates to the tagger: gradient × input of the TAGGER's level logit on its word + char n-gram
   * embeddings (the linear half has no embeddings to differentiate, and the tagger supplies the tokens
   * and rationales shown), for the level the ensemble predicts unless `opts.level` is given.
   */
  async salience(pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): Promise<number[]> {
    if (!this.mechanisms.includes(mechanism)) throw new Error(`salience: the ensemble has no ${mechanism} (has ${this.mechanisms.join(', ')})`);
    const level = opts.level ?? (await this.predict([pair]))[0].mechanisms[mechanism]!.level;
    return this.tagger.salience(pair, mechanism, { ...opts, level });
  }

  async evaluate(data: readonly LabeledPair[], opts: PredictOptions = {}): Promise<EvalReport> {
    return evaluatePredictions(data, await this.predict(data, opts), { threshold: opts.threshold ?? this.cfg.rationaleThreshold, maxLen: this.maxLen });
  }

  async save(path: string, extra: { trainArgs?: unknown; metrics?: unknown } = {}): Promise<void> {
    const lin = this.linear.toCheckpoint();
    const tag = this.tagger.toCheckpoint();
    const tensors = new Map<string, TensorEntry>();
    for (const [k, v] of lin.tensors) tensors.set(`linear.${k}`, v);
    for (const [k, v] of tag.tensors) tensors.set(`tagger.${k}`, v);
    await saveCheckpoint(path, {
      family: 'ensemble',
      config: { weights: this.cfg.weights, weightFolds: this.cfg.weightFolds, weightGrid: this.cfg.weightGrid, rationaleGate: this.cfg.rationaleGate, rationaleThreshold: this.cfg.rationaleThreshold, rationaleMix: this.cfg.rationaleMix, seed: this.cfg.seed, linear: lin.config, tagger: tag.config },
      tokenizer: { linear: lin.tokenizer, tagger: tag.tokenizer },
      trainArgs: extra.trainArgs,
      metrics: extra.metrics,
      tensors,
    });
  }

  describe(): Record<string, unknown> {
    return { family: 'ensemble', preset: 'offline-default', mechanisms: [...this.mechanisms], weights: this.cfg.weights, rationaleGate: this.cfg.rationaleGate, rationaleThreshold: this.cfg.rationaleThreshold, rationaleMix: this.rationaleMix(), linear: this.linear.describe(), tagger: this.tagger.describe() };
  }

  dispose(): void {
    this.linear.dispose();
    this.tagger.dispose();
  }
}

/** For each mechanism, the grid weight with the best macro-F1 of the averaged out-of-fold probabilities. */
export function pickWeights(
  oof: Array<{ gold: Partial<Record<Mechanism, number>>; linear: Partial<Record<Mechanism, number[]>>; tagger: Partial<Record<Mechanism, number[]>> }>,
  mechanisms: readonly Mechanism[],
  grid: readonly number[],
  fallback: EnsembleWeights,
): { weights: EnsembleWeights; scores: Partial<Record<Mechanism, number[]>> } {
  const weights = { ...fallback };
  const scores: Partial<Record<Mechanism, number[]>> = {};
  for (const m of mechanisms) {
    const rows = oof.filter((r) => r.gold[m] !== undefined && r.linear[m] && r.tagger[m]);
    if (rows.length === 0) continue;
    scores[m] = grid.map((w) => {
      const pred = rows.map((r) => {
        const p = [0, 1, 2].map((c) => w * r.linear[m]![c] + (1 - w) * r.tagger[m]![c]);
        return p.indexOf(Math.max(...p));
      });
      return levelMetrics(rows.map((r) => r.gold[m]!), pred).macroF1;
    });
    let best = 0;
    scores[m]!.forEach((s, i) => {
      // Ties go to the weight nearest the default (the more conservative choice).
      if (s > scores[m]![best] + 1e-9 || (Math.abs(s - scores[m]![best]) <= 1e-9 && Math.abs(grid[i] - fallback[m]) < Math.abs(grid[best] - fallback[m]))) best = i;
    });
    weights[m] = grid[best];
  }
  return { weights, scores };
}

export async function trainEnsemble(over: EnsembleOverrides & { mechanisms?: Mechanism[] }, data: TrainData, opts: RunOptions = {}): Promise<TrainResult> {
  const cfg = resolveEnsembleConfig(over);
  const emit = opts.onEvent ?? (() => {});
  const tagCfg = { ...cfg.tagger, ...(over.mechanisms ? { mechanisms: over.mechanisms } : {}) };
  if (cfg.weightFolds > 1) {
    // Out-of-fold probabilities of both members → a weight per mechanism.
    const folds = groupedStratifiedFolds(data.train, { k: cfg.weightFolds, seed: cfg.seed });
    const oof: Parameters<typeof pickWeights>[0] = [];
    for (let f = 0; f < cfg.weightFolds; f++) {
      opts.signal?.throwIfAborted();
      const { train, test } = foldSplit(data.train, folds, f);
      emit({ type: 'log', v: 1, level: 'info', message: `ensemble: weight fold ${f + 1}/${cfg.weightFolds} (${train.length} train, ${test.length} held out)` });
      const lin = (await trainLinear(cfg.linear, { train }, { signal: opts.signal })).model;
      const tr = await trainTagger(tagCfg, { train }, { signal: opts.signal });
      try {
        if (tr.stopped) throw opts.signal?.reason ?? new Error('aborted');
        const lp = await lin.predict(test);
        const tp = await (tr.model as TaggerModel).predictRaw(test);
        test.forEach((p, i) => {
          const gold: Partial<Record<Mechanism, number>> = {};
          for (const m of MECHANISMS) if (p.labels[m]) gold[m] = p.labels[m]!.level;
          const pick = (pp: PairPrediction) => Object.fromEntries(Object.entries(pp.mechanisms).map(([m, v]) => [m, v!.probs]));
          oof.push({ gold, linear: pick(lp[i]), tagger: pick(tp[i]) });
        });
      } finally {
        lin.dispose();
        tr.model.dispose();
      }
    }
    const mechs = MECHANISMS.filter((m) => oof.some((r) => r.gold[m] !== undefined));
    const { weights, scores } = pickWeights(oof, mechs, cfg.weightGrid, cfg.weights);
    cfg.weights = weights;
    emit({ type: 'log', v: 1, level: 'info', message: `ensemble: linear weight by out-of-fold macro-F1 ${mechs.map((m) => `${m} ${weights[m]} (${cfg.weightGrid.map((w, i) => `${w}: ${scores[m]![i].toFixed(3)}`).join(', ')})`).join('; ')}` });
  }
  const lin = await trainLinear(cfg.linear, { train: data.train }, { signal: opts.signal, onEvent: (e) => e.type === 'log' && emit(e) });
  // The tagger's events are the ensemble's training events (the linear part takes seconds).
  const tr = await trainTagger(tagCfg, { train: data.train }, { signal: opts.signal, onEvent: (e) => e.type !== 'end' && emit(e) });
  const model = new EnsembleModel(cfg, lin.model as LinearModel, tr.model as TaggerModel);
  const dev = !tr.stopped && data.dev?.length ? await model.evaluate(data.dev, { onProgress: (done, total) => emit({ type: 'eval', v: 1, split: 'dev', done, total: total ?? done }) }) : undefined;
  const test = !tr.stopped && data.test?.length ? await model.evaluate(data.test, { onProgress: (done, total) => emit({ type: 'eval', v: 1, split: 'test', done, total: total ?? done }) }) : undefined;
  emit({ type: 'end', v: 1, step: tr.steps, dev, test });
  return { model, steps: tr.steps, stopped: tr.stopped, dev, test };
}

export async function loadEnsemble(path: string): Promise<EnsembleModel> {
  const ck = await loadCheckpoint(path);
  if (ck.family !== 'ensemble') throw new Error(`${path}: a '${ck.family}' checkpoint, not 'ensemble'`);
  const c = configObject(path, ck.config, 'config') as Partial<EnsembleConfig> & { linear: unknown; tagger: unknown };
  const tok = configObject(path, ck.tokenizer ?? {}, 'tokenizer') as { linear?: unknown; tagger?: unknown };
  const { matched: linT, rest } = splitByPrefix(ck.tensors, 'linear.');
  const { matched: tagT } = splitByPrefix(rest, 'tagger.');
  const part = (family: 'linear' | 'tagger', config: unknown, tokenizer: unknown, tensors: Map<string, TensorEntry>): Checkpoint => ({ family, config, tokenizer, tensors });
  // Checkpoints saved before the rationale gate existed get today's defaults (argmax gate, CV thresholds).
  // Checked before either member is built (the tagger allocates its network).
  const cfg = parseCheckpointConfig(path, 'config', () => resolveEnsembleConfig({ weights: c.weights, weightFolds: c.weightFolds, weightGrid: c.weightGrid, rationaleGate: c.rationaleGate, rationaleThreshold: c.rationaleThreshold, rationaleMix: c.rationaleMix, seed: c.seed }));
  const linear = linearFromCheckpoint(part('linear', c.linear, tok.linear, linT), path, 'config.linear');
  const tagger = await taggerFromCheckpoint(part('tagger', c.tagger, tok.tagger, tagT), path, 'config.tagger');
  return new EnsembleModel({ ...cfg, linear: linear.cfg, tagger: tagger.cfg }, linear, tagger);
}

export const ensembleFamily: ModelFamily<EnsembleOverrides> = {
  name: 'ensemble',
  train: trainEnsemble,
  load: loadEnsemble,
};

// The workbench API cells use (`import { … } from 'empathy'` or the preloaded `empathy` global):
// data loading (dataset/), train / evaluate / predict / loadModel (kernel/engine), runs, and display.
// The same library functions the CLI calls; inside a notebook, training defaults to the running
// cell's AbortSignal (interrupt stops it between batches) and shows a live loss curve.
import * as engine from '../engine/index';
import type { EmpathyModel, PredictOptions, TrainData, TrainResult } from '../engine/model';
import type { EvalReport, LabeledPair, Mechanism, Pair, PairPrediction, RunOptions, TrainEvent } from '../engine/types';
import { loadEpitomeCsv, toLabeledPairs, mechanismFromFileName, type RawRow } from '../../dataset/epitome';
import { currentSignal } from './context';
import { display, lossCurveBundle } from './display/index';

export { display } from './display/index';
export type { DisplayHandle, LossCurveHandle } from './display/index';
export { publishDisplay, newDisplayId } from './context';
export { defaultTrainConfig, loadModel, families, initBackend, currentBackend, PRESETS, resolvePreset, trainTokenizer, loadHfTokenizer } from '../engine/index';
export type { TrainConfig, Tokenizer, BiEncoderConfig } from '../engine/index';
export type { EmpathyModel, TrainData, TrainResult, PredictOptions } from '../engine/model';
export type { EvalReport, LabeledPair, Mechanism, Pair, PairPrediction, TrainEvent, BackendInfo, MechanismEval } from '../engine/types';
export { loadEpitomeCsv, toLabeledPairs, mechanismFromFileName } from '../../dataset/epitome';
export { locateRationales } from '../../dataset/align';
export { levelMetrics } from '../metrics/levels';
export { RunStore, defaultRunsDir } from '../runs/store';
export { runsPayload, comparisonTable } from '../runs/payloads';

/**
 * Load raw EPITOME CSVs (one file per mechanism, the mechanism read from the file name)
 * as labelled pairs; several files are merged by (sp_id, rp_id) for the joint model.
 */
export async function loadPairs(files: string | readonly string[], opts: { mechanism?: Mechanism; quiet?: boolean } = {}): Promise<LabeledPair[]> {
  const list = typeof files === 'string' ? [files] : [...files];
  const byMechanism: Partial<Record<Mechanism, RawRow[]>> = {};
  for (const f of list) {
    const loaded = await loadEpitomeCsv(f);
    const m = (list.length === 1 ? opts.mechanism : undefined) ?? loaded.mechanism ?? mechanismFromFileName(f);
    if (!m) throw new Error(`${f}: cannot tell the mechanism from the file name (ER/IP/EX); pass { mechanism }`);
    if (byMechanism[m]) throw new Error(`${f}: a second ${m} file; load dev/test files with separate loadPairs calls`);
    byMechanism[m] = loaded.rows;
    if (!opts.quiet && loaded.warnings.length > 0) {
      console.warn(`${f}: ${loaded.warnings.length} warning(s)${loaded.warnings.length ? `, first: ${loaded.warnings[0]}` : ''}`);
    }
  }
  return toLabeledPairs(byMechanism);
}

/**
 * A seeded split grouped by seeker post (no seeker post in two parts), like the original's
 * 75/5/20-style splits. Fractions of dev and test; the rest is train.
 */
export function splitPairs(pairs: readonly LabeledPair[], opts: { dev?: number; test?: number; seed?: number } = {}): Required<TrainData> {
  const dev = opts.dev ?? 0.1;
  const test = opts.test ?? 0.2;
  let s = (opts.seed ?? 12) >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const groups = [...new Set(pairs.map((p) => p.spId ?? p.id))];
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const nTest = Math.round(groups.length * test);
  const nDev = Math.round(groups.length * dev);
  const part = new Map<string, 'train' | 'dev' | 'test'>();
  groups.forEach((g, i) => part.set(g, i < nTest ? 'test' : i < nTest + nDev ? 'dev' : 'train'));
  const out: Required<TrainData> = { train: [], dev: [], test: [] };
  for (const p of pairs) (out[part.get(p.spId ?? p.id)!] as LabeledPair[]).push(p);
  return out;
}

/** What the notebook `train` returns: the engine's result plus every training event. */
export interface NotebookTrainResult extends TrainResult {
  events: TrainEvent[];
}

export interface NotebookRunOptions extends RunOptions {
  /** Show a live loss curve while training (default true). */
  lossCurve?: boolean;
  /** Label of the run in the loss curve. */
  label?: string;
  /** Minimum milliseconds between live redraws (default 250). */
  redrawMs?: number;
}

/**
 * Train a bi-encoder (engine `train`). Inside a cell: stops between batches on interrupt (the
 * returned model keeps the weights of the last completed step) and updates a live loss curve.
 */
export async function train(cfg: Partial<engine.TrainConfig>, data: TrainData | readonly LabeledPair[], opts: NotebookRunOptions = {}): Promise<NotebookTrainResult> {
  const trainData: TrainData = Array.isArray(data) ? { train: data as LabeledPair[] } : (data as TrainData);
  const events: TrainEvent[] = [];
  const label = opts.label ?? `${cfg.preset ?? engine.defaultTrainConfig.preset} ${new Date().toISOString().slice(11, 19)}`;
  const showCurve = opts.lossCurve ?? true;
  const handle = showCurve ? display.lossCurve({ events, id: label, label }, { live: true }) : undefined;
  let lastDraw = 0;
  const redraw = (live: boolean) => {
    lastDraw = Date.now();
    handle?.updateBundle(lossCurveBundle({ events, id: label, label }, live));
  };
  const result = await engine.train(cfg, trainData, {
    signal: opts.signal ?? currentSignal(),
    onEvent: (e) => {
      events.push(e);
      opts.onEvent?.(e);
      if (e.type === 'epoch' || e.type === 'end' || e.type === 'stopped') redraw(true);
      else if (e.type === 'step' && Date.now() - lastDraw >= (opts.redrawMs ?? 250)) redraw(true);
      else if (e.type === 'log') console.log(e.message);
    },
  });
  redraw(false);
  if (result.stopped === 'aborted') console.log(`Training stopped at step ${result.steps}: the model keeps the weights of that step.`);
  return Object.assign(result, { events });
}

/** Evaluate a model on labelled pairs (its EvalReport: levels, rationales, paper-faithful numbers). */
export function evaluate(model: EmpathyModel, data: readonly LabeledPair[], opts: PredictOptions = {}): Promise<EvalReport> {
  return model.evaluate(data, { signal: currentSignal(), ...opts });
}

/** Score pairs (levels, probabilities, rationale tokens and spans per mechanism). */
export function predict(model: EmpathyModel, pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
  return model.predict(pairs, { signal: currentSignal(), ...opts });
}

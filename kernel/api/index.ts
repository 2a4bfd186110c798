// The workbench API cells use (`import { … } from 'empathy'` or the preloaded `empathy` global):
// data loading (dataset/), train / evaluate / predict / loadModel (kernel/models), runs, and display.
// The same library functions the CLI calls; inside a notebook, training defaults to the running
// cell's AbortSignal (interrupt stops it between batches) and shows a live loss curve.
import * as models from '../models/index';
import type {
  EmpathyModel, PredictOptions, TrainData, EvalReport, LabeledPair, Mechanism, Pair, PairPrediction, RunOptions,
  TrainEvent,
} from '../engine';
import { defaultSplitOptions, splitLabeledPairs, type SplitOptions } from '../../dataset/split';
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { defaultRunsDir } from '../runs/store';
import { trainAndRecord, type TrainOutcome } from '../training/trainAndRecord';
import { currentSignal } from './context';
import { LiveTraining } from './liveTraining';

export { display } from './display/index';
export type { DisplayHandle, LossCurveHandle } from './display/index';
export { publishDisplay, newDisplayId } from './context';
export { initBackend, currentBackend, trainTokenizer, loadHfTokenizer } from '../engine/index';
export { defaultTrainConfig, loadModel, families, PRESETS, resolvePreset } from '../models/index';
export type { Tokenizer } from '../engine/index';
export type { TrainConfig, BiEncoderConfig } from '../models/index';
export type { EmpathyModel, TrainData, TrainResult, PredictOptions } from '../engine';
export type { EvalReport, LabeledPair, Mechanism, Pair, PairPrediction, TrainEvent, BackendInfo, MechanismEval } from '../engine';
export { loadEpitomeCsv, toLabeledPairs, mechanismFromFileName } from '../../dataset/epitome';
export { loadLabeledCsv } from '../../dataset/labeled';
export { labelOf } from '../../dataset/label';
export { loadReview, reviewStatsOf } from './review';
export type { ReviewRecord } from './review';
export type { ReviewStats } from '../review/reviewStats';
export { levelMetrics } from '../metrics/levels';
export { modelHealth, predictionHealth, reportNotes, MIN_SPLIT_PAIRS } from '../metrics/health';
export type { ModelHealth } from '../metrics/health';
export { shippedModelPath, loadShippedModel, hasShippedModel, SHIPPED_MODEL_SUMMARY } from '../models';
export { RunStore, defaultRunsDir } from '../runs/store';
export { runsPayload, comparisonTable } from '../payloads/runs';
export { tutorialData, loadTutorialPairs, trainRun, compareRuns, samplesDir, workbenchRoot } from './tutorialData';
export type { TutorialFiles, TutorialPairs, TrainRunSpec, TrainRunResult } from './tutorialData';
export * from './tutorialData';

/**
 * Load labelled EPITOME CSVs (raw or processed, as the CLI's --train_path) as pairs. The mechanism
 * comes from the file name (or `mechanism`); several files (one per mechanism: ER, IP, EX), or `joint`
 * with one file and its siblings found by name, are merged by (sp_id, rp_id) for one joint model.
 * Warnings are printed.
 */
export async function loadPairs(files: string | readonly string[], opts: { mechanism?: Mechanism; joint?: boolean; quiet?: boolean } = {}): Promise<LabeledPair[]> {
  const list = typeof files === 'string' ? [files] : [...files];
  const joint = opts.joint ?? list.length > 1;
  const loaded = await loadLabeledFiles('data', list, { mechanism: opts.mechanism, joint, cwd: process.cwd(), voice: 'api' });
  if (!opts.quiet && loaded.warnings.length > 0) {
    console.warn(`${loaded.warnings.length} data warning(s); first: ${loaded.warnings[0]}`);
  }
  return loaded.pairs;
}

/**
 * The CLI's split (dataset/split.ts): grouped by seeker post (no sp_id in two parts), stratified by
 * the group's highest level, seeded. `ratios` = train/dev/test shares (default 0.8/0.1/0.1).
 */
export function splitPairs(pairs: readonly LabeledPair[], opts: Partial<SplitOptions> = {}): Required<TrainData> {
  return splitLabeledPairs(pairs, { ...defaultSplitOptions, ...opts });
}

/** What the notebook `train` returns: the training's outcome plus every training event. */
export interface NotebookTrainResult extends TrainOutcome {
  events: TrainEvent[];
  /** The run's id in the runs folder, when recorded (`record`). */
  runId?: string;
}

export interface NotebookRunOptions extends RunOptions {
  /** The model: a family or preset name (default 'bi-encoder'; offline-default, linear, tagger, ensemble). */
  model?: string;
  /** Show a live loss curve while training (default true). */
  lossCurve?: boolean;
  /** Label of the run in the loss curve. */
  label?: string;
  /** Minimum milliseconds between live redraws (default 250). */
  redrawMs?: number;
  /**
   * Record the run in the runs folder like `empathy train` does (true: the workspace's runs folder,
   * see kernel/runs/location.ts; a string: that folder; or where, who and which files). Default false.
   */
  record?: boolean | string | RecordOptions;
}

/** How `train` records its run. */
export interface RecordOptions {
  /** Runs folder (default: the workspace's, as `record: true`). */
  runsDir?: string;
  /** Who started it (default 'notebook'; the extension's *Train Model…* says 'extension'). */
  source?: string;
  /** The data files the pairs came from, hashed into the record. */
  files?: Array<{ role: 'train' | 'dev' | 'test'; path: string; rows?: number }>;
  /** Save the trained model into the run folder (default false), so panels and reports can use it. */
  saveModel?: boolean;
}

/**
 * Train a model (default the bi-encoder; `opts.model` names another family or preset) through the one
 * training path (kernel/training/trainAndRecord.ts). Inside a cell: stops between batches on interrupt
 * (the returned model keeps the weights of the last completed step) and updates a live loss curve.
 * Fields a family does not use are printed as notes.
 */
export async function train(cfg: Partial<models.TrainConfig> | Record<string, unknown>, data: TrainData | readonly LabeledPair[], opts: NotebookRunOptions = {}): Promise<NotebookTrainResult> {
  const trainData: TrainData = Array.isArray(data) ? { train: data as LabeledPair[] } : (data as TrainData);
  const model = opts.model ?? 'bi-encoder';
  const label = opts.label ?? `${model === 'bi-encoder' ? (cfg as Partial<models.TrainConfig>).preset ?? models.defaultTrainConfig.preset : model} ${new Date().toISOString().slice(11, 19)}`;
  const live = new LiveTraining({ label, show: opts.lossCurve ?? true, redrawMs: opts.redrawMs, forward: opts.onEvent, log: (e) => console.log(e.message) });
  live.start();
  const ro: RecordOptions | undefined = typeof opts.record === 'string' ? { runsDir: opts.record }
    : opts.record === true ? {} : opts.record || undefined;
  const result = await trainAndRecord({
    model,
    config: { ...cfg },
    data: trainData,
    record: ro ? { runsDir: ro.runsDir ?? defaultRunsDir(process.cwd()), label, source: ro.source ?? 'notebook', files: ro.files ?? [], saveModel: ro.saveModel } : undefined,
  }, { signal: opts.signal ?? currentSignal(), onEvent: live.onEvent });
  live.finish();
  if (result.stopped === 'aborted') console.log(`Training stopped at step ${result.steps}: the model keeps the weights of that step.`);
  return Object.assign(result, { events: live.events, ...(result.run ? { runId: result.run.id } : {}) });
}

/** Evaluate a model on labelled pairs (its EvalReport: levels, rationales, paper-faithful numbers). */
export function evaluate(model: EmpathyModel, data: readonly LabeledPair[], opts: PredictOptions = {}): Promise<EvalReport> {
  return model.evaluate(data, { signal: currentSignal(), ...opts });
}

/** Score pairs (levels, probabilities, rationale tokens and spans per mechanism). */
export function predict(model: EmpathyModel, pairs: readonly Pair[], opts: PredictOptions = {}): Promise<PairPrediction[]> {
  return model.predict(pairs, { signal: currentSignal(), ...opts });
}

// The one training path the CLI (`empathy train`), notebooks (`empathy.train`, `trainRun`) and the
// extension's Train Model… (through its notebook) share: resolve the family's config → train (a typed,
// cancellable event stream) → record the run → save the model → report (health notes on the results).
// One rule for "stopped" (any early end: interrupt or early stopping) and one for saving (below).
import { basename, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { TrainData, TrainResult, RunOptions, TrainEvent } from '../engine';
import { requireFamily } from '../models';
import { MECHANISMS } from '../../dataset/schema';
import { reportNotes } from '../metrics/health';
import { RunStore, type NewRun, type RunRecorder } from '../runs/store';
import type { RunRecord } from '../runs/run';
import { planTraining, type PlanOptions, type TrainingPlan } from './familyConfig';

/** How the run is recorded in a runs folder (absent: not recorded). */
export interface RecordSpec {
  runsDir: string;
  label: string;
  /** Who started it: 'cli', 'notebook', 'extension'. */
  source: string;
  /** The data files the pairs came from (hashed into the record). */
  files?: NewRun['data'];
  /** Fields recorded beside the config (the CLI: the model name and --limit). */
  extraConfig?: Record<string, unknown>;
  /** Save the model into the run folder (model.safetensors) when no save_model_path is given. */
  saveModel?: boolean;
  /** Folder a relative save_model_path is recorded against (default: the process's). */
  cwd?: string;
  /** Told the run's id and folder once it exists, before training starts (the CLI prints them). */
  onCreate?: (id: string, dir: string) => void;
}

export interface TrainRequest {
  /** A preset (offline-default, …) or family name (bi-encoder, linear, tagger, ensemble). */
  model: string;
  /**
   * What the caller set, nothing filled in: train.py-named fields (lr, epochs, seed_val, …, translated
   * for each family), the family's own fields, and mechanisms / do_validation / do_test / save_model_path.
   */
  config: Record<string, unknown>;
  data: TrainData;
  record?: RecordSpec;
  /** How notes name a field (the CLI: `--epochs`). */
  nameOf?: PlanOptions['nameOf'];
}

export interface TrainOutcome extends TrainResult {
  plan: TrainingPlan;
  /** The run, when recorded (finished, stopped or failed). */
  run?: RunRecord;
  /** Where the model was saved (absolute when recorded), if it was. */
  checkpointPath?: string;
  /** Notes on the results (a model that has not learned, a split too small), per split. */
  health: { dev: string[]; test: string[] };
}

/**
 * Save to `savePath`; when that fails (disk full, a folder removed while training) the trained weights
 * are not lost: they go to the run folder, else the system's temp folder, and the error says where.
 */
async function saveOrFallback(model: TrainResult['model'], savePath: string, extra: { trainArgs: unknown }, runDir?: string): Promise<void> {
  try {
    await model.save(savePath, extra);
    return;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    const name = `unsaved-${Date.now()}-${basename(savePath).replace(/\.(pth|safetensors)$/i, '')}.safetensors`;
    for (const dir of [runDir, tmpdir()]) {
      if (dir === undefined) continue;
      const fallback = join(dir, name);
      try {
        await model.save(fallback, extra);
      } catch {
        continue;
      }
      throw new Error(`the model could not be saved (${why}); the trained weights were saved to ${fallback} instead`);
    }
    throw e;
  }
}

/** Resolve `model` + `config` into a plan (the CLI prints it before training). */
export function planFor(req: Pick<TrainRequest, 'model' | 'config' | 'data' | 'nameOf'>): TrainingPlan {
  const given = { ...req.config };
  if (given.mechanisms === undefined) given.mechanisms = MECHANISMS.filter((m) => req.data.train.some((p) => p.labels[m]));
  return planTraining(req.model, given, { nameOf: req.nameOf });
}

/**
 * Train, record, save, report. Every TrainEvent goes to the run record and to `opts.onEvent`; notes on
 * fields the family does not use go first, as `log` events. `opts.signal` stops training between
 * batches: the result is then `stopped: 'aborted'` and the model keeps its last completed step.
 *
 * Saving: the model is saved to `save_model_path` (else, with `record.saveModel`, into the run folder).
 * A family may checkpoint while it trains (the bi-encoder does, each epoch and on interrupt, with its
 * optimiser state for `resume`); whatever it has not saved at its last step is saved here, stopped or not.
 */
export async function trainAndRecord(req: TrainRequest, opts: RunOptions = {}, plan: TrainingPlan = planFor(req)): Promise<TrainOutcome> {
  const fam = requireFamily(plan.family).load();
  const r = req.record;
  const used: Record<string, unknown> = { ...plan.effective };
  for (const k of ['mechanisms', 'do_validation', 'do_test', 'save_model_path']) if (plan.config[k] !== undefined && used[k] === undefined) used[k] = plan.config[k];
  const rec: RunRecorder | undefined = r
    ? new RunStore(r.runsDir).create({
      label: r.label, source: r.source, family: plan.family,
      config: { ...used, ...(r.extraConfig ?? {}) },
      seed: Number(used.seed_val ?? used.seed ?? 12),
      data: r.files ?? [],
    })
    : undefined;
  if (rec) r?.onCreate?.(rec.id, rec.dir);
  let savePath = plan.config.save_model_path as string | undefined;
  if (savePath === undefined && rec && r?.saveModel) savePath = join(rec.dir, 'model.safetensors');
  const config = savePath !== undefined ? { ...plan.config, save_model_path: savePath } : plan.config;
  let saved: { step: number; path: string } | undefined;
  const emit = (e: TrainEvent) => {
    if (e.type === 'checkpoint') saved = { step: e.step, path: e.path };
    rec?.onEvent(e);
    opts.onEvent?.(e);
  };
  for (const message of plan.notes) emit({ type: 'log', v: 1, level: 'info', message });
  let result: TrainResult;
  try {
    result = await fam.train(config, req.data, { signal: opts.signal, onEvent: emit });
  } catch (e) {
    rec?.fail(e);
    throw e;
  }
  try {
    if (savePath !== undefined && !(saved && saved.path === savePath && saved.step === result.steps)) {
      await saveOrFallback(result.model, savePath, { trainArgs: { model: plan.model, ...used, save_model_path: savePath } }, rec?.dir);
    }
  } catch (e) {
    result.model.dispose();
    rec?.fail(e);
    throw e;
  }
  const stopped = result.stopped !== undefined;
  const run = rec?.finish({ dev: result.dev, test: result.test, steps: result.steps, stopped, checkpointPath: savePath !== undefined ? resolve(r?.cwd ?? process.cwd(), savePath) : undefined });
  const health = {
    dev: result.dev ? reportNotes(result.dev, 'the dev split') : [],
    test: result.test ? reportNotes(result.test, 'the test split') : [],
  };
  return Object.assign(result, { plan, run, checkpointPath: run?.checkpointPath ?? savePath, health });
}

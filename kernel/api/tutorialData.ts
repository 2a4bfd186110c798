// Where the tutorials get their data: the shipped samples by default, the public EPITOME CSVs when the
// user points EMPATHY_DATA_DIR (or the `dir` argument) at them. EMPATHY_MAX_ROWS caps the pairs per
// part so a tutorial stays quick on the full data (CI uses it). Also how a tutorial's training is
// recorded as a run (`trainRun`) and runs are compared (`compareRuns`).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabeledPair, Mechanism, TrainEvent, TrainData } from '../engine';
import { MECHANISMS } from '../../dataset/schema';
import { type TrainConfig, modelNames, resolveModelPreset } from '../models';
import { splitLabeledPairs } from '../../dataset/split';
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { MIME } from '../protocol/mime';
import { defaultRunsDir } from '../runs/store';
import { planFor, trainAndRecord, type TrainOutcome } from '../training/trainAndRecord';
import { comparisonTable, comparisonText, runsPayload } from '../payloads/runs';
import type { RunRecord } from '../runs/run';
import { currentSignal } from './context';
import { display, metricsBundle } from './display/index';
import { LiveTraining } from './liveTraining';
import { reportNotes } from '../metrics/health';

const FILE_STEMS: Record<Mechanism, string> = {
  ER: 'emotional-reactions',
  IP: 'interpretations',
  EX: 'explorations',
};

export interface TutorialFiles {
  /** 'samples' (shipped with the workbench) or 'public' (the EPITOME Reddit CSVs). */
  source: 'samples' | 'public';
  dir: string;
  /** Training files per mechanism. */
  train: Record<Mechanism, string>;
  /** Development files per mechanism when the folder has a split (`*.dev.csv`). */
  dev?: Record<Mechanism, string>;
  /** A pairs-only CSV (id, seeker_post, response_post) for `empathy test`-style scoring. */
  unlabeled?: string;
  /** Cap on pairs per part (EMPATHY_MAX_ROWS), undefined = all. */
  maxRows?: number;
  /** One line saying what is used, for the notebook to print. */
  describe: string;
}

/** The workbench's own folder (the one holding package.json and dataset/samples). */
export function workbenchRoot(): string {
  for (const up of ['../..', '../../..']) {
    const root = resolve(__dirname, up);
    if (existsSync(join(root, 'dataset', 'samples'))) return root;
  }
  throw new Error(`cannot find dataset/samples above ${__dirname}`);
}

export function samplesDir(): string {
  return join(workbenchRoot(), 'dataset', 'samples');
}

function pick(dir: string, m: Mechanism, part: 'train' | 'dev' | 'all'): string | undefined {
  const names = readdirSync(dir);
  const stem = FILE_STEMS[m];
  const want = part === 'all'
    ? [`${stem}-reddit.csv`, `${stem}-sample.csv`, `${stem}.csv`]
    : [`${stem}-reddit.${part}.csv`, `${stem}.${part}.csv`];
  const hit = want.find(n => names.includes(n));
  return hit ? join(dir, hit) : undefined;
}

/**
 * The files a tutorial should use. `dir` (or EMPATHY_DATA_DIR) may hold the public CSVs — split as
 * `*-reddit.train.csv` / `*-reddit.dev.csv`, or whole as `*-reddit.csv` — else the shipped samples.
 */
export function tutorialData(dir: string | undefined = process.env.EMPATHY_DATA_DIR): TutorialFiles {
  const maxEnv = Number(process.env.EMPATHY_MAX_ROWS);
  const maxRows = Number.isFinite(maxEnv) && maxEnv > 0 ? Math.floor(maxEnv) : undefined;
  const cap = maxRows ? `, first ${maxRows} pairs per part (EMPATHY_MAX_ROWS)` : '';
  if (dir) {
    const d = resolve(dir);
    if (!existsSync(d)) throw new Error(`EMPATHY_DATA_DIR ${d} does not exist (unset it to use the shipped samples)`);
    const mechs: Mechanism[] = [...MECHANISMS];
    const train = Object.fromEntries(mechs.map(m => [m, pick(d, m, 'train') ?? pick(d, m, 'all')])) as Record<Mechanism, string | undefined>;
    const missing = mechs.filter(m => !train[m]);
    if (missing.length) throw new Error(`${d}: no ${missing.map(m => `${FILE_STEMS[m]}-reddit(.train).csv`).join(', ')} (the public EPITOME CSVs; npm run dataset:download fetches them)`);
    const devs = mechs.map(m => pick(d, m, 'dev'));
    const dev = devs.every(Boolean) ? (Object.fromEntries(mechs.map((m, i) => [m, devs[i]])) as Record<Mechanism, string>) : undefined;
    return {
      source: 'public', dir: d, train: train as Record<Mechanism, string>, dev, maxRows,
      describe: `public EPITOME Reddit CSVs in ${d}${dev ? ' (train/dev split)' : ''}${cap}`,
    };
  }
  const s = samplesDir();
  return {
    source: 'samples', dir: s, maxRows,
    train: { ER: join(s, 'emotional-reactions-sample.csv'), IP: join(s, 'interpretations-sample.csv'), EX: join(s, 'explorations-sample.csv') },
    unlabeled: join(s, 'sample_test_input.csv'),
    describe: `the shipped samples in ${s} (24 invented pairs: their metrics are noise; set empathy.dataDir, or EMPATHY_DATA_DIR, to the public CSVs for real numbers)${cap}`,
  };
}

// ───────────── the tutorials' data, ready to train on, and their trainings recorded as runs ─────────────

/** Labelled pairs of all three mechanisms (joint), split for a tutorial. */
export interface TutorialPairs {
  files: TutorialFiles;
  /** Training pairs (capped by EMPATHY_MAX_ROWS). */
  train: LabeledPair[];
  /** Development pairs: the folder's dev files, else a grouped, seeded 75/25 split of the training files. */
  dev: LabeledPair[];
  /** How `dev` was made, for the notebook to print. */
  devSource: string;
}

/** Share of seeker posts held out as dev when the folder has no dev files. */
const DEV_SHARE = 0.25;

/**
 * Load the tutorial data as joint pairs (ER, IP and EX labels on each pair) with a dev part. Data
 * warnings (rationales not found in the response, …) are printed once, as `loadPairs` does.
 *
 * `dir`: a folder with the public EPITOME CSVs (`*-reddit.train.csv` + `*-reddit.dev.csv`, or whole
 * `*-reddit.csv`). Default: `EMPATHY_DATA_DIR` — which the VS Code extension sets for its kernels from the
 * `empathy.dataDir` setting — else the shipped samples (24 invented pairs: enough to learn the steps,
 * but their metrics are noise). `EMPATHY_MAX_ROWS` caps the pairs per part. The dev part is the folder's
 * dev files, else 25% of the seeker posts held out (grouped by seeker post, seed 12).
 */
export async function loadTutorialPairs(dir?: string): Promise<TutorialPairs> {
  const files = tutorialData(dir);
  const mechs: Mechanism[] = [...MECHANISMS];
  const load = async (paths: string[]) => {
    const loaded = await loadLabeledFiles('data', paths, { joint: true, siblings: false, cwd: process.cwd() });
    if (loaded.warnings.length) console.warn(`${loaded.warnings.length} data warning(s); first: ${loaded.warnings[0]}`);
    return loaded.pairs;
  };
  const all = await load(mechs.map(m => files.train[m]));
  let train: LabeledPair[];
  let dev: LabeledPair[];
  let devSource: string;
  if (files.dev) {
    train = all;
    dev = await load(mechs.map(m => files.dev![m]));
    devSource = 'the dev files';
  } else {
    const parts = splitLabeledPairs(all, { ratios: [1 - DEV_SHARE, DEV_SHARE, 0], seed: 12 });
    train = parts.train;
    dev = parts.dev;
    devSource = `${Math.round(DEV_SHARE * 100)}% of the seeker posts, held out (grouped, seed 12)`;
  }
  const cap = files.maxRows;
  return { files, train: cap ? train.slice(0, cap) : train, dev: cap ? dev.slice(0, cap) : dev, devSource };
}

export interface TrainRunSpec {
  /** Shown in the loss curve, the runs list and reports. */
  label: string;
  /** A model name (kernel/models/presets.ts modelNames): 'bi-encoder' (default), 'linear', 'tagger', 'ensemble', or a preset ('offline-default', 'offline-default-soft'). */
  family?: string;
  /** The family's config (bi-encoder: TrainConfig fields over defaultTrainConfig; other families: their own). */
  config?: Partial<TrainConfig> | Record<string, unknown>;
  data: TrainData;
  /** The files the data came from (recorded with their hashes). Default: tutorialData(). */
  files?: TutorialFiles;
  /** Who started the run, as recorded (default 'notebook'; Train Model… records 'extension'). */
  source?: string;
  /** The files the data came from, as recorded (default: from `files`, per mechanism). */
  dataFiles?: Array<{ role: 'train' | 'dev' | 'test'; path: string; rows?: number }>;
  /** Runs folder (default: EMPATHY_RUNS_DIR, else ./runs of the kernel's folder). */
  runsDir?: string;
  /** Save the model into the run folder (default true: reports can then score examples). */
  save?: boolean;
  /** Show a live loss curve (default true). */
  lossCurve?: boolean;
}

export interface TrainRunResult extends TrainOutcome {
  run: RunRecord;
  events: TrainEvent[];
}

/**
 * Train any model family and record it as a run (config, data hashes, seed, backend, per-step and
 * per-epoch metrics, final dev metrics, checkpoint) while a live loss curve shows progress. Inside a
 * cell, interrupt stops training between batches; the run is then marked 'stopped'.
 */
export async function trainRun(spec: TrainRunSpec): Promise<TrainRunResult> {
  const model = spec.family ?? 'bi-encoder';
  const preset = resolveModelPreset(model);
  if (!preset) throw new Error(`trainRun: unknown model family '${model}' (known: ${modelNames().join(', ')})`);
  const files = spec.dataFiles ? undefined : spec.files ?? tutorialData();
  const req = { model, config: { ...(spec.config ?? {}) }, data: spec.data };
  const plan = planFor(req);
  const mechs = plan.config.mechanisms as Mechanism[];
  const live = new LiveTraining({
    label: spec.label, show: spec.lossCurve ?? true,
    log: (e) => { if (e.level === 'info' && plan.notes.includes(e.message)) console.log(`note: ${e.message}`); },
  });
  let result: TrainOutcome;
  try {
    result = await trainAndRecord({
      ...req,
      record: {
        runsDir: spec.runsDir ?? defaultRunsDir(), label: spec.label, source: spec.source ?? 'notebook', saveModel: spec.save ?? true,
        extraConfig: preset.family !== model ? { preset: model } : undefined,
        files: spec.dataFiles ?? (files ? [
          ...mechs.map(m => ({ role: 'train' as const, path: files.train[m], rows: spec.data.train.length })),
          ...(files.dev && spec.data.dev ? mechs.map(m => ({ role: 'dev' as const, path: files.dev![m], rows: spec.data.dev!.length })) : []),
        ] : []),
        onCreate: (runId) => live.start(runId),
      },
    }, { signal: currentSignal(), onEvent: live.onEvent }, plan);
  } catch (err) {
    live.finish();
    throw err;
  }
  live.finish();
  const run = result.run!;
  if (result.stopped === 'aborted') console.log(`Training stopped at step ${result.steps}: run ${run.id} is marked 'stopped'.`);
  return Object.assign(result, { run, events: live.events });
}

/** Show runs side by side: the run-comparison view and a metrics table (runs as columns). */
export function compareRuns(runs: readonly RunRecord[], metricFilter?: (name: string) => boolean): void {
  const shown = metricFilter ? runs.map(r => ({ ...r, metrics: Object.fromEntries(Object.entries(r.metrics).filter(([k]) => metricFilter(k))) })) : runs;
  display.bundle({ 'text/plain': comparisonText(runs, metricFilter), [MIME.runs]: runsPayload(shown) });
  // A run that has not learned, or a dev split too small to mean anything, is said above the numbers.
  const warnings = [...new Set(runs.flatMap(r => (r.dev ? reportNotes(r.dev, 'the dev split').map(n => `${r.label}: ${n}`) : [])))];
  const table = comparisonTable(runs, metricFilter);
  display.bundle(metricsBundle(warnings.length ? { ...table, warnings } : table));
}

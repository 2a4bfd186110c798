// `empathy train`: the original train.py, flag for flag (same names and defaults), on raw or processed
// CSVs, one mechanism or --joint; extras map onto TrainConfig. Prints the original's Args block and
// validation lines (with corpus-level numbers beside), a progress bar, and stops cleanly on Ctrl-C.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../../../dataset/csv';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import {
  type TrainConfig, BI_ENCODER_PRESETS, modelNames, resolveModelPreset, type ModelPreset, type FamilySpec,
  requireFamily, pyFloat,
} from '../../models';
import { type LabeledPair, type Mechanism, type TrainData, resolvePretrained, ConfigFieldError } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';
import { UsageError, type OptionSpec } from '../args';
import type { CliContext, Command } from '../command';
import { engine } from '../engine';
import { BACKEND_OPTION, THREADS_OPTION, threadsOption } from '../backendOption';
import { reportOriginalLines } from '../evalText';
import { ENCODING_OPTION, encodingOption } from '../fileOptions';
import { loadLabeledFiles, pathList, type LoadedLabeled } from '../../../dataset/labeledFiles';
import { TrainProgress } from '../trainProgress';
import { trainBannerLines } from '../trainBanner';
import { defaultRunsDir } from '../../runs/store';
import { planTraining } from '../../training/familyConfig';
import type { RecordSpec, TrainOutcome } from '../../training/trainAndRecord';

const OPTIONS: OptionSpec[] = [
  // ---- train.py, same names and defaults ----
  { name: 'lr', type: 'number', default: 2e-5, help: 'learning rate' },
  { name: 'lambda_EI', type: 'number', default: 0.5, help: 'weight of the level (empathy identification) loss' },
  { name: 'lambda_RE', type: 'number', default: 0.5, help: 'weight of the rationale loss' },
  { name: 'dropout', type: 'number', default: 0.1, help: 'dropout' },
  { name: 'max_len', type: 'number', default: 64, help: 'maximum sequence length per side' },
  { name: 'batch_size', type: 'number', default: 32, help: 'batch size' },
  { name: 'epochs', type: 'number', default: 4, help: 'number of epochs' },
  { name: 'seed_val', type: 'number', default: 12, help: 'seed value' },
  { name: 'train_path', type: 'list', metavar: 'PATH', help: 'training data (raw or processed CSV; comma-separated or repeated with --joint)' },
  { name: 'dev_path', type: 'list', metavar: 'PATH', help: 'validation data' },
  { name: 'test_path', type: 'list', metavar: 'PATH', help: 'test data' },
  { name: 'do_validation', type: 'boolean', help: 'evaluate on --dev_path after each epoch' },
  { name: 'do_test', type: 'boolean', help: 'evaluate on --test_path at the end' },
  { name: 'save_model', type: 'boolean', help: 'save the model to --save_model_path' },
  { name: 'save_model_path', type: 'string', metavar: 'PATH', help: 'checkpoint file (e.g. output/sample_ER.pth; folders created)' },
  // ---- extras ----
  { name: 'mechanism', type: 'string', choices: MECHANISMS, help: 'mechanism of a file whose name does not say' },
  { name: 'joint', type: 'boolean', help: 'one model on all three mechanism files (siblings found by name)' },
  { name: 'model', type: 'string', default: 'bi-encoder', metavar: 'NAME', get help() { return `model preset or family: ${modelNames().join(', ')}`; } },
  { name: 'preset', type: 'string', metavar: 'NAME', help: `bi-encoder size: ${BI_ENCODER_PRESETS.join(', ')} (default small); a model preset name (offline-default, …) here means --model NAME` },
  BACKEND_OPTION,
  THREADS_OPTION,
  { name: 'config', type: 'string', metavar: 'FILE.json', help: 'TrainConfig fields as JSON; flags given on the command line win' },
  { name: 'early_stopping', type: 'number', metavar: 'N', help: 'stop after N epochs without dev macro-F1 gain (needs --do_validation)' },
  { name: 'resume', type: 'string', metavar: 'CKPT', help: 'continue training from a checkpoint' },
  { name: 'log_jsonl', type: 'string', metavar: 'PATH', help: 'append every training event as a JSON line' },
  { name: 'paper_faithful', type: 'boolean', help: 'the original labels (no rationale → every token 1)' },
  { name: 'warmup_steps', type: 'number', metavar: 'N', help: 'linear warm-up steps' },
  { name: 'grad_accum', type: 'number', metavar: 'N', help: 'micro-batches per step' },
  { name: 'class_weights', type: 'string', choices: ['balanced'], help: 'class-balanced level loss' },
  { name: 'init_weights', type: 'string', metavar: 'DIR|ID', help: 'Hugging Face roberta weights for both encoders: a folder, or a model id in the HF cache (empathy download-weights roberta-base)' },
  { name: 'tokenizer', type: 'string', metavar: 'DIR|ID', help: 'folder with tokenizer.json, or a model id in the HF cache (default: init_weights\' tokenizer, else a BPE trained on the data)' },
  { name: 'vocab_size', type: 'number', metavar: 'N', help: 'size of the BPE trained on the data (default: the preset\'s)' },
  { name: 'limit', type: 'number', metavar: 'N', help: 'use only the first N training pairs (smoke tests)' },
  { name: 'runs_dir', type: 'string', metavar: 'DIR', help: 'record the run here (default ./runs or $EMPATHY_RUNS_DIR)' },
  { name: 'run_label', type: 'string', metavar: 'TEXT', help: 'a label for the run (default: model, preset and mechanisms)' },
  { name: 'no_run', type: 'boolean', help: 'do not record a run' },
  ENCODING_OPTION,
];

/** Flags that map 1:1 onto TrainConfig fields. */
const CONFIG_KEYS = ['lr', 'lambda_EI', 'lambda_RE', 'dropout', 'max_len', 'batch_size', 'epochs', 'seed_val', 'preset', 'backend', 'early_stopping', 'resume', 'paper_faithful', 'warmup_steps', 'grad_accum', 'class_weights', 'init_weights', 'tokenizer', 'vocab_size'] as const;

function readConfigFile(file: string): Partial<TrainConfig> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DataError(file, undefined, 'no such config file (--config)');
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object of TrainConfig fields');
    return v as Partial<TrainConfig>;
  } catch (e) {
    throw new DataError(file, undefined, `invalid JSON config: ${(e as Error).message}`);
  }
}

/**
 * The training plan; a config field the family cannot use is one line naming it, and the --config file
 * when one was given (the flags given explicitly go into the same config).
 */
function planWithSource(model: string, given: Record<string, unknown>, configFile: string | undefined): ReturnType<typeof planTraining> {
  try {
    return planTraining(model, given, { nameOf: (k) => `--${k}` });
  } catch (e) {
    if (!(e instanceof ConfigFieldError)) throw e;
    const what = `--model ${model}: config field ${e.message}`;
    throw configFile ? new DataError(configFile, undefined, `${what} (from --config ${configFile} and the flags given)`) : new UsageError(what);
  }
}

export { pyFloat };

type TrainOpts = Record<string, unknown> & { train_path: string[]; dev_path: string[]; test_path: string[]; do_validation: boolean; do_test: boolean; save_model: boolean; save_model_path?: string; mechanism?: Mechanism; joint: boolean; model: string; config?: string; log_jsonl?: string; limit?: number };

/** The files of one training: what each role (--train_path, --dev_path, --test_path) loaded. */
interface TrainInputs {
  tr: LoadedLabeled;
  dev?: LoadedLabeled;
  test?: LoadedLabeled;
}

/**
 * The model asked for and its family. One vocabulary: `--preset offline-default` (a model preset, not a
 * bi-encoder size) means `--model offline-default` (`o.model` and `given` are updated to say so).
 */
function resolveModel(o: TrainOpts, given: Set<string>): { modelPreset: ModelPreset; spec: FamilySpec } {
  if (typeof o.preset === 'string' && !BI_ENCODER_PRESETS.includes(o.preset) && resolveModelPreset(o.preset)) {
    if (given.has('model') && o.model !== o.preset) throw new UsageError(`--preset ${o.preset} is a model, not a bi-encoder size; pass --model ${o.preset} (--preset is ${BI_ENCODER_PRESETS.join(', ')} for --model bi-encoder)`);
    o.model = o.preset;
    o.preset = undefined;
    given.delete('preset');
  }
  const modelPreset = resolveModelPreset(o.model);
  if (!modelPreset) throw new UsageError(`unknown --model ${JSON.stringify(o.model)} (available: ${modelNames().join(', ')}; bi-encoder sizes go in --preset)`);
  const spec = requireFamily(modelPreset.family);
  if (!spec.sizes?.length && given.has('preset')) throw new UsageError(`--preset ${String(o.preset)} is a bi-encoder size; --model ${o.model} has none`);
  return { modelPreset, spec };
}

/**
 * The data, checkpoint and weight flags, checked before any work (train.py's pairings; a note where a
 * flag is given that train.py would ignore). Returns the training files and where the model is saved.
 */
function checkDataFlags(o: TrainOpts, family: string, err: CliContext['err']): { trainFiles: string[]; savePath: string | undefined } {
  const trainFiles = pathList(o.train_path);
  if (trainFiles.length === 0) throw new UsageError('No input training data specified: pass --train_path TRAIN.csv');
  if (o.do_validation && pathList(o.dev_path).length === 0) throw new UsageError('--do_validation needs --dev_path');
  if (o.do_test && pathList(o.test_path).length === 0) throw new UsageError('--do_test needs --test_path');
  if (!o.do_validation && pathList(o.dev_path).length > 0) err.write('note: --dev_path is used only with --do_validation (as in train.py)\n');
  if (!o.do_test && pathList(o.test_path).length > 0) err.write('note: --test_path is used only with --do_test (as in train.py)\n');
  if (o.save_model && !o.save_model_path) throw new UsageError('--save_model needs --save_model_path (e.g. output/sample_ER.pth)');
  const savePath = o.save_model || o.save_model_path ? o.save_model_path : undefined;
  if (o.save_model_path && !o.save_model) err.write(`note: --save_model_path given without --save_model: saving to ${o.save_model_path} anyway\n`);
  if (o.resume && !fs.existsSync(String(o.resume))) throw new DataError(String(o.resume), undefined, 'no such checkpoint (--resume)');
  // Pretrained weights and tokenizer: a path, or a model id in the Hugging Face cache; not found is one line now, before any work.
  if (family === 'bi-encoder') for (const flag of ['init_weights', 'tokenizer'] as const) if (typeof o[flag] === 'string') resolvePretrained(o[flag] as string, flag);
  return { trainFiles, savePath };
}

/**
 * What the user set: the config file ⊕ the flags given explicitly (train.py's defaults are the
 * bi-encoder's own; each family resolves its config from these, and notes the flags it does not use).
 */
function givenConfig(o: TrainOpts, flagsGiven: Set<string>, savePath: string | undefined): Record<string, unknown> {
  const fromFile = o.config ? readConfigFile(o.config) : {};
  const given: Record<string, unknown> = { ...fromFile };
  for (const k of CONFIG_KEYS) if (flagsGiven.has(k)) given[k] = o[k];
  given.do_validation = o.do_validation;
  given.do_test = o.do_test;
  if (savePath !== undefined) given.save_model_path = savePath;
  return given;
}

/** Load the training files, and the dev and test files where --do_validation / --do_test use them. */
async function loadInputs(o: TrainOpts, trainFiles: string[], cwd: string): Promise<TrainInputs> {
  const lo = { mechanism: o.mechanism, joint: o.joint, cwd, encoding: encodingOption(o.encoding) };
  const tr = await loadLabeledFiles('train_path', trainFiles, lo);
  const dev = o.do_validation ? await loadLabeledFiles('dev_path', pathList(o.dev_path), lo) : undefined;
  const test = o.do_test ? await loadLabeledFiles('test_path', pathList(o.test_path), lo) : undefined;
  return { tr, dev, test };
}

/** Every file the inputs came from, with its role. */
function inputFiles({ tr, dev, test }: TrainInputs): Array<{ role: 'train' | 'dev' | 'test'; file: LoadedLabeled['files'][number] }> {
  return [
    ...tr.files.map((file) => ({ role: 'train' as const, file })),
    ...(dev?.files ?? []).map((file) => ({ role: 'dev' as const, file })),
    ...(test?.files ?? []).map((file) => ({ role: 'test' as const, file })),
  ];
}

/** No output over a file this run reads (--resume into --save_model_path is the documented way to continue). */
function assertOutputsClearOfInputs(o: TrainOpts, savePath: string | undefined, inputs: TrainInputs, cwd: string): void {
  const read = inputFiles(inputs).map(({ role, file }) => ({ flag: `${role}_path`, path: file.file }));
  const other = [{ flag: 'config', path: o.config }, { flag: 'init_weights', path: o.init_weights as string | undefined }, { flag: 'tokenizer', path: o.tokenizer as string | undefined }];
  assertOutputsClear([{ flag: 'save_model_path', path: savePath }, { flag: 'log_jsonl', path: o.log_jsonl }], [...read, ...other], cwd);
  assertOutputsClear([{ flag: 'log_jsonl', path: o.log_jsonl }], [{ flag: 'resume', path: o.resume as string | undefined }], cwd);
}

/** Every training is a run: config, code version, data hashes, seed, backend, per-step metrics (none with --no_run). */
function runRecord(o: TrainOpts, inputs: TrainInputs, defaultLabel: string, ctx: CliContext): RecordSpec | undefined {
  if (o.no_run) return undefined;
  const files = inputFiles(inputs).map(({ role, file }) => ({ role, path: path.resolve(ctx.cwd, file.file), rows: file.rows }));
  return {
    runsDir: (o.runs_dir as string | undefined) ?? defaultRunsDir(ctx.cwd),
    label: (o.run_label as string | undefined) ?? defaultLabel,
    source: 'cli', files, cwd: ctx.cwd, extraConfig: { model: o.model, limit: o.limit ?? null },
    onCreate: (id: string, dir: string) => ctx.err.write(`run ${id} → ${dir}\n`),
  };
}

/** What the training ended with, train.py's way: the interruption, the final validation and test reports, the save. Returns the exit code. */
function printOutcome(result: TrainOutcome, progress: TrainProgress, savePath: string | undefined, w: (line: string) => void): number {
  if (result.stopped === 'aborted') {
    w(`interrupted at step ${result.steps}.`);
    if (savePath) w(`checkpoint saved to ${progress.lastCheckpoint ?? savePath}; continue with: empathy train … --resume ${savePath}`);
    else w('nothing saved (pass --save_model --save_model_path PATH to keep checkpoints)');
    return 130;
  }
  if (result.dev && !progress.devShown) {
    w('\n\nRunning validation...\n');
    for (const l of reportOriginalLines(result.dev)) w(l);
    // Flag a model that has not learned, and splits too small to mean anything, beside the metrics.
    for (const l of result.health.dev) w(`warning: ${l}`);
    w('');
  }
  if (result.test) {
    w('\n\nRunning test...\n');
    for (const l of reportOriginalLines(result.test)) w(l);
    for (const l of result.health.test) w(`warning: ${l}`);
    w('');
  }
  if (savePath) w(`model saved to ${savePath}`);
  return 0;
}

export const train: Command = {
  name: 'train',
  summary: 'train a model (the original train.py flags; --joint for one model on ER, IP and EX)',
  usage: [
    'usage: empathy train --train_path TRAIN.csv [--dev_path DEV.csv --do_validation] [--test_path TEST.csv --do_test]',
    '                     [--save_model --save_model_path output/sample_ER.pth] [train.py flags] [extras]',
    '',
    'Same flags and defaults as the original src/train.py. Files may be raw EPITOME CSVs or the output of',
    'process-data. The mechanism comes from the file name (emotional-reactions-*, *_IP.csv, …) or --mechanism.',
    'Ctrl-C stops after the current batch; with --save_model the checkpoint is saved and --resume continues it.',
  ].join('\n'),
  options: OPTIONS,
  async run(args, ctx) {
    const o = args.opts as TrainOpts;
    const threads = threadsOption(o.threads);
    const { modelPreset, spec } = resolveModel(o, args.given);
    const { trainFiles, savePath } = checkDataFlags(o, modelPreset.family, ctx.err);
    const given = givenConfig(o, args.given, savePath);

    const inputs = await loadInputs(o, trainFiles, ctx.cwd);
    const { tr, dev, test } = inputs;
    assertOutputsClearOfInputs(o, savePath, inputs, ctx.cwd);
    for (const w of [...tr.warnings, ...(dev?.warnings ?? []), ...(test?.warnings ?? [])]) ctx.err.write(`warning: ${w}\n`);
    let trainPairs: LabeledPair[] = tr.pairs;
    if (o.limit !== undefined) trainPairs = trainPairs.slice(0, Math.max(1, Math.floor(o.limit)));
    const mechanisms = [...new Set(tr.files.map((f) => f.mechanism))];
    if (given.mechanisms === undefined) given.mechanisms = MECHANISMS.filter((m) => mechanisms.includes(m));
    const plan = planWithSource(o.model, given, o.config);
    const used = plan.effective;
    const trainedMechanisms = given.mechanisms as Mechanism[];

    const w = (s: string) => ctx.out.write(s + '\n');
    const banner = trainBannerLines({
      spec, used, trainFiles: tr.files, doValidation: o.do_validation, doTest: o.do_test,
      model: o.model, family: modelPreset.family, mechanisms: trainedMechanisms,
      limitedTo: o.limit !== undefined ? trainPairs.length : undefined,
    });
    for (const l of banner) w(l);

    const progress = new TrainProgress(ctx, o.log_jsonl);
    const data: TrainData = { train: trainPairs, dev: dev?.pairs, test: test?.pairs };
    const size = spec.size?.(used);
    const record = runRecord(o, inputs, `${o.model}${size !== undefined ? ` ${size}` : ''} ${trainedMechanisms.join('+')}`, ctx);
    engine().setWasmThreads(threads); // tfjs in PROD mode before the training code loads it; --threads for its backend start
    const { trainAndRecord } = require('../../training/trainAndRecord') as typeof import('../../training/trainAndRecord');
    let result: TrainOutcome;
    try {
      result = await trainAndRecord({ model: o.model, config: given, data, record }, { signal: ctx.signal, onEvent: progress.onEvent }, plan);
    } finally {
      progress.close();
    }
    try {
      return printOutcome(result, progress, savePath, w);
    } finally {
      result.model.dispose();
    }
  },
};


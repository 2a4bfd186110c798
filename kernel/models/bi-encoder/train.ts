// Training the bi-encoder: the original train.py's flags and defaults (plus documented extras), a seeded,
// resumable loop (shuffle, gradient accumulation, global-norm clip, AdamW, linear schedule) that streams
// typed events, stops cleanly between batches, evaluates on dev per epoch and checkpoints atomically.
import {
  AdamW, currentBackend, initBackend, type BackendPreference, type TrainData, type TrainResult, linearSchedule,
  loadHfTokenizer, trainTokenizer, type Tokenizer, resolvePretrained, type BackendInfo, type EvalReport,
  type LabeledPair, type Mechanism, type RunOptions, type TrainEvent,
} from '../../engine';
import { BiEncoder, type LossOptions } from './biEncoder';
import { BiEncoderModel } from './biEncoderModel';
import { maxSeqLen, resolvePreset, type BiEncoderConfig } from './config';
import { collate, encodePairs, mechanismsInData, type EncodedExample } from './encode';
import { evaluateBiEncoder, type EvaluateOptions } from './evaluate';
import { openBiEncoderCheckpoint } from './load';
import { seededRandom as rng } from '../../../dataset/random';
import { defaultTrainConfig, type TrainConfig } from './trainConfig';
import { BiEncoderStepper, type MicroBatch } from './trainStep';
import { planMicroBatches, trainingMemory, type MicroBatchPlan } from './memoryPlan';
export { defaultTrainConfig, type TrainConfig } from './trainConfig';

/** Smallest vocabulary trained for a preset whose own is below a byte-level BPE's 260 base tokens. */
const MIN_TRAINED_VOCAB = 512;

/** Where training stands; saved in checkpoints so a resumed run continues exactly. */
export interface TrainState {
  /** Optimiser steps completed. */
  step: number;
  /** Epoch in progress (0-based) and optimiser steps already done in it. */
  epoch: number;
  stepInEpoch: number;
  /** Running sum / count of the epoch's step losses. */
  epochLossSum: number;
  epochSteps: number;
  /** Early stopping: best dev score so far and epochs since. */
  bestScore: number;
  badEpochs: number;
  /** Set by early stopping (a resumed run does not train further). */
  done: boolean;
}


export function epochPermutation(n: number, seed: number, epoch: number): number[] {
  const r = rng(Math.imul(seed, 7919) + epoch * 104729 + 1);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** sklearn's 'balanced' weights from the training levels: N / (3 · n_c) (1 for an absent class). */
export function balancedClassWeights(pairs: readonly LabeledPair[], m: Mechanism): [number, number, number] {
  const n = [0, 0, 0];
  for (const p of pairs) { const l = p.labels[m]?.level; if (l !== undefined) n[l]++; }
  const total = n[0] + n[1] + n[2];
  return n.map((c) => (c > 0 ? total / (3 * c) : 1)) as [number, number, number];
}

function validate(cfg: TrainConfig): void {
  const pos = (k: keyof TrainConfig) => { const v = cfg[k] as number; if (!(typeof v === 'number' && v > 0)) throw new Error(`train: ${k} must be > 0, got ${v}`); };
  const int = (k: keyof TrainConfig) => { const v = cfg[k] as number; if (!Number.isInteger(v)) throw new Error(`train: ${k} must be an integer, got ${v}`); };
  for (const k of ['lr', 'max_len', 'batch_size', 'epochs', 'grad_accum', 'max_grad_norm', 'eval_batch_size'] as const) pos(k);
  for (const k of ['max_len', 'batch_size', 'epochs', 'seed_val', 'warmup_steps', 'grad_accum', 'early_stopping'] as const) int(k);
  if (cfg.max_len < 3) throw new Error(`train: max_len must be ≥ 3, got ${cfg.max_len}`);
  if (cfg.grad_accum > cfg.batch_size) throw new Error(`train: grad_accum (${cfg.grad_accum}) cannot exceed batch_size (${cfg.batch_size})`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new Error(`train: dropout must be in [0, 1), got ${cfg.dropout}`);
  // Loss weights and the rest: finite and ≥ 0 (a string here made every loss NaN).
  for (const k of ['lambda_EI', 'lambda_RE', 'weight_decay', 'warmup_steps', 'early_stopping'] as const) {
    const v = cfg[k];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`train: ${k} must be a number ≥ 0, got ${JSON.stringify(v)}`);
  }
}

async function ensureBackend(pref: BackendPreference | undefined): Promise<BackendInfo> {
  const cur = currentBackend();
  if (cur && (pref === undefined || pref === 'auto' || pref === cur.name)) return cur;
  return initBackend(pref ?? 'auto');
}

/**
 * The micro-batching that fits the backend, and the line that says where the run keeps what. On wasm the
 * heap is wasm32's (4 GB, never shrinks): the step is planned under WASM_TRAINING_HEAP_BUDGET, refused when
 * not even one pair fits. Other backends run the asked --grad_accum.
 */
export function planStepMemory(cfg: TrainConfig, stepper: BiEncoderStepper, backend: BackendInfo['name']): MicroBatchPlan {
  const asked = { gradAccum: cfg.grad_accum, microBatch: Math.ceil(cfg.batch_size / cfg.grad_accum), heapBytes: 0 };
  const plan = backend === 'wasm' ? planMicroBatches(trainingMemory(stepper.net, cfg.max_len), cfg.batch_size, cfg.grad_accum) : asked;
  if (typeof plan === 'string') {
    throw new Error(`train: preset '${cfg.preset}' ${plan}: train it on a GPU (--backend webgpu or tensorflow-gpu), on tfjs-node (--backend tensorflow), or on the plain-JS cpu backend (--backend cpu: no cap, slow)`);
  }
  return plan;
}

/** "seeker 0.5 GB, gradients and AdamW moments in JavaScript memory (outside the backend); micro-batches …". */
export function trainingLine(stepper: BiEncoderStepper, plan: MicroBatchPlan): string | undefined {
  const parts: string[] = [];
  const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;
  if (stepper.host) parts.push(`${stepper.seekerHostBytes > 0 ? `frozen seeker (${gb(stepper.seekerHostBytes)}), ` : ''}gradients and AdamW moments in JavaScript memory, outside the backend`);
  if (plan.note) parts.push(plan.note);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Mean dev macro-F1 over the mechanisms (higher is better) — the early-stopping score. */
function devScore(r: EvalReport): number {
  const ms = Object.values(r.mechanisms);
  return ms.length === 0 ? -r.loss : ms.reduce((s, m) => s + m!.macroF1, 0) / ms.length;
}

/** The network, tokenizer and (when resuming) optimiser state and train state to start from. */
async function buildOrResume(cfg: TrainConfig, data: TrainData, emit: (e: TrainEvent) => void): Promise<{
  net: BiEncoder; tokenizer: Tokenizer; maxLen: number; optimizerState?: Map<string, import('../../engine').TensorEntry>; state?: TrainState;
}> {
  if (cfg.resume) {
    const { net, tokenizer, cfg: c, checkpoint: ck, optimizerTensors } = await openBiEncoderCheckpoint(cfg.resume, cfg.seed_val);
    if (c.maxLen !== cfg.max_len) emit({ type: 'log', v: 1, level: 'warn', message: `resume: checkpoint max_len ${c.maxLen} overrides ${cfg.max_len}` });
    const state = ck.trainState as TrainState | undefined;
    if (!state || optimizerTensors.size === 0) emit({ type: 'log', v: 1, level: 'warn', message: `resume: ${cfg.resume} has no optimiser/train state; continuing from its weights with a fresh optimiser` });
    return { net, tokenizer, maxLen: c.maxLen, optimizerState: optimizerTensors.size > 0 ? optimizerTensors : undefined, state };
  }
  let tokenizer: Tokenizer;
  const { existsSync, statSync } = await import('node:fs');
  const pathMod = await import('node:path');
  // A folder, a file, or a model id found in the Hugging Face cache (hfCache.ts: the one place that resolves them).
  const initWeights = cfg.init_weights ? resolvePretrained(cfg.init_weights, 'init_weights') : undefined;
  const initDir = initWeights ? (statSync(initWeights).isDirectory() ? initWeights : pathMod.dirname(initWeights)) : undefined;
  if (cfg.tokenizer) tokenizer = await loadHfTokenizer(resolvePretrained(cfg.tokenizer, 'tokenizer'));
  else if (initDir && existsSync(pathMod.join(initDir, 'tokenizer.json'))) tokenizer = await loadHfTokenizer(initDir);
  else {
    if (cfg.init_weights) throw new Error(`init_weights ${cfg.init_weights}: pretrained weights need their own tokenizer; pass tokenizer (a folder with tokenizer.json)`);
    const texts = data.train.flatMap((p) => [p.seekerPost, p.responsePost]);
    // A byte-level BPE needs 4 specials + 256 bytes before its first merge: a preset with a smaller
    // vocabulary (the fixture-sized `tiny`, 120) gets the smallest useful BPE instead of an error.
    const presetVocab = resolvePreset(cfg.preset, cfg.model).encoder.vocabSize;
    const vocabSize = cfg.vocab_size ?? Math.max(presetVocab, MIN_TRAINED_VOCAB);
    if (cfg.vocab_size === undefined && vocabSize !== presetVocab) emit({ type: 'log', v: 1, level: 'info', message: `preset ${cfg.preset} has a ${presetVocab}-token vocabulary, below what a byte-level BPE needs: training a ${vocabSize}-token BPE (set vocab_size to choose)` });
    tokenizer = trainTokenizer(texts, { vocabSize });
    emit({ type: 'log', v: 1, level: 'info', message: `trained a byte-level BPE tokenizer (${tokenizer.vocabSize} tokens) on ${texts.length} training texts` });
  }
  const mechanisms = cfg.mechanisms ?? mechanismsInData(data.train);
  if (mechanisms.length === 0) throw new Error('train: the training pairs carry no ER/IP/EX labels');
  let classWeights: BiEncoderConfig['classWeights'] = cfg.model?.classWeights;
  if (cfg.class_weights === 'balanced') classWeights = Object.fromEntries(mechanisms.map((m) => [m, balancedClassWeights(data.train, m)]));
  else if (cfg.class_weights) classWeights = cfg.class_weights;
  const model = resolvePreset(cfg.preset, {
    ...cfg.model,
    mechanisms,
    dropout: cfg.dropout,
    classWeights,
    encoder: { ...cfg.model?.encoder, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId },
  });
  if (maxSeqLen(model.encoder) < cfg.max_len) {
    throw new Error(`train: max_len ${cfg.max_len} exceeds what preset '${cfg.preset}' encodes (${maxSeqLen(model.encoder)} tokens; raise model.encoder.maxPositions)`);
  }
  const net = new BiEncoder(model, cfg.seed_val);
  if (initWeights) {
    const r = net.loadStateDict(BiEncoder.loadHuggingFaceRoberta(initWeights), { strict: false });
    emit({ type: 'log', v: 1, level: 'info', message: `initialised ${r.loaded.length} encoder tensors from ${cfg.init_weights}${initWeights !== cfg.init_weights ? ` (${initWeights})` : ''}` });
  }
  return { net, tokenizer, maxLen: cfg.max_len };
}

/**
 * Train a bi-encoder (one mechanism = the original model, several = joint). Stoppable between micro-batches
 * through `opts.signal`: the returned model then holds the weights of the last completed optimiser step.
 */
export async function train(partial: Partial<TrainConfig>, data: TrainData, opts: RunOptions = {}): Promise<TrainResult> {
  const cfg: TrainConfig = { ...defaultTrainConfig, ...partial };
  validate(cfg);
  if (data.train.length === 0) throw new Error('train: no training pairs');
  const emit = (e: TrainEvent) => opts.onEvent?.(e);
  const backend = await ensureBackend(cfg.backend);
  const built = await buildOrResume(cfg, data, emit);
  const { net, tokenizer, maxLen } = built;
  const optimizer = new AdamW({ lr: cfg.lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: cfg.weight_decay, correctBias: true });
  // On wasm/cpu: the frozen seeker moves to JavaScript memory here, before the plan counts the heap.
  const stepper = new BiEncoderStepper(net, optimizer);
  let plan: MicroBatchPlan;
  try {
    plan = planStepMemory(cfg, stepper, backend.name);
  } catch (e) {
    stepper.dispose();
    net.dispose();
    throw e;
  }
  const state: TrainState = built.state
    ? { ...built.state }
    : { step: 0, epoch: 0, stepInEpoch: 0, epochLossSum: 0, epochSteps: 0, bestScore: -Infinity, badEpochs: 0, done: false };
  const model = new BiEncoderModel(net, tokenizer, maxLen, { trainArgs: cfg, optimizer, trainState: state });
  try {
    if (built.optimizerState) optimizer.setState(built.optimizerState);
    const line = trainingLine(stepper, plan);
    return await runLoop(cfg, data, opts, model, state, line ? { ...backend, training: line } : backend, emit, stepper, plan);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    stepper.dispose();
  }
}

/** What one training run steps with (built once by startRun; `lastDev` is the newest dev report). */
interface BiEncoderRun {
  cfg: TrainConfig;
  data: TrainData;
  opts: RunOptions;
  model: BiEncoderModel;
  state: TrainState;
  emit: (e: TrainEvent) => void;
  stepper: BiEncoderStepper;
  examples: EncodedExample[];
  /** Pairs per forward pass. */
  micro: number;
  stepsPerEpoch: number;
  totalSteps: number;
  lossOpts: LossOptions;
  evalOpts: EvaluateOptions;
  lastDev?: EvalReport;
}

/** Encodes the training pairs (saying how many rationales were lost) and announces the run. */
function startRun(cfg: TrainConfig, data: TrainData, opts: RunOptions, model: BiEncoderModel, state: TrainState, backend: BackendInfo, emit: (e: TrainEvent) => void, stepper: BiEncoderStepper, plan: MicroBatchPlan): BiEncoderRun {
  const { net, tokenizer, maxLen } = model;
  const mechanisms = net.cfg.mechanisms;
  const { examples, stats } = encodePairs(data.train, tokenizer, { maxLen, mechanisms, paperFaithful: cfg.paper_faithful });
  if (stats.missedRationales > 0 || stats.unknownRationaleRows > 0) {
    emit({ type: 'log', v: 1, level: 'info', message: `rationales: ${stats.missedRationales} substring(s) not found in their response; ${stats.unknownRationaleRows} labelled row(s) left out of the rationale loss` });
  }
  const N = examples.length;
  const micro = plan.microBatch; // pairs per forward pass
  const batchesPerEpoch = Math.ceil(N / cfg.batch_size);
  const stepsPerEpoch = batchesPerEpoch;
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const resumedFromStep = state.step;
  emit({ type: 'start', v: 1, totalSteps, stepsPerEpoch, epochs: cfg.epochs, examples: N, backend, resumedFromStep });
  const lossOpts = { lambdaEI: cfg.lambda_EI, lambdaRE: cfg.lambda_RE };
  const evalOpts = { batchSize: cfg.eval_batch_size, lambdaEI: cfg.lambda_EI, lambdaRE: cfg.lambda_RE, signal: opts.signal };
  return { cfg, data, opts, model, state, emit, stepper, examples, micro, stepsPerEpoch, totalSteps, lossOpts, evalOpts };
}

/** Progress events of an evaluation on `split`. */
function evalProgress(run: BiEncoderRun, split: 'dev' | 'test'): (done: number, total: number | undefined) => void {
  return (done, total) => run.emit({ type: 'eval', v: 1, split, done, total: total ?? done });
}

/**
 * Checkpoints the model with its train state and last dev report. One that cannot be written (disk full,
 * folder gone) is a warning, not the end of training: the weights live on in memory and the final save
 * (trainAndRecord) writes them, or a fallback.
 */
async function saveCheckpoint(run: BiEncoderRun): Promise<void> {
  const { cfg, model, state, emit, lastDev } = run;
  if (!cfg.save_model_path) return;
  model.extras.trainState = { ...state };
  try {
    await model.save(cfg.save_model_path, { trainArgs: cfg, metrics: lastDev ? { dev: lastDev } : undefined });
  } catch (e) {
    emit({ type: 'log', v: 1, level: 'warn', message: `checkpoint at step ${state.step} not saved: ${(e as Error).message.split('\n')[0]}; training goes on` });
    return;
  }
  emit({ type: 'checkpoint', v: 1, step: state.step, path: cfg.save_model_path });
}

/** The step's pairs (indices into the examples) cut into micro-batches, each with its share of the step's loss and its dropout seed. */
function stepMicroBatches(run: BiEncoderRun, stepIdx: number[]): MicroBatch[] {
  const { cfg, examples, micro, state } = run;
  const { net, tokenizer, maxLen } = run.model;
  const microBatches: MicroBatch[] = [];
  for (let k = 0; k * micro < stepIdx.length; k++) {
    const idx = stepIdx.slice(k * micro, (k + 1) * micro);
    microBatches.push({
      batch: collate(idx.map((i) => examples[i]), maxLen, tokenizer.padId, net.cfg.mechanisms),
      weight: idx.length / stepIdx.length, // this micro-batch's share of the step's mean loss
      fwd: { training: true, seed: Math.imul(cfg.seed_val, 1000003) + state.step * 64 + k },
    });
  }
  return microBatches;
}

/** The epoch's remaining optimiser steps in the order `perm`; false when stopped (the signal) mid-step. */
async function runEpochSteps(run: BiEncoderRun, perm: number[]): Promise<boolean> {
  const { cfg, state, stepper, opts } = run;
  for (; state.stepInEpoch < run.stepsPerEpoch; ) {
    const t0 = performance.now();
    const stepIdx = perm.slice(state.stepInEpoch * cfg.batch_size, (state.stepInEpoch + 1) * cfg.batch_size);
    const microBatches = stepMicroBatches(run, stepIdx);
    const lr = linearSchedule(state.step, run.totalSteps, cfg.lr, cfg.warmup_steps);
    const r = await stepper.step(microBatches, run.lossOpts, lr, cfg.max_grad_norm, opts.signal);
    if (!r) return false;
    state.step++;
    state.stepInEpoch++;
    state.epochLossSum += r.loss;
    state.epochSteps++;
    const secs = (performance.now() - t0) / 1000;
    run.emit({ type: 'step', v: 1, step: state.step, epoch: state.epoch + 1, loss: r.loss, lossLevel: r.lossLevel, lossRationale: r.lossRationale, lr, gradNorm: r.gradNorm, examplesPerSec: stepIdx.length / Math.max(secs, 1e-9) });
  }
  return true;
}

/** Early stopping: records a better dev score, else counts a bad epoch; true once `patience` bad epochs ran in a row. */
function patienceExhausted(state: TrainState, dev: EvalReport, patience: number): boolean {
  const score = devScore(dev);
  if (score > state.bestScore + 1e-9) { state.bestScore = score; state.badEpochs = 0; return false; }
  return ++state.badEpochs >= patience;
}

/** One epoch: its steps, then dev evaluation, early stopping and a checkpoint. Returns why training stops, if it does. */
async function runEpoch(run: BiEncoderRun): Promise<TrainResult['stopped']> {
  const { cfg, data, opts, model, state } = run;
  const perm = epochPermutation(run.examples.length, cfg.seed_val, state.epoch);
  if (!(await runEpochSteps(run, perm))) return 'aborted';
  // ---- end of epoch: dev evaluation, early stopping, checkpoint ----
  const epochNo = state.epoch + 1;
  const trainLoss = state.epochSteps > 0 ? state.epochLossSum / state.epochSteps : NaN;
  let dev: EvalReport | undefined;
  if (data.dev && data.dev.length > 0 && cfg.do_validation) {
    try {
      dev = await evaluateBiEncoder(model, data.dev, { ...run.evalOpts, onProgress: evalProgress(run, 'dev') });
    } catch (e) {
      if (opts.signal?.aborted) return 'aborted';
      throw e;
    }
    run.lastDev = dev;
  }
  state.epoch++;
  state.stepInEpoch = 0;
  state.epochLossSum = 0;
  state.epochSteps = 0;
  run.emit({ type: 'epoch', v: 1, epoch: epochNo, step: state.step, trainLoss, dev });
  let stopped: TrainResult['stopped'];
  if (dev && cfg.early_stopping > 0 && patienceExhausted(state, dev, cfg.early_stopping)) { stopped = 'early-stopping'; state.done = true; }
  await saveCheckpoint(run);
  return stopped;
}

/** After the last epoch (or a stop): the stop's checkpoint and event, test evaluation, the final metrics. */
async function finishRun(run: BiEncoderRun, stopped: TrainResult['stopped']): Promise<TrainResult> {
  const { cfg, data, model, state, emit } = run;
  if (stopped === 'aborted') await saveCheckpoint(run);
  if (stopped) emit({ type: 'stopped', v: 1, step: state.step, reason: stopped });
  model.extras.trainState = { ...state };
  let test: EvalReport | undefined;
  if (stopped !== 'aborted' && data.test && data.test.length > 0 && cfg.do_test) {
    test = await evaluateBiEncoder(model, data.test, { ...run.evalOpts, onProgress: evalProgress(run, 'test') });
  }
  model.extras.metrics = { dev: run.lastDev, test };
  if (test && cfg.save_model_path) await saveCheckpoint(run);
  emit({ type: 'end', v: 1, step: state.step, dev: run.lastDev, test });
  return { model, steps: state.step, stopped, dev: run.lastDev, test };
}

async function runLoop(cfg: TrainConfig, data: TrainData, opts: RunOptions, model: BiEncoderModel, state: TrainState, backend: BackendInfo, emit: (e: TrainEvent) => void, stepper: BiEncoderStepper, plan: MicroBatchPlan): Promise<TrainResult> {
  const run = startRun(cfg, data, opts, model, state, backend, emit, stepper, plan);
  let stopped: TrainResult['stopped'];
  while (!state.done && state.epoch < cfg.epochs) {
    stopped = await runEpoch(run);
    if (stopped) break;
  }
  return finishRun(run, stopped);
}

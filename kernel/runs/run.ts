// What a run is: the record of one training (config, code version, data with hashes, seed, backend,
// per-step and per-epoch metrics, final metrics, checkpoint) as it lives on disk.
import type { BackendInfo, EvalReport } from '../engine';
import { flattenReport } from '../metrics/catalog';
import type { RunProcess } from './liveness';

export const RUN_FORMAT = 'empathy-run' as const;
export const RUN_VERSION = 1 as const;

/** A data file a run read, with its content hash so a later reader knows it is the same data. */
export interface RunDataFile {
  role: 'train' | 'dev' | 'test';
  path: string;
  sha256: string;
  rows?: number;
}

/** `run.json`: everything needed to know what a run was and to reproduce it. */
export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  id: string;
  label: string;
  createdAt: string;
  finishedAt?: string;
  /** Stored: running, finished, stopped or failed. `interrupted` is only ever computed on reading (see `interruption`). */
  status: 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted';
  /** Set on reading a run recorded as running whose process is gone (`process gone`); never stored. */
  interruption?: string;
  /** The process recording the run, with its heartbeat (kernel/runs/liveness.ts). */
  process?: RunProcess;
  /** Who started it: 'cli', 'notebook', 'extension', 'cv', 'test'. */
  source: string;
  /** Model family ('bi-encoder', 'linear', 'tagger', 'ensemble'). */
  family: string;
  /** The full training config after defaults were applied (reproduces the run). */
  config: Record<string, unknown>;
  seed: number;
  code: { package: string; version: string; gitCommit?: string; gitDirty?: boolean };
  data: RunDataFile[];
  backend?: BackendInfo;
  steps: number;
  /** Flat final metrics (`dev.ER.macroF1`, `test.IP.accuracy`, …) for comparison tables. */
  metrics: Record<string, number>;
  dev?: EvalReport;
  test?: EvalReport;
  checkpointPath?: string;
  error?: string;
}

/** The status as people read it: `interrupted (process gone)` for a run whose process died mid-way. */
export function statusText(r: Pick<RunRecord, 'status' | 'interruption'>): string {
  return r.status === 'interrupted' ? `interrupted (${r.interruption ?? 'process gone'})` : r.status;
}

/** One line of `events.jsonl`: a step or epoch summary. */
export type RunLogLine =
  | { kind: 'step'; step: number; epoch: number; loss: number; lossLevel: number; lossRationale: number; lr: number; gradNorm: number }
  | { kind: 'epoch'; epoch: number; step: number; trainLoss: number; metrics: Record<string, number> };

/** Flatten an EvalReport into `prefix.ER.macroF1`-style keys (finite numbers only). */
export function flattenEval(prefix: string, report: EvalReport | undefined): Record<string, number> {
  return flattenReport(report, { prefix, loss: true, which: (d) => !!d.recorded, finiteOnly: true });
}

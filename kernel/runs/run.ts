// What a run is: the record of one training (config, code version, data with hashes, seed, backend,
// per-step and per-epoch metrics, final metrics, checkpoint) as it lives on disk.
import type { BackendInfo, EvalReport } from '../engine/types';
import { flattenReport } from '../metrics/catalog';

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
  status: 'running' | 'finished' | 'stopped' | 'failed';
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

/** One line of `events.jsonl`: a step or epoch summary. */
export type RunLogLine =
  | { kind: 'step'; step: number; epoch: number; loss: number; lossLevel: number; lossRationale: number; lr: number; gradNorm: number }
  | { kind: 'epoch'; epoch: number; step: number; trainLoss: number; metrics: Record<string, number> };

/** Flatten an EvalReport into `prefix.ER.macroF1`-style keys (finite numbers only). */
export function flattenEval(prefix: string, report: EvalReport | undefined): Record<string, number> {
  return flattenReport(report, { prefix, loss: true, which: (d) => !!d.recorded, finiteOnly: true });
}

// The workbench's rich-output MIME types and their payloads: defined once, shared by the kernel
// (which emits them), the notebook renderers and panels (which draw them) and the HTML report.
// Browser-safe: no imports beyond this folder and the leaf schema (dataset/schema.ts). Every payload
// carries `v` (its schema version).
import type { Level, Mechanism } from '../../dataset/schema';
export { MECHANISMS, type Level, type Mechanism } from '../../dataset/schema';

export const MIME = {
  lossCurve: 'application/vnd.empathy.loss-curve+json',
  confusion: 'application/vnd.empathy.confusion+json',
  rationales: 'application/vnd.empathy.rationales+json',
  dataset: 'application/vnd.empathy.dataset+json',
  metrics: 'application/vnd.empathy.metrics+json',
  runs: 'application/vnd.empathy.runs+json',
  table: 'application/vnd.empathy.table+json',
} as const;
export type WorkbenchMime = (typeof MIME)[keyof typeof MIME];
export const PAYLOAD_VERSION = 1 as const;

export const MECHANISM_NAMES: Record<Mechanism, string> = {
  ER: 'Emotional Reactions',
  IP: 'Interpretations',
  EX: 'Explorations',
};
export const LEVEL_NAMES = ['no', 'weak', 'strong'] as const;

/** Loss curves of one or more runs; `live` while a run is still training (the renderer keeps updating). */
export interface LossCurvePayload {
  v: 1;
  live?: boolean;
  runs: Array<{
    id: string;
    label: string;
    steps: Array<{ step: number; epoch: number; loss: number; lossLevel: number; lossRationale: number; lr: number }>;
    /** Dev metrics per epoch (keys such as `ER.macroF1`, `ER.accuracy`, `loss`). */
    epochs: Array<{ epoch: number; step: number; metrics: Record<string, number> }>;
  }>;
}

export interface ExampleRef {
  id: string;
  seekerPost: string;
  responsePost: string;
  gold: Level;
  pred: Level;
}

export interface ConfusionPayload {
  v: 1;
  title?: string;
  mechanisms: Array<{
    mechanism: Mechanism;
    /** matrix[gold][pred] counts, 3×3. */
    matrix: number[][];
    accuracy: number;
    macroF1: number;
    kappa: number;
    kappaQuadratic: number;
    perClass: Array<{ level: Level; precision: number; recall: number; f1: number; support: number }>;
    /** Examples per cell, keyed `${gold},${pred}` (may be capped by the producer). */
    examples?: Record<string, ExampleRef[]>;
  }>;
}

export interface RationaleTokenView {
  text: string;
  /** Character offsets into the response post ([start, end)). */
  start: number;
  end: number;
  /** Predicted probability that this token is part of a rationale. */
  prob: number;
  /** Optional salience (e.g. |gradient × input|), normalised to [0, 1]. */
  salience?: number;
}

export interface RationalesPayload {
  v: 1;
  maxLen?: number;
  /** Shown above the heatmaps: "this model has not learned yet (…)" (one-class or near-uniform predictions). */
  warnings?: string[];
  items: Array<{
    id: string;
    seekerPost: string;
    responsePost: string;
    mechanisms: Partial<Record<Mechanism, {
      level: Level;
      probs: number[];
      goldLevel?: Level;
      tokens: RationaleTokenView[];
      /** Gold rationale spans as character offsets into the response. */
      goldSpans?: Array<[number, number]>;
      /** The model's rationale spans at its own token thresholds (absent from older producers). */
      spans?: Array<[number, number]>;
      /** Character offset where the response was truncated at max_len (absent when it fits). */
      truncatedAt?: number;
    }>>;
  }>;
}

export interface DatasetRowView {
  id: string;
  seekerPost: string;
  responsePost: string;
  /** Level per mechanism present in the data. */
  levels: Partial<Record<Mechanism, Level>>;
  /** Rationale spans per mechanism as character offsets into the response. */
  spans: Partial<Record<Mechanism, Array<[number, number]>>>;
  /** Response length in model tokens (when a tokenizer was available). */
  responseTokens?: number;
  truncated?: boolean;
  /** Predicted level per mechanism, when a model scored the data (enables per-slice metrics). */
  pred?: Partial<Record<Mechanism, Level>>;
}

export interface DatasetPayload {
  v: 1;
  name: string;
  maxLen?: number;
  rows: DatasetRowView[];
}

export interface MetricsPayload {
  v: 1;
  title?: string;
  /** Rows are metrics (or mechanisms), columns are series (runs, mechanisms, folds). */
  columns: string[];
  rows: Array<{ name: string; values: Array<number | null>; note?: string }>;
  /** Shown above the table: "this model has not learned yet (…)", splits too small to mean anything. */
  warnings?: string[];
}

export interface RunSummaryView {
  id: string;
  label: string;
  createdAt: string;
  config: Record<string, string | number | boolean | null>;
  metrics: Record<string, number>;
}

export interface RunsPayload {
  v: 1;
  runs: RunSummaryView[];
}

/** A generic table (display.table of a DataFrame or array of records). */
export interface TablePayload {
  v: 1;
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
  /** Total row count when `rows` was capped. */
  totalRows?: number;
}

export interface PayloadByMime {
  [MIME.lossCurve]: LossCurvePayload;
  [MIME.confusion]: ConfusionPayload;
  [MIME.rationales]: RationalesPayload;
  [MIME.dataset]: DatasetPayload;
  [MIME.metrics]: MetricsPayload;
  [MIME.runs]: RunsPayload;
  [MIME.table]: TablePayload;
}

/** One rich output: a MIME bundle that always carries a text/plain fallback. */
export interface MimeBundle {
  [mime: string]: unknown;
  'text/plain': string;
}

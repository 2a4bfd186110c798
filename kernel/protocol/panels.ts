// Messages between the two webview panels (Dataset Explorer, Rationale Inspector) and their VS Code
// host: discriminated unions, every message versioned by `v`. Browser-safe (types + tiny guards only).
// Flow: the panel posts `ready` once its script runs; the host answers with the data (`dataset` /
// `init`); every later request carries what the host needs, and answers name the request they answer.
import type { DatasetPayload, Level, Mechanism, RationalesPayload } from './mime';

export const PANEL_PROTOCOL_VERSION = 1 as const;

/** Predicted levels per row id, from a model the host ran over the dataset. */
export type RowPredictions = Record<string, Partial<Record<Mechanism, Level>>>;

// ---------------------------------------------------------------- Dataset Explorer
export type DatasetExplorerToHost =
  /** The panel is listening; the host sends `dataset` (again after a reload). */
  | { type: 'ready'; v: 1 }
  /** Save the current slice (filters + sort applied) as CSV; the host shows a save dialog and writes `csv`. */
  | { type: 'exportSlice'; v: 1; suggestedName: string; csv: string; rowCount: number; filters: Record<string, string | number | null> }
  /** The user wants another file: the host shows an open dialog (EPITOME CSVs or the shipped samples). */
  | { type: 'openDataset'; v: 1 }
  /** The user wants per-slice metrics: the host picks/loads a model, scores every row, replies `predictions`. */
  | { type: 'requestPredictions'; v: 1 };

export type HostToDatasetExplorer =
  | { type: 'dataset'; v: 1; dataset: DatasetPayload }
  | { type: 'predictions'; v: 1; modelLabel: string; predictions: RowPredictions }
  /** Result of `exportSlice` (path absent when the user cancelled). */
  | { type: 'exported'; v: 1; path?: string; rowCount: number }
  /** Progress or failure of host-side work (loading, scoring), shown in the panel's status line. */
  | { type: 'status'; v: 1; level: 'info' | 'error'; message: string };

// ---------------------------------------------------------------- Rationale Inspector
export interface InspectorExample {
  id: string;
  seekerPost: string;
  responsePost: string;
  /** Gold annotation per mechanism (levels and rationale spans as character offsets into the response). */
  gold?: Partial<Record<Mechanism, { level: Level; spans: Array<[number, number]> }>>;
}

export interface InspectorModel {
  id: string;
  label: string;
  /** Shown beside the model picker (e.g. that this is the shipped model and what it is for). */
  note?: string;
}

/** A reviewer's judgement of the pair on screen, as the panel sends it (the host adds id, time, reviewer, model). */
export interface ReviewDraft {
  pairId: string;
  mechanism: Mechanism;
  kind: 'level' | 'span' | 'gold-suspect' | 'note';
  level?: Level;
  /** [start, end) character offsets into the response. */
  span?: [number, number];
  /** The span is wrong (a predicted rationale rejected). */
  remove?: boolean;
  note?: string;
  /** What the model showed when the reviewer judged. */
  modelLevel?: Level;
  modelSpans?: Array<[number, number]>;
}

/** The reviewer's judgements of one pair and mechanism, folded (retractions applied). */
export interface PairReviewView {
  level?: Level;
  added: Array<[number, number]>;
  removed: Array<[number, number]>;
  goldSuspect: boolean;
  notes: string[];
}

/** The review file beside the data, as this reviewer sees it. */
export interface ReviewView {
  file: string;
  reviewer: string;
  /** Why judgements cannot be recorded (Restricted Mode), when they cannot. */
  readOnly?: string;
  /** This reviewer's judgements by pair id and mechanism. */
  pairs: Record<string, Partial<Record<Mechanism, PairReviewView>>>;
  /** Lines of the file that could not be read (reported, kept in the file). */
  problems: string[];
  /** Whether there is a line of this reviewer's that `undoReview` would retract. */
  canUndo: boolean;
}

export type RationaleInspectorToHost =
  | { type: 'ready'; v: 1 }
  /** Record a judgement in the review file (the host appends it and answers `review`). */
  | { type: 'review'; v: 1; draft: ReviewDraft }
  /** Take back this reviewer's latest judgement (the host appends a retraction and answers `review`). */
  | { type: 'undoReview'; v: 1 }
  /** Predicted levels of every example (for the "model disagrees with gold" filter); answered by `levels`. */
  | { type: 'requestLevels'; v: 1 }
  /** Use this model (an id from `init.models`), or no id: the host shows a file picker for a checkpoint. */
  | { type: 'pickModel'; v: 1; modelId?: string }
  /**
   * Score this (possibly edited) pair. `requestId` increases with every request; the panel keeps only the
   * answer to its latest one. `salience`: also compute gradient × input on the response tokens.
   */
  | { type: 'score'; v: 1; requestId: number; seekerPost: string; responsePost: string; salience: boolean; exampleId?: string };

export type HostToRationaleInspector =
  | { type: 'init'; v: 1; examples: InspectorExample[]; models: InspectorModel[]; modelId?: string }
  /** The active model changed (after `pickModel`). */
  | { type: 'model'; v: 1; model: InspectorModel; mechanisms: Mechanism[] }
  /** The answer to `score`: one rationales item (tokens with prob and, when asked, salience). */
  | { type: 'scored'; v: 1; requestId: number; item: RationalesPayload['items'][number]; maxLen?: number; elapsedMs?: number;
      /** Why the tokens carry no salience although it was asked for (e.g. the model family offers none). */
      salienceNote?: string;
      /** "this model has not learned yet (…)" when its level probabilities are near uniform (metrics/health.ts). */
      healthNote?: string }
  | { type: 'scoreError'; v: 1; requestId: number; message: string }
  /** The review state (after `init`, and after every judgement or undo). */
  | { type: 'review'; v: 1; review: ReviewView }
  /** The active model's levels for every example (answer to `requestLevels`); `error` when they could not be had. */
  | { type: 'levels'; v: 1; predictions: RowPredictions; error?: string };

// ---------------------------------------------------------------- guards
const TYPES = {
  datasetExplorerToHost: ['ready', 'exportSlice', 'openDataset', 'requestPredictions'],
  hostToDatasetExplorer: ['dataset', 'predictions', 'exported', 'status'],
  rationaleInspectorToHost: ['ready', 'pickModel', 'score', 'review', 'undoReview', 'requestLevels'],
  hostToRationaleInspector: ['init', 'model', 'scored', 'scoreError', 'review', 'levels'],
} as const;

function is(kind: keyof typeof TYPES, m: unknown): boolean {
  if (m === null || typeof m !== 'object') return false;
  const o = m as { type?: unknown; v?: unknown };
  return o.v === PANEL_PROTOCOL_VERSION && (TYPES[kind] as readonly unknown[]).includes(o.type);
}

export const isDatasetExplorerToHost = (m: unknown): m is DatasetExplorerToHost => is('datasetExplorerToHost', m);
export const isHostToDatasetExplorer = (m: unknown): m is HostToDatasetExplorer => is('hostToDatasetExplorer', m);
export const isRationaleInspectorToHost = (m: unknown): m is RationaleInspectorToHost => is('rationaleInspectorToHost', m);
export const isHostToRationaleInspector = (m: unknown): m is HostToRationaleInspector => is('hostToRationaleInspector', m);

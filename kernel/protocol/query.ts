// Kernel queries: the typed, versioned request/response by which a host (the extension's panels, tests)
// asks the kernel process for data and model answers — load the examples, load a checkpoint, score a pair,
// predict levels for a dataset, a notebook variable as a table — handled by the kernel directly
// (kernel/queries/), never by generated code.
// Browser-safe: types and a validator only.
//
//   host ──► { type: 'query', v: 1, id, method, args }            (one method of QueryMethods)
//   kernel ──► { type: 'answer', v: 1, id, method, ok: true, result }
//           or { type: 'answer', v: 1, id, method, ok: false, error: { code, message } }
//   host ──► { type: 'cancel-query', v: 1, id }  the query `id` ends with error code 'cancelled'
//
// Every query gets exactly one answer. Queries run one at a time in the order they came (a FIFO of their
// own, beside the cells'). A loaded model lives in the kernel under a handle until `unloadModel`, a
// `loadModel` that `replaces` it, or the kernel's shutdown, which dispose its tensors.
import type { DatasetPayload, Mechanism, RationalesPayload, TablePayload } from './mime';
import type { RowPredictions } from './panels';

/** Bumped when a method's args or result change incompatibly; the kernel answers a mismatch with code 'version'. */
export const QUERY_PROTOCOL_VERSION = 1 as const;

/** A pair to score (an example of the dataset, or the user's edit of one). */
export interface QueryPair { id: string; seekerPost: string; responsePost: string }

/** What `loadModel` answers: the handle later queries name, and what the model offers. */
export interface LoadedModel {
  /** Names the model in `score` / `unloadModel` (valid in this kernel process only). */
  handle: string;
  path: string;
  family: string;
  mechanisms: Mechanism[];
  /** Max tokens per side (longer responses are truncated; the item says where). */
  maxLen: number;
  /** Whether the model computes token salience (EmpathyModel.salience). */
  salience: boolean;
}

/** Salience per mechanism, one value in [0, 1] per predicted token (EmpathyModel.salience). */
export type SalienceByMechanism = Partial<Record<Mechanism, number[]>>;

/** What `score` answers: the pair as one rationales item (tokens carry salience when asked and offered). */
export interface ScoredPair {
  item: RationalesPayload['items'][number];
  maxLen?: number;
  /** Why the tokens carry no salience although it was asked for (the family offers none, or it failed). */
  salienceNote?: string;
  /** "this model has not learned yet (…)": near-uniform level probabilities (kernel/metrics/health.ts). */
  healthNote?: string;
}

/** Each method's arguments and result: the one table both sides are typed by. */
export interface QueryMethods {
  /** Labelled EPITOME CSVs (one per mechanism, merged by pair) as the panels' dataset payload. */
  loadPairs: { args: { files: string[]; name?: string; limit?: number }; result: DatasetPayload };
  /** Load a checkpoint (any family); `replaces`: a handle to dispose once this one has loaded. */
  loadModel: { args: { path: string; replaces?: string }; result: LoadedModel };
  /** Dispose a loaded model (false when the handle was not loaded: nothing to do). */
  unloadModel: { args: { handle: string }; result: { unloaded: boolean } };
  /** Levels, probabilities, token probabilities and spans for one pair; salience per mechanism if asked. */
  score: { args: { handle: string; pair: QueryPair; salience: boolean }; result: ScoredPair };
  /** Predicted levels for every row of `files`, with the checkpoint `modelPath` (loaded and disposed here). */
  predictLevels: { args: { modelPath: string; files: string[] }; result: RowPredictions };
  /**
   * A variable the notebook's cells declared, as the table the notebook's table renderer shows (a danfojs
   * DataFrame or Series, an array of records or of rows), its first `maxRows` rows (`totalRows` when capped).
   */
  variableTable: { args: { name: string; maxRows: number }; result: TablePayload };
}

export type QueryMethod = keyof QueryMethods;
export type QueryArgs<M extends QueryMethod> = QueryMethods[M]['args'];
export type QueryResult<M extends QueryMethod> = QueryMethods[M]['result'];

export const QUERY_METHODS: readonly QueryMethod[] = ['loadPairs', 'loadModel', 'unloadModel', 'score', 'predictLevels', 'variableTable'];

export type QueryRequest = { [M in QueryMethod]: { type: 'query'; v: typeof QUERY_PROTOCOL_VERSION; id: string; method: M; args: QueryArgs<M> } }[QueryMethod];
export interface CancelQueryRequest { type: 'cancel-query'; v: typeof QUERY_PROTOCOL_VERSION; id: string }

/**
 * Why a query failed: 'version' (another protocol version), 'unknown-method', 'bad-args' (missing or
 * ill-typed arguments, or an id already queued or running: ids are unique in flight), 'unknown-handle' (not loaded here: unloaded, or the kernel restarted),
 * 'unknown-variable' (no cell declared that name, or the kernel restarted), 'not-a-table' (the variable's
 * value has no table form), 'cancelled', 'failed' (the method threw; the message names what, e.g. the
 * checkpoint file).
 */
export type QueryErrorCode = 'version' | 'unknown-method' | 'bad-args' | 'unknown-handle' | 'unknown-variable' | 'not-a-table' | 'cancelled' | 'failed';
export interface QueryFailure { code: QueryErrorCode; message: string }

export type QueryAnswer =
  | { [M in QueryMethod]: { type: 'answer'; v: typeof QUERY_PROTOCOL_VERSION; id: string; method: M; ok: true; result: QueryResult<M> } }[QueryMethod]
  | { type: 'answer'; v: typeof QUERY_PROTOCOL_VERSION; id: string; method: string; ok: false; error: QueryFailure };

/** A message of this protocol (by its type; its version and fields are checked by `checkQuery`). */
export function isQueryMessage(msg: unknown): msg is QueryRequest | CancelQueryRequest {
  const t = (msg as { type?: unknown } | null)?.type;
  return typeof msg === 'object' && msg !== null && (t === 'query' || t === 'cancel-query');
}

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every(isString);
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);

/** The problem with each method's args, or undefined (shapes only; files and handles are checked when used). */
const ARG_CHECKS: { [M in QueryMethod]: (a: Record<string, unknown>) => string | undefined } = {
  loadPairs: (a) => !isStrings(a.files) ? 'files must be a non-empty array of paths'
    : !optional(a.name, (x) => typeof x === 'string') ? 'name must be a string'
    : !optional(a.limit, (x) => Number.isInteger(x) && (x as number) > 0) ? 'limit must be a positive integer' : undefined,
  loadModel: (a) => !isString(a.path) ? 'path must be a checkpoint path' : !optional(a.replaces, isString) ? 'replaces must be a handle' : undefined,
  unloadModel: (a) => !isString(a.handle) ? 'handle must be a non-empty string' : undefined,
  score: (a) => {
    if (!isString(a.handle)) return 'handle must be a non-empty string';
    const p = a.pair as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.seekerPost !== 'string' || typeof p.responsePost !== 'string') {
      return 'pair must be { id, seekerPost, responsePost } (strings)';
    }
    return typeof a.salience !== 'boolean' ? 'salience must be true or false' : undefined;
  },
  predictLevels: (a) => !isString(a.modelPath) ? 'modelPath must be a checkpoint path' : !isStrings(a.files) ? 'files must be a non-empty array of paths' : undefined,
  variableTable: (a) => !isString(a.name) ? 'name must be a variable name'
    : !(Number.isInteger(a.maxRows) && (a.maxRows as number) > 0) ? 'maxRows must be a positive integer' : undefined,
};

/**
 * Validate a query or cancel message: undefined when well formed, else the failure to answer with
 * (its id, when the message has one, is the caller's to read).
 */
export function checkQuery(msg: unknown): QueryFailure | undefined {
  if (typeof msg !== 'object' || msg === null) return { code: 'bad-args', message: 'a query must be an object' };
  const m = msg as Record<string, unknown>;
  if (m.v !== QUERY_PROTOCOL_VERSION) {
    return { code: 'version', message: `unsupported query protocol version ${JSON.stringify(m.v)} (this kernel speaks v${QUERY_PROTOCOL_VERSION}; rebuild the workbench)` };
  }
  if (!isString(m.id)) return { code: 'bad-args', message: 'a query needs a non-empty string id' };
  if (m.type === 'cancel-query') return undefined;
  if (typeof m.method !== 'string' || !(QUERY_METHODS as readonly string[]).includes(m.method)) {
    return { code: 'unknown-method', message: `unknown query method ${JSON.stringify(m.method)} (known: ${QUERY_METHODS.join(', ')})` };
  }
  if (typeof m.args !== 'object' || m.args === null) return { code: 'bad-args', message: `${m.method}: args must be an object` };
  const problem = ARG_CHECKS[m.method as QueryMethod](m.args as Record<string, unknown>);
  return problem ? { code: 'bad-args', message: `${m.method}: ${problem}` } : undefined;
}

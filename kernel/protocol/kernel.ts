// The kernel-process protocol: typed, versioned messages between a host (the VS Code extension, the
// headless runner, tests) and the kernel child process, over Node IPC (child_process.fork).
// Every message is a discriminated union member `{ type, v: 1, ... }`. Browser-safe: types only.
//
// Lifecycle
//   host forks kernel/process/main.js ──► kernel sends `hello` once it is ready.
//   host `execute` ──► kernel streams `started`, then any of `diagnostics` (once) / `stream` / `display` /
//   `result` / `error`, and ends that execution with exactly ONE `done` (status ok | error | interrupted).
//   Executions run one at a time, in the order they were sent (a FIFO queue in the kernel).
//   host `interrupt` ──► the running execution's AbortSignal is aborted (training stops at the next
//   batch, keeping the weights of the last completed step; awaits of `sleep`, fetches… reject), queued
//   executions are cancelled (each still gets its `done`, status 'interrupted'). The client also sends
//   SIGINT, which stops a synchronous loop in a cell's first synchronous stretch (variables kept).
//   Any other synchronous runaway loop cannot see the signal: the CLIENT then kills the process after a
//   grace period, emits a `stream` (stderr) saying so plus the `done`, and starts a fresh kernel (a
//   `restarted` event with reason 'interrupt-timeout'); all state is lost in that case only.
//   host `restart` ──► state cleared (a new process), `restarted` + a new `hello`.
//   host `query` ──► one `answer` (kernel/protocol/query.ts: the panels' typed requests, handled by the
//   kernel directly, queued apart from the cells; `cancel-query` ends one early). Their own version.
//   Lines and columns are 1-based and refer to the cell's own source text.
//
// Hosts normally use the client rather than raw messages (kernel/process/client.ts):
//   const k = new KernelClient({ cwd, onEvent? });  const hello = await k.start();
//   const run = k.execute(cellId, code, options);    // Execution: AsyncIterable<ExecutionEvent>
//   for await (const e of run) { … }                 // ends after its `done`; or `await run.done`
//   await k.interrupt(); await k.restart(); await k.variables(); await k.complete(code, offset);
//   await k.query('score', { handle, pair, salience: true }, { signal });   // typed by QueryMethods
//   k.onEvent(listener) (every event, incl. display updates after done, restarted, exit); await k.dispose();
import type { BackendInfo } from '../../dataset/results';
export type { BackendInfo } from '../../dataset/results';
import type { MimeBundle } from './mime';
import type { CancelQueryRequest, QueryAnswer, QueryRequest, QUERY_PROTOCOL_VERSION } from './query';

export const KERNEL_PROTOCOL_VERSION = 1 as const;

// ───────────────────────────── requests (host → kernel) ─────────────────────────────

export interface ExecuteOptions {
  /** Type-check the cell against earlier cells' declarations and emit `diagnostics` (default true). */
  typecheck?: boolean;
  /** Do not run the cell when it has type errors; it ends with status 'error' (default false). */
  blockOnTypeErrors?: boolean;
  /** Display the value of the cell's last expression as a `result` (default true). */
  displayLastExpression?: boolean;
  /** Abort the cell (as an interrupt) after this many milliseconds (default: no limit). */
  timeoutMs?: number;
}

export interface ExecuteRequest {
  type: 'execute';
  v: 1;
  /** Request id, unique per host; every event of this execution carries it. */
  id: string;
  /** The notebook cell's stable id (used for source names in stacks: `cell-<cellId>.ts`). */
  cellId: string;
  code: string;
  options?: ExecuteOptions;
}

export interface InterruptRequest { type: 'interrupt'; v: 1; id: string }
/** Handled by the client (a new process); the kernel answers `ack` before exiting. */
export interface ShutdownRequest { type: 'shutdown'; v: 1; id: string }
export interface VariablesRequest { type: 'variables'; v: 1; id: string }
/** Completion at `offset` (UTF-16 index) into `code`, seen as a new cell after every executed one. */
export interface CompleteRequest { type: 'complete'; v: 1; id: string; code: string; offset: number }

export type KernelRequest = ExecuteRequest | InterruptRequest | ShutdownRequest | VariablesRequest | CompleteRequest | QueryRequest | CancelQueryRequest;

/**
 * Restart is a client operation (kill the process, fork a new one), not a message; the protocol
 * names it so hosts can log/trace it uniformly.
 */
export type KernelOperation = KernelRequest['type'] | 'restart';

// ───────────────────────────── shared shapes ─────────────────────────────

/** A TypeScript (or transpiler) diagnostic, positioned in the cell's own source (1-based). */
export interface CellDiagnostic {
  severity: 'error' | 'warning' | 'info';
  /** TypeScript error code (e.g. 2322), 0 when not from the checker. */
  code: number;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  source: 'typescript' | 'syntax';
}

/** One frame of a runtime error's stack, mapped back to the cell when it ran in cell code. */
export interface StackFrame {
  /** Function name ('<cell>' for top-level cell code), may be empty. */
  functionName: string;
  /** `cell-<cellId>.ts` for cell code, otherwise the module file. */
  file: string;
  /** Cell id when the frame is in a cell. */
  cellId?: string;
  line?: number;
  column?: number;
}

export interface VariableInfo {
  name: string;
  /** Runtime type, e.g. 'number', 'string', 'Array(3)', 'DataFrame', 'Tensor float32 [2,3]', 'function'. */
  type: string;
  /** Short one-line preview (at most ~120 chars). */
  value: string;
  /** How the cell declared it (re-running the declaring cell redefines it, const included). */
  kind: 'const' | 'let' | 'var' | 'function' | 'class' | 'import';
}

export interface CompletionItem {
  label: string;
  kind: 'variable' | 'function' | 'class' | 'property' | 'method' | 'keyword' | 'module' | 'other';
  detail?: string;
}

export interface VersionInfo {
  node: string;
  typescript: string;
  /** @tensorflow/tfjs version when loaded. */
  tfjs?: string;
  /** The workbench package version. */
  workbench: string;
}

// ───────────────────────────── events (kernel → host) ─────────────────────────────

/** Sent once per process start, when the kernel is ready for requests. */
export interface HelloEvent {
  type: 'hello';
  v: 1;
  protocol: typeof KERNEL_PROTOCOL_VERSION;
  pid: number;
  versions: VersionInfo;
  /** Engine backend, when already initialised (it is initialised lazily on first engine use). */
  backend?: BackendInfo;
  /** The kernel's V8 heap limit in MB (so an out-of-memory death can be reported with it). */
  heapLimitMb?: number;
  /** The query protocol version it answers (kernel/protocol/query.ts). */
  queryProtocol: typeof QUERY_PROTOCOL_VERSION;
}

/** The engine backend was (re)initialised. */
export interface BackendEvent { type: 'backend'; v: 1; backend: BackendInfo }

interface ExecutionEventBase {
  v: 1;
  /** The execute request's id. */
  id: string;
  cellId: string;
}

/** The execution left the queue and started running (executionCount assigned). */
export interface StartedEvent extends ExecutionEventBase { type: 'started'; executionCount: number }

export interface StreamEvent extends ExecutionEventBase { type: 'stream'; name: 'stdout' | 'stderr'; text: string }

/**
 * A rich output (display.* API). With `displayId`, later events with the same id and `update: true`
 * replace it in place (live loss curves). Update events may also arrive after the cell's `done` when
 * background work (e.g. a non-awaited training run) keeps publishing; hosts may drop those.
 */
export interface DisplayEvent extends ExecutionEventBase {
  type: 'display';
  bundle: MimeBundle;
  displayId?: string;
  update?: boolean;
}

/** The value of the cell's last expression (not sent for `undefined`). */
export interface ResultEvent extends ExecutionEventBase { type: 'result'; bundle: MimeBundle; executionCount: number }

/** A runtime (or blocking type) error ended the cell. Followed by `done` with status 'error'. */
export interface ErrorEvent extends ExecutionEventBase {
  type: 'error';
  name: string;
  message: string;
  /** The stack text with cell frames rewritten to `cell-<cellId>.ts:LINE:COL`. */
  stack: string;
  frames: StackFrame[];
  /** Position in the executing cell (its innermost frame; else the innermost frame of any cell), 1-based. */
  line?: number;
  column?: number;
  /** Set when the error is "blocked by type errors" (blockOnTypeErrors). */
  diagnostics?: CellDiagnostic[];
}

/**
 * TypeScript diagnostics for the cell (empty array = clean), at most once per execution, always
 * before its `done`. The check runs on its own thread while the cell runs, so they may follow some
 * of the cell's output; with `blockOnTypeErrors` they come before the cell runs.
 */
export interface DiagnosticsEvent extends ExecutionEventBase { type: 'diagnostics'; diagnostics: CellDiagnostic[] }

/** The end of an execution: exactly once per execute request. */
export interface DoneEvent extends ExecutionEventBase {
  type: 'done';
  status: 'ok' | 'error' | 'interrupted';
  /** null when the execution was cancelled before it started (queued behind an interrupted one). */
  executionCount: number | null;
  durationMs: number;
}

export interface VariablesEvent { type: 'variables'; v: 1; id: string; variables: VariableInfo[] }
export interface CompletionsEvent { type: 'completions'; v: 1; id: string; items: CompletionItem[]; from: number; to: number }

/** Answer to interrupt / shutdown. */
export interface AckEvent { type: 'ack'; v: 1; id: string; request: 'interrupt' | 'shutdown' }

/** A request could not be handled (malformed, unknown type, wrong protocol version). */
export interface ProtocolErrorEvent { type: 'protocol-error'; v: 1; id?: string; message: string }

/** Emitted by the client (not the process) after a new kernel process replaced the old one. */
export interface RestartedEvent {
  type: 'restarted';
  v: 1;
  reason: 'user' | 'interrupt-timeout' | 'crash';
  message: string;
}

/** Emitted by the client when the kernel process exited unexpectedly. */
export interface ExitEvent { type: 'exit'; v: 1; code: number | null; signal: string | null; message: string }

export type ExecutionEvent =
  | StartedEvent | StreamEvent | DisplayEvent | ResultEvent | ErrorEvent | DiagnosticsEvent | DoneEvent;

export type KernelEvent =
  | HelloEvent | BackendEvent | ExecutionEvent | VariablesEvent | CompletionsEvent | AckEvent
  | ProtocolErrorEvent | RestartedEvent | ExitEvent | QueryAnswer;

const REQUEST_TYPES: ReadonlySet<string> = new Set(['execute', 'interrupt', 'shutdown', 'variables', 'complete']);

/** Validate an incoming cell-protocol request; returns an error message or undefined (queries: checkQuery). */
export function checkRequest(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return 'request is not an object';
  const m = msg as Record<string, unknown>;
  if (m.v !== KERNEL_PROTOCOL_VERSION) return `unsupported protocol version ${String(m.v)} (kernel speaks v${KERNEL_PROTOCOL_VERSION})`;
  if (typeof m.type !== 'string' || !REQUEST_TYPES.has(m.type)) return `unknown request type ${JSON.stringify(m.type)}`;
  if (typeof m.id !== 'string' || m.id === '') return 'request.id must be a non-empty string';
  if (m.type === 'execute') {
    if (typeof m.cellId !== 'string') return 'execute.cellId must be a string';
    if (typeof m.code !== 'string') return 'execute.code must be a string';
  }
  if (m.type === 'complete' && (typeof m.code !== 'string' || typeof m.offset !== 'number')) return 'complete needs code and offset';
  return undefined;
}

export function isExecutionEvent(e: KernelEvent): e is ExecutionEvent {
  return e.type === 'started' || e.type === 'stream' || e.type === 'display' || e.type === 'result' ||
    e.type === 'error' || e.type === 'diagnostics' || e.type === 'done';
}

/** The kernel process's environment variable listing folders (path-delimited) from which optional native
 *  backends (tfjs-node, tfjs-node-gpu) may load besides the engine's own node_modules: set by the
 *  extension for a trusted workspace only (kernel/engine/nativeModule.ts). */
export const NATIVE_MODULE_PATH_ENV = 'EMPATHY_NATIVE_MODULE_PATH';

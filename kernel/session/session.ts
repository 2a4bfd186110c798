// The cell executor: runs TypeScript cells one at a time in a persistent scope and reports each
// execution as protocol events ending in exactly one `done`. Used in-process by tests and hosted by
// the kernel process (kernel/process/main.ts). tslab-like surface: execute(), interrupt(), reset(), locals.
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import * as vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import type {
  CellDiagnostic, DisplayEvent, DoneEvent, ErrorEvent, ExecuteOptions, ExecuteRequest, ExecutionEvent, ResultEvent, VariableInfo,
} from '../protocol/kernel';
import type { MimeBundle } from '../protocol/mime';
import { installKernelContext, type KernelContext } from '../api/context';
import { describeVariable, toBundle } from './inspect';
import { CellModules, defaultOf, member, namespaceOf } from './modules';
import { Scope } from './scope';
import { CellSourceMaps } from './stack';
import { RUNTIME_ID, transpileCell, type TranspiledCell } from './transpile';
import { TypecheckThread, type Completions } from './typecheckThread';

export interface SessionOptions {
  /** Folder cells run in: imports resolve from it, relative paths start there (default process.cwd()). */
  cwd?: string;
  /** Route every process.stdout/stderr write to the running cell (the kernel process does; default false). */
  captureProcessOutput?: boolean;
  /** After an interrupt, how long a cell may take to stop by itself before its execution is ended (ms, default 500). */
  interruptSettleMs?: number;
  /** Defaults for every execution's options. */
  defaults?: ExecuteOptions;
  /** Start the type checker (its own thread) right away so the first cell's check is quick (default false). */
  warmTypecheck?: boolean;
}

/** Thrown by `rt.tick()` (between statements / loop iterations) once the cell was interrupted. */
export class InterruptedError extends Error {
  constructor(message = 'Interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** What an in-process `execute()` returns: every event plus convenient views of them. */
export interface ExecutionSummary {
  status: DoneEvent['status'];
  executionCount: number | null;
  durationMs: number;
  events: ExecutionEvent[];
  /** The last expression's raw value (in-process only). */
  value?: unknown;
  result?: MimeBundle;
  stdout: string;
  stderr: string;
  diagnostics: CellDiagnostic[];
  displays: DisplayEvent[];
  error?: ErrorEvent;
}

interface Running {
  id: string;
  cellId: string;
  controller: AbortController;
  emit: (e: ExecutionEvent) => void;
  reason?: 'interrupt' | 'timeout';
}

/** What an execution ends with: its `done` plus, in-process, the last expression's raw value. */
type Finished = DoneEvent & { value?: unknown };
const isFinished = (r: object): r is Finished => (r as { type?: unknown }).type === 'done';

/** How the cell's promise ended: a value, an error, or abandoned after an interrupt it did not heed. */
type Outcome = { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'abandoned' };

/** One execution in progress: what every phase of `runOne` needs. */
interface Execution {
  req: ExecuteRequest;
  emit: (e: ExecutionEvent) => void;
  running: Running;
  options: ExecuteOptions;
  count: number;
  t0: number;
  base: { v: 1; id: string; cellId: string };
  sourceName: string;
  /** The time limit's timer (cleared once the cell settles, and in any case at the end). */
  timer?: NodeJS.Timeout;
  ended: boolean;
  /** End the execution (exactly once): emit `done`, return it with the raw value if any. */
  finish: (status: DoneEvent['status'], value?: { value: unknown }) => Finished;
}

interface Queued {
  req: ExecuteRequest;
  emit: (e: ExecutionEvent) => void;
  resolve: (d: DoneEvent & { value?: unknown }) => void;
}

const DISPLAY_HANDLE = Symbol.for('empathy.displayHandle');
const SIGINT_MESSAGE = /Script execution was interrupted by `SIGINT`/;

export class Session {
  readonly cwd: string;
  private scope!: Scope;
  private modules!: CellModules;
  private typechecker: TypecheckThread | undefined;
  private readonly maps = new CellSourceMaps();
  private count = 0;
  private running: Running | undefined;
  /** The last execution, so background output (timers, un-awaited work) still has a home. */
  private last: Running | undefined;
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly settleMs: number;
  private readonly defaults: ExecuteOptions;
  private restoreOutput: (() => void) | undefined;
  private readonly cellConsole: Console;
  private nextId = 0;
  private previousContext: KernelContext | undefined;
  private readonly hostConsole: Console = globalThis.console;

  constructor(opts: SessionOptions = {}) {
    this.cwd = opts.cwd ?? process.cwd();
    this.settleMs = opts.interruptSettleMs ?? 500;
    this.defaults = opts.defaults ?? {};
    // Writables whose callback fires synchronously, so console output reaches the host in order.
    const sink = (name: 'stdout' | 'stderr') => new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _enc, cb) => { this.stream(name, chunk); cb(); },
    });
    this.cellConsole = new Console({ stdout: sink('stdout'), stderr: sink('stderr'), colorMode: false });
    this.resetState();
    this.previousContext = installKernelContext({
      publish: (bundle, o) => {
        const r = this.running ?? this.last;
        r?.emit({ type: 'display', v: 1, id: r.id, cellId: r.cellId, bundle, ...(o.displayId ? { displayId: o.displayId } : {}), ...(o.update ? { update: true } : {}) });
      },
      signal: () => this.running?.controller.signal,
    });
    if (opts.captureProcessOutput) this.captureProcessOutput();
    if (opts.warmTypecheck) this.checker().warm();
  }

  private checker(): TypecheckThread {
    return (this.typechecker ??= new TypecheckThread(this.cwd));
  }

  /** Current top-level variables `{ name: value }` (a snapshot). */
  get locals(): Record<string, unknown> {
    return this.scope.snapshot();
  }

  get executionCount(): number {
    return this.count;
  }

  private resetState(): void {
    const self = this;
    const builtins = Object.create(null) as Record<string, unknown>;
    const hostConsole = this.hostConsole;
    Object.defineProperties(builtins, {
      [RUNTIME_ID]: { value: this.rt, enumerable: false },
      // Cell output while a cell runs; the host's own console otherwise (in-process hosts keep theirs).
      console: { get: () => (self.running ? self.cellConsole : hostConsole), enumerable: true },
      require: { value: (spec: string) => self.modules.require(spec), enumerable: true },
      // The API loads the engine (and tfjs) on first use only.
      empathy: { get: () => self.loadApi(), enumerable: true },
      display: { get: () => (self.loadApi() as { display: unknown }).display, enumerable: true },
      signal: { get: () => self.running?.controller.signal ?? new AbortController().signal, enumerable: true },
      sleep: { value: (ms: number) => self.sleep(ms), enumerable: true },
    });
    this.scope?.clear();
    this.scope = new Scope(builtins);
    this.modules = new CellModules(this.cwd, () => this.loadApi());
    this.typechecker?.reset();
  }

  private loadApi(): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../api/index');
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.running?.controller.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new InterruptedError());
      const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      const onAbort = () => { clearTimeout(t); reject(new InterruptedError()); };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The process's own stream writers while captureProcessOutput has replaced them. */
  private rawWrite?: Record<'stdout' | 'stderr', (text: string) => void>;

  private stream(name: 'stdout' | 'stderr', chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const r = this.running ?? this.last;
    if (!r) {
      // Output with no cell to own it (a panel query before any cell ran): the process's own streams, through
      // the writers captureProcessOutput replaced (the patched ones would call back here, forever).
      (this.rawWrite?.[name] ?? ((t: string) => (name === 'stdout' ? process.stdout : process.stderr).write(t)))(text);
      return;
    }
    r.emit({ type: 'stream', v: 1, id: r.id, cellId: r.cellId, name, text });
  }

  private captureProcessOutput(): void {
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    this.rawWrite = { stdout: (t) => out(t), stderr: (t) => err(t) };
    const patch = (name: 'stdout' | 'stderr') => ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      this.stream(name, chunk);
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = patch('stdout');
    process.stderr.write = patch('stderr');
    this.restoreOutput = () => {
      process.stdout.write = out;
      process.stderr.write = err;
      this.rawWrite = undefined;
    };
  }

  /** The runtime object generated cell code calls (`__empathy_rt.*`). */
  private readonly rt = {
    tick: () => {
      if (this.running?.controller.signal.aborted) throw new InterruptedError();
    },
    lock: (names: string[]) => this.scope.lock(names),
    publish: (name: string, value: unknown) => { (globalThis as Record<string, unknown>)[name] = value; },
    import: (spec: string) => this.modules.import(String(spec)),
    require: (spec: string) => this.modules.require(spec),
    defaultOf,
    namespaceOf,
    member,
  };

  /** Queue a cell; resolves with its `done` (plus the raw last value). Events go to `emit`. */
  run(req: ExecuteRequest, emit: (e: ExecutionEvent) => void): Promise<DoneEvent & { value?: unknown }> {
    return new Promise((resolve) => {
      this.queue.push({ req, emit, resolve });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const q = this.queue.shift()!;
        q.resolve(await this.runOne(q.req, q.emit));
        // Let pending messages (an interrupt for what was queued) arrive before the next cell starts.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  /** tslab-style convenience: run `code` and collect what it produced. */
  async execute(code: string, opts: ExecuteOptions & { cellId?: string; onEvent?: (e: ExecutionEvent) => void } = {}): Promise<ExecutionSummary> {
    const events: ExecutionEvent[] = [];
    const { cellId, onEvent, ...options } = opts;
    const id = `exec-${++this.nextId}`;
    const done = await this.run({ type: 'execute', v: 1, id, cellId: cellId ?? `c${this.nextId}`, code, options }, (e) => {
      events.push(e);
      onEvent?.(e);
    });
    const text = (name: string) => events.filter((e) => e.type === 'stream' && e.name === name).map((e) => (e as { text: string }).text).join('');
    const result = events.find((e): e is ResultEvent => e.type === 'result');
    const error = events.find((e): e is ErrorEvent => e.type === 'error');
    return {
      status: done.status, executionCount: done.executionCount, durationMs: done.durationMs, events,
      ...('value' in done ? { value: done.value } : {}),
      ...(result ? { result: result.bundle } : {}),
      stdout: text('stdout'), stderr: text('stderr'),
      diagnostics: events.flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics : [])),
      displays: events.filter((e): e is DisplayEvent => e.type === 'display'),
      ...(error ? { error } : {}),
    };
  }

  /** One cell, phase by phase: transpile → type-check gate → scope → vm (raced with an interrupt) → display. */
  private async runOne(req: ExecuteRequest, emit: (e: ExecutionEvent) => void): Promise<Finished> {
    const x = this.beginExecution(req, emit);
    try {
      emit({ ...x.base, type: 'started', executionCount: x.count });
      const cell = this.transpilePhase(x);
      if (isFinished(cell)) return cell;
      const gate = await this.typecheckPhase(x);
      if (isFinished(gate)) return gate;
      const refused = this.scopePhase(x, cell);
      if (refused) return refused;
      const outcome = await this.vmPhase(x, cell);
      if (x.timer) clearTimeout(x.timer); // the time limit covers the cell, not the type check
      return await this.settlePhase(x, outcome, gate.pendingDiagnostics);
    } catch (e) {
      // A kernel bug, not a cell error: still end the execution exactly once.
      if (!x.ended) {
        emit({ ...x.base, type: 'error', name: 'KernelError', message: (e as Error)?.message ?? String(e), stack: String((e as Error)?.stack ?? e), frames: [] });
        return x.finish('error');
      }
      throw e;
    } finally {
      if (x.timer) clearTimeout(x.timer);
      if (this.running === x.running) this.running = undefined;
    }
  }

  /** Number the execution, make it the running one, and give it `finish`, which ends it exactly once. */
  private beginExecution(req: ExecuteRequest, emit: (e: ExecutionEvent) => void): Execution {
    const running: Running = { id: req.id, cellId: req.cellId, controller: new AbortController(), emit };
    this.running = running;
    this.last = running;
    const x: Execution = {
      req, emit, running,
      options: { ...this.defaults, ...req.options },
      count: ++this.count,
      t0: performance.now(),
      base: { v: 1 as const, id: req.id, cellId: req.cellId },
      sourceName: `cell-${req.cellId}.ts`,
      ended: false,
      // Every execution ends exactly once, whatever happens in its phases.
      finish: (status, value) => {
        if (x.ended) throw new Error('execution already ended');
        x.ended = true;
        const done: DoneEvent = { ...x.base, type: 'done', status, executionCount: x.count, durationMs: performance.now() - x.t0 };
        emit(done);
        return value ? { ...done, ...value } : done;
      },
    };
    return x;
  }

  /** Phase 1: TypeScript → the runnable cell; a syntax error ends the execution. */
  private transpilePhase(x: Execution): TranspiledCell | Finished {
    const { base, emit, req, sourceName } = x;
    let cell: TranspiledCell;
    try {
      cell = transpileCell(req.code, sourceName);
    } catch (e) {
      emit({ ...base, type: 'error', name: 'SyntaxError', message: (e as Error).message, stack: `SyntaxError: ${(e as Error).message}`, frames: [] });
      return x.finish('error');
    }
    if (cell.syntaxErrors.length > 0) {
      const first = cell.syntaxErrors[0];
      emit({ ...base, type: 'diagnostics', diagnostics: cell.syntaxErrors });
      emit({
        ...base, type: 'error', name: 'SyntaxError', message: first.message,
        stack: `SyntaxError: ${first.message}\n    at ${sourceName}:${first.line}:${first.column}`,
        frames: [{ functionName: '<cell>', file: sourceName, cellId: req.cellId, line: first.line, column: first.column }],
        line: first.line, column: first.column, diagnostics: cell.syntaxErrors,
      });
      return x.finish('error');
    }
    return cell;
  }

  /**
   * Phase 2: the type-check gate. Type checking runs on its own thread, concurrently with the cell (unless
   * it must block, when type errors end the execution); its diagnostics arrive before the cell's `done`.
   */
  private async typecheckPhase(x: Execution): Promise<{ pendingDiagnostics?: Promise<void> } | Finished> {
    const { base, emit, req, options, sourceName } = x;
    const typecheck = options.typecheck ?? true;
    let pendingDiagnostics: Promise<void> | undefined;
    if (typecheck) {
      const checking = this.checker().check(req.code).then(
        (diagnostics) => ({ diagnostics, failure: undefined as string | undefined }),
        (e: Error) => ({ diagnostics: [] as CellDiagnostic[], failure: e.message }),
      );
      const report = (r: { diagnostics: CellDiagnostic[]; failure?: string }) => {
        if (x.ended) return;
        if (r.failure) emit({ ...base, type: 'stream', name: 'stderr', text: `(type check skipped: ${r.failure})\n` });
        emit({ ...base, type: 'diagnostics', diagnostics: r.diagnostics });
      };
      if (options.blockOnTypeErrors) {
        const r = await checking;
        report(r);
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length > 0) {
          const first = errors[0];
          emit({
            ...base, type: 'error', name: 'TypeScriptError',
            message: `${errors.length} type error${errors.length > 1 ? 's' : ''}; the cell was not run. First: ${first.message}`,
            stack: errors.map((d) => `${sourceName}:${d.line}:${d.column} - error TS${d.code}: ${d.message}`).join('\n'),
            frames: [], line: first.line, column: first.column, diagnostics: r.diagnostics,
          });
          return x.finish('error');
        }
      } else {
        pendingDiagnostics = checking.then(report);
      }
    }
    // Later cells' checks see this cell's declarations (as inferred, or `any` when unchecked).
    if (typecheck || this.typechecker) this.checker().commit(req.code, typecheck);
    return { pendingDiagnostics };
  }

  /** Phase 3: the cell's declarations enter the persistent scope, or a refused redeclaration ends it. */
  private scopePhase(x: Execution, cell: TranspiledCell): Finished | undefined {
    const refused = cell.declared.map((d) => this.scope.check(d.name)).find((r) => r !== undefined);
    if (refused) {
      x.emit({ ...x.base, type: 'error', name: 'ScopeError', message: refused, stack: `ScopeError: ${refused}`, frames: [] });
      return x.finish('error');
    }
    for (const d of cell.declared) this.scope.define(d.name, d.kind);
    return undefined;
  }

  /**
   * Phase 4: run the cell in the vm under its time limit, raced with an interrupt: a cell that does not
   * stop by itself within settleMs of the abort is abandoned.
   */
  private async vmPhase(x: Execution, cell: TranspiledCell): Promise<Outcome> {
    const { running, options } = x;
    const file = `empathy-cell-${x.count}.js`;
    this.maps.register(file, x.req.cellId, cell.sourceMap, 1, cell.js.split('\n').length);
    // A strict script whose value is the cell's promise; cell names are globals (see scope.ts).
    const wrapper = `'use strict'; (async () => {\n${cell.js}\n})()`;

    const signal = running.controller.signal;
    if (options.timeoutMs && options.timeoutMs > 0) {
      x.timer = setTimeout(() => { running.reason = 'timeout'; running.controller.abort(new InterruptedError('timeout')); }, options.timeoutMs);
    }
    let promise: Promise<unknown>;
    try {
      promise = vm.runInThisContext(wrapper, {
        filename: file,
        // Ctrl-C / SIGINT stops a synchronous loop in the cell's first synchronous stretch.
        breakOnSigint: true,
        importModuleDynamically: (vm as unknown as { constants: { USE_MAIN_CONTEXT_DEFAULT_LOADER: never } }).constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      }) as Promise<unknown>;
    } catch (e) {
      promise = Promise.reject(e);
    }
    const settled: Promise<Outcome> = promise.then((value) => ({ kind: 'value', value }), (error) => ({ kind: 'error', error }));
    const abandoned = new Promise<Outcome>((resolve) => {
      const onAbort = () => setTimeout(() => resolve({ kind: 'abandoned' }), this.settleMs);
      if (signal.aborted) onAbort(); else signal.addEventListener('abort', onAbort, { once: true });
      void settled.then(() => signal.removeEventListener('abort', onAbort));
    });
    return Promise.race([settled, abandoned]);
  }

  /** Phase 5: wait for the diagnostics (unless interrupted), then end as interrupted, error or ok. */
  private async settlePhase(x: Execution, outcome: Outcome, pendingDiagnostics: Promise<void> | undefined): Promise<Finished> {
    const signal = x.running.controller.signal;
    const sigint = outcome.kind === 'error' && outcome.error instanceof Error && SIGINT_MESSAGE.test(outcome.error.message);
    const interrupted = signal.aborted || sigint;
    // Diagnostics come before `done`; an interrupt meanwhile stops the wait (not the status).
    if (pendingDiagnostics && !interrupted) {
      await Promise.race([pendingDiagnostics, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
    }
    if (interrupted) return this.endInterrupted(x, outcome, sigint);
    if (outcome.kind === 'error') {
      const m = this.maps.describe(outcome.error, x.req.cellId);
      x.emit({ ...x.base, type: 'error', ...m });
      return x.finish('error');
    }
    return this.displayPhase(x, outcome.kind === 'value' ? outcome.value : undefined);
  }

  /** An interrupted cell: say why (the time limit or an interrupt) and that its variables are kept. */
  private endInterrupted(x: Execution, outcome: Outcome, sigint: boolean): Finished {
    const { options, running } = x;
    // A synchronous loop is stopped by the host's SIGINT before our own timer can fire: past the
    // limit, that interrupt is the time limit's too.
    const overTime = !!options.timeoutMs && performance.now() - x.t0 >= options.timeoutMs;
    const why = running.reason === 'timeout' || (running.reason !== 'interrupt' && overTime)
      ? `Cell timed out after ${((options.timeoutMs ?? 0) / 1000).toFixed(1)} s and was interrupted`
      : 'Interrupted';
    const extra = outcome.kind === 'abandoned' ? ' (it did not stop by itself; its pending work was abandoned)' : '';
    x.emit({ ...x.base, type: 'stream', name: 'stderr', text: `${why}${extra}; variables are kept.\n` });
    if (sigint) this.cancelQueued();
    return x.finish('interrupted');
  }

  /** Phase 6: display the last expression's value (not a display handle) as the cell's result. */
  private displayPhase(x: Execution, ret: unknown): Finished {
    if (Array.isArray(ret) && ret.length === 1) {
      const value = ret[0];
      const isHandle = typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DISPLAY_HANDLE] === true;
      if (value !== undefined && !isHandle && x.options.displayLastExpression !== false) {
        let bundle: MimeBundle;
        try {
          bundle = toBundle(value);
        } catch (e) {
          bundle = { 'text/plain': `<value could not be displayed: ${(e as Error).message}>` };
        }
        x.emit({ ...x.base, type: 'result', bundle, executionCount: x.count });
      }
      return x.finish('ok', { value });
    }
    return x.finish('ok');
  }

  /** Cancel queued (not yet started) executions: each gets its `done` with status 'interrupted'. */
  private cancelQueued(): void {
    for (const q of this.queue.splice(0)) {
      const done: DoneEvent = { type: 'done', v: 1, id: q.req.id, cellId: q.req.cellId, status: 'interrupted', executionCount: null, durationMs: 0 };
      q.emit(done);
      q.resolve(done);
    }
  }

  /**
   * Interrupt: abort the running cell's signal (training stops at the next batch, `sleep` and
   * rt.tick() throw) and cancel queued cells. Returns whether something was running or queued.
   */
  interrupt(): boolean {
    const had = this.running !== undefined || this.queue.length > 0;
    this.cancelQueued();
    if (this.running) {
      this.running.reason ??= 'interrupt';
      this.running.controller.abort(new InterruptedError());
    }
    return had;
  }

  /** The variables listing (name, runtime type, short value), in declaration order. */
  variables(): VariableInfo[] {
    return this.scope.names().map((n) => {
      const k = this.scope.kind(n)!;
      return describeVariable(n, k === 'enum' ? 'const' : k, this.scope.get(n));
    });
  }

  /** The variable a cell declared as `name`, with its current value; undefined when none did (kernel queries read it). */
  variable(name: string): { value: unknown } | undefined {
    return this.scope.has(name) ? { value: this.scope.get(name) } : undefined;
  }

  /** Completions at `offset` in `code`, seen as the next cell. */
  complete(code: string, offset: number): Promise<Completions> {
    return this.checker().complete(code, offset);
  }

  /** Forget every variable and declaration (the process-level restart is the client's). */
  reset(): void {
    this.interrupt();
    this.resetState();
  }

  dispose(): void {
    this.interrupt();
    this.restoreOutput?.();
    this.typechecker?.dispose();
    this.scope.clear();
    installKernelContext(this.previousContext);
  }
}

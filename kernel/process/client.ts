// KernelClient: starts the kernel child process (a real Node, child_process.fork) and drives it
// through the kernel protocol. Used by the headless runner, the tests and the VS Code extension.
// Owns what the process cannot do for itself: killing and restarting it (restart, crashes, and an
// interrupt the kernel could not honour because a synchronous loop blocks its event loop).
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type {
  CompletionItem, DoneEvent, ExecuteOptions, ExecutionEvent, HelloEvent, KernelEvent, KernelRequest, VariableInfo,
} from '../protocol/kernel';
import { isExecutionEvent, KERNEL_PROTOCOL_VERSION } from '../protocol/kernel';
import { QUERY_PROTOCOL_VERSION, type QueryAnswer, type QueryArgs, type QueryErrorCode, type QueryMethod, type QueryResult } from '../protocol/query';

export interface KernelClientOptions {
  /** Working directory of the kernel (cells' imports and relative paths resolve from it). */
  cwd?: string;
  /** The kernel's entry script. Default: main.js beside this module (tests point it at a packaged kernel). */
  kernelMain?: string;
  /** Node binary for the kernel. Default: this process's, or `node` from PATH inside Electron. */
  nodePath?: string;
  /** Extra Node flags for the kernel (e.g. ['--max-old-space-size=8192']). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Default execute options for every cell (e.g. { typecheck: false }). */
  defaults?: ExecuteOptions;
  /** After an interrupt, how long to wait for running cells to end before killing + restarting the kernel (ms, default 3000). */
  interruptGraceMs?: number;
  /** How long to wait for the kernel's hello (ms, default 60000). */
  startTimeoutMs?: number;
  /** Every event (also display updates after done, restarts, exits). */
  onEvent?: (e: KernelEvent) => void;
}

/** A running (or queued) execution: iterate its events; it ends after its `done`. */
export interface Execution extends AsyncIterable<ExecutionEvent> {
  readonly id: string;
  readonly cellId: string;
  /** Resolves with the `done` event (never rejects: failures end with a status). */
  readonly done: Promise<DoneEvent>;
  /** Events received so far. */
  readonly events: readonly ExecutionEvent[];
}

class ExecutionImpl implements Execution {
  readonly events: ExecutionEvent[] = [];
  readonly done: Promise<DoneEvent>;
  private resolveDone!: (d: DoneEvent) => void;
  private waiters: Array<() => void> = [];
  finished = false;
  /** When it was sent, and its execution count once started (for a done the client must write). */
  readonly sentAt = Date.now();
  executionCount: number | null = null;

  constructor(readonly id: string, readonly cellId: string) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  push(e: ExecutionEvent): void {
    if (this.finished) return;
    if (e.type === 'started') this.executionCount = e.executionCount;
    this.events.push(e);
    if (e.type === 'done') {
      this.finished = true;
      this.resolveDone(e);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ExecutionEvent> {
    let i = 0;
    for (;;) {
      while (i < this.events.length) yield this.events[i++];
      if (this.finished) return;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

/** A query the kernel answered with ok: false (or could not answer: the kernel died, the client was disposed). */
export class QueryError extends Error {
  constructor(readonly method: string, readonly code: QueryErrorCode | 'kernel', message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

const MAIN = path.join(__dirname, 'main.js');
/** What V8 prints on stderr when the heap limit is reached (or an allocation fails) before it aborts. */
const OUT_OF_MEMORY = /FATAL ERROR:.*out of memory|Fatal (JavaScript|process) out of memory/i;

export class KernelClient {
  private child: ChildProcess | undefined;
  private hello: HelloEvent | undefined;
  private readonly executions = new Map<string, ExecutionImpl>();
  private readonly replies = new Map<string, (e: KernelEvent) => void>();
  /** Queries awaiting their answer (kernel/protocol/query.ts), by id. */
  private readonly queries = new Map<string, { method: string; settle: (a: QueryAnswer | { kernelGone: string }) => void }>();
  private readonly listeners = new Set<(e: KernelEvent) => void>();
  private nextId = 0;
  private starting: Promise<HelloEvent> | undefined;
  private disposed = false;
  /** Set while we kill the process on purpose (restart/dispose), so its exit is not a crash. */
  private expectedExit = new WeakSet<ChildProcess>();
  private stderrTail = '';

  constructor(private readonly opts: KernelClientOptions = {}) {
    if (opts.onEvent) this.listeners.add(opts.onEvent);
  }

  /** Subscribe to every event; returns the unsubscribe function. */
  onEvent(listener: (e: KernelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get info(): HelloEvent | undefined {
    return this.hello;
  }

  private emit(e: KernelEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's bug must not break the kernel connection
      }
    }
  }

  private id(prefix: string): string {
    return `${prefix}-${process.pid}-${++this.nextId}`;
  }

  /** Start the kernel (idempotent); resolves with its hello. */
  start(): Promise<HelloEvent> {
    if (this.disposed) return Promise.reject(new Error('KernelClient was disposed'));
    if (this.child && this.hello) return Promise.resolve(this.hello);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawn(): Promise<HelloEvent> {
    const execPath = this.opts.nodePath ?? (process.versions.electron ? 'node' : process.execPath);
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.opts.env };
    if (this.opts.defaults) env.EMPATHY_KERNEL_DEFAULTS = JSON.stringify(this.opts.defaults);
    // A Node child must not inherit Electron's switch by accident; a caller that runs the kernel on
    // VS Code's own runtime (no Node on PATH) asks for it explicitly in opts.env.
    if (this.opts.env?.ELECTRON_RUN_AS_NODE === undefined) delete env.ELECTRON_RUN_AS_NODE;
    const child = fork(this.opts.kernelMain ?? MAIN, [], {
      cwd: this.opts.cwd ?? process.cwd(),
      execPath,
      execArgv: this.opts.execArgv ?? [],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.hello = undefined;
    this.stderrTail = '';
    child.stdout?.on('data', () => undefined);
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-4000);
    });
    return new Promise<HelloEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(child);
        reject(new Error(`the kernel did not start within ${(this.opts.startTimeoutMs ?? 60000) / 1000} s${this.stderrTail ? `: ${this.stderrTail}` : ''}`));
      }, this.opts.startTimeoutMs ?? 60000);
      child.on('message', (msg: KernelEvent) => {
        if (this.child !== child) return; // a replaced process's last words
        if (msg.type === 'hello') {
          clearTimeout(timer);
          if (msg.protocol !== KERNEL_PROTOCOL_VERSION) {
            this.kill(child);
            reject(new Error(`the kernel speaks protocol v${msg.protocol}; this client speaks v${KERNEL_PROTOCOL_VERSION} (rebuild the workbench)`));
            return;
          }
          this.hello = msg;
          resolve(msg);
        }
        this.onMessage(msg);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!this.hello) reject(new Error(`the kernel exited during start (code ${code}, signal ${signal})${this.stderrTail ? `: ${this.stderrTail}` : ''}`));
        this.onExit(child, code, signal);
      });
    });
  }

  private onMessage(msg: KernelEvent): void {
    if (msg.type === 'answer') {
      const q = this.queries.get(msg.id);
      this.queries.delete(msg.id);
      q?.settle(msg);
    }
    if (isExecutionEvent(msg)) this.executions.get(msg.id)?.push(msg);
    if (msg.type === 'done') this.executions.delete(msg.id);
    if ((msg.type === 'variables' || msg.type === 'completions' || msg.type === 'ack' || msg.type === 'protocol-error') && msg.id) {
      const r = this.replies.get(msg.id);
      if (r) {
        this.replies.delete(msg.id);
        r(msg);
      }
    }
    this.emit(msg);
  }

  /** End every pending execution (the process is gone): a stderr note, then its done. */
  private failPending(status: DoneEvent['status'], note: string): void {
    for (const [id, ex] of this.executions) {
      const stream: ExecutionEvent = { type: 'stream', v: 1, id, cellId: ex.cellId, name: 'stderr', text: note.endsWith('\n') ? note : note + '\n' };
      const done: DoneEvent = { type: 'done', v: 1, id, cellId: ex.cellId, status, executionCount: ex.executionCount, durationMs: Date.now() - ex.sentAt };
      ex.push(stream);
      this.emit(stream);
      ex.push(done);
      this.emit(done);
    }
    this.executions.clear();
    for (const [id, r] of this.replies) r({ type: 'protocol-error', v: 1, id, message: note });
    this.replies.clear();
    for (const q of this.queries.values()) q.settle({ kernelGone: note });
    this.queries.clear();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const heapLimitMb = this.hello?.heapLimitMb;
    this.child = undefined;
    this.hello = undefined;
    if (this.expectedExit.has(child)) return;
    // V8's out-of-memory death prints GC traces and a native stack: one line says what happened.
    const running = this.executions.values().next().value as ExecutionImpl | undefined;
    const message = OUT_OF_MEMORY.test(this.stderrTail)
      ? `The kernel ran out of memory (heap limit ${heapLimitMb ?? '?'} MB)${running ? ` in cell ${running.cellId}` : ''} and was stopped: all variables are lost (more memory: NODE_OPTIONS=--max-old-space-size=MB).`
      : `The kernel process exited unexpectedly (code ${code}, signal ${signal})${this.stderrTail ? `:\n${this.stderrTail.trim()}` : ''}`;
    this.failPending('error', message);
    this.emit({ type: 'exit', v: 1, code, signal, message });
  }

  private kill(child: ChildProcess): void {
    this.expectedExit.add(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private send(req: KernelRequest): void {
    if (!this.child?.connected) throw new Error('the kernel is not running');
    this.child.send(req);
  }

  /**
   * Run a cell. Starts the kernel if needed; executions run one after another in call order.
   * The returned Execution never throws: a dead kernel ends it with status 'error'.
   */
  execute(cellId: string, code: string, options?: ExecuteOptions): Execution {
    const id = this.id('exec');
    const ex = new ExecutionImpl(id, cellId);
    this.executions.set(id, ex);
    const go = async () => {
      try {
        await this.start();
        if (!this.executions.has(id)) return; // cancelled (restart/interrupt) while starting
        this.send({ type: 'execute', v: 1, id, cellId, code, ...(options ? { options } : {}) });
      } catch (e) {
        if (!this.executions.has(id)) return;
        this.executions.delete(id);
        const text = `Could not run the cell: ${(e as Error).message}\n`;
        for (const ev of [
          { type: 'stream', v: 1, id, cellId, name: 'stderr', text } as ExecutionEvent,
          { type: 'done', v: 1, id, cellId, status: 'error', executionCount: null, durationMs: 0 } as ExecutionEvent,
        ]) {
          ex.push(ev);
          this.emit(ev);
        }
      }
    };
    void go();
    return ex;
  }

  /**
   * Interrupt the running cell (and cancel queued ones). Awaiting work stops within a second with
   * variables kept; if the kernel does not end its executions within the grace period (a
   * synchronous loop), it is killed and restarted, which loses the variables (and says so).
   */
  async interrupt(): Promise<'idle' | 'interrupted' | 'restarted'> {
    const child = this.child;
    const pending = [...this.executions.values()];
    if (!child || !this.hello || pending.length === 0) return 'idle';
    try {
      this.send({ type: 'interrupt', v: 1, id: this.id('interrupt') });
      if (process.platform !== 'win32') child.kill('SIGINT');
    } catch {
      // the process is going away; the grace timer below handles it
    }
    const grace = this.opts.interruptGraceMs ?? 3000;
    const all = Promise.all(pending.map((p) => p.done)).then(() => true);
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), grace).unref());
    if (await Promise.race([all, timeout])) return 'interrupted';
    await this.replaceProcess('interrupt-timeout',
      `The kernel did not stop within ${(grace / 1000).toFixed(1)} s of the interrupt (a synchronous loop?), so it was killed and restarted: all variables are lost.`);
    return 'restarted';
  }

  /** Kill the process and start a fresh one; undefined when the client was disposed meanwhile. */
  private async replaceProcess(reason: 'user' | 'interrupt-timeout', note: string): Promise<HelloEvent | undefined> {
    const old = this.child;
    if (old) {
      this.kill(old);
      this.child = undefined;
      this.hello = undefined;
    }
    this.failPending('interrupted', note);
    const exited = old && old.exitCode === null && old.signalCode === null ? new Promise((r) => old.once('exit', r)) : Promise.resolve();
    await exited;
    // Disposed meanwhile (e.g. `empathy run` finished with the interrupted cell): nothing to restart.
    if (this.disposed) return undefined;
    const hello = await this.start();
    this.emit({ type: 'restarted', v: 1, reason, message: note });
    return hello;
  }

  /** A fresh kernel process: every variable, import and declaration is gone. */
  async restart(): Promise<HelloEvent> {
    const hello = await this.replaceProcess('user', 'The kernel was restarted.');
    if (!hello) throw new Error('KernelClient was disposed');
    return hello;
  }

  private request<T extends KernelEvent>(req: KernelRequest, timeoutMs = 15000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(req.id);
        reject(new Error(`the kernel did not answer ${req.type} within ${timeoutMs / 1000} s (busy in a synchronous loop?)`));
      }, timeoutMs);
      this.replies.set(req.id, (e) => {
        clearTimeout(timer);
        if (e.type === 'protocol-error') reject(new Error(e.message));
        else resolve(e as T);
      });
      try {
        this.send(req);
      } catch (e) {
        clearTimeout(timer);
        this.replies.delete(req.id);
        reject(e);
      }
    });
  }

  /** The variables listing (name, type, short value). */
  async variables(): Promise<VariableInfo[]> {
    await this.start();
    const e = await this.request<Extract<KernelEvent, { type: 'variables' }>>({ type: 'variables', v: 1, id: this.id('vars') });
    return e.variables;
  }

  /** Completions at `offset` in `code`, seen as the next cell. */
  async complete(code: string, offset: number): Promise<{ items: CompletionItem[]; from: number; to: number }> {
    await this.start();
    const e = await this.request<Extract<KernelEvent, { type: 'completions' }>>({ type: 'complete', v: 1, id: this.id('complete'), code, offset });
    return { items: e.items, from: e.from, to: e.to };
  }

  /**
   * Ask the kernel a typed query (kernel/protocol/query.ts): resolves with the method's result, rejects with
   * a QueryError (its `code` says why: 'failed' with the method's message, 'unknown-handle', 'cancelled'…).
   * Aborting `signal` cancels the query in the kernel. Queries do not wait behind running cells.
   */
  async query<M extends QueryMethod>(method: M, args: QueryArgs<M>, opts: { signal?: AbortSignal } = {}): Promise<QueryResult<M>> {
    const hello = await this.start();
    if (hello.queryProtocol !== QUERY_PROTOCOL_VERSION) {
      throw new QueryError(method, 'version', `the kernel answers query protocol v${String(hello.queryProtocol)}; this client speaks v${QUERY_PROTOCOL_VERSION} (rebuild the workbench)`);
    }
    opts.signal?.throwIfAborted();
    const id = this.id('query');
    const answer = new Promise<QueryAnswer | { kernelGone: string }>((settle) => this.queries.set(id, { method, settle }));
    const cancel = () => { try { this.send({ type: 'cancel-query', v: QUERY_PROTOCOL_VERSION, id }); } catch { /* the kernel is gone: its exit settles the query */ } };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    try {
      this.send({ type: 'query', v: QUERY_PROTOCOL_VERSION, id, method, args } as Extract<KernelRequest, { type: 'query' }>);
      const a = await answer;
      if ('kernelGone' in a) throw new QueryError(method, 'kernel', `${method}: ${a.kernelGone}`);
      if (!a.ok) throw new QueryError(method, a.error.code, a.error.message);
      return a.result as QueryResult<M>;
    } finally {
      this.queries.delete(id);
      opts.signal?.removeEventListener('abort', cancel);
    }
  }

  /** Stop the kernel (gracefully, else killed after 2 s). Pending executions end 'interrupted'. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const child = this.child;
    if (!child) return;
    this.expectedExit.add(child);
    this.failPending('interrupted', 'The kernel was shut down.');
    const exited = child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : Promise.resolve();
    try {
      this.send({ type: 'shutdown', v: 1, id: this.id('shutdown') });
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.kill(child), 2000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}

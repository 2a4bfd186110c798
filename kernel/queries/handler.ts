// The kernel's side of the query protocol (kernel/protocol/query.ts): validates each message, runs the
// queries one at a time in arrival order, answers each exactly once (ok with its result, or a failure with
// its code and a message naming what failed), cancels on request, and owns the loaded models' table
// (disposed at shutdown). The methods, and with them the engine, load on the first query. Variables are
// read from the scope it is given (the kernel process's Session), never by evaluating code.
import type { EmpathyModel } from '../engine';
import {
  checkQuery, QUERY_PROTOCOL_VERSION, type QueryAnswer, type QueryErrorCode, type QueryRequest,
} from '../protocol/query';
import { QueryFault } from './fault';
import type { QueryContext, VariableScope } from './methods';
import { ModelTable } from './modelTable';

export interface QueryHandlerOptions {
  /** Where relative data paths resolve (default: the process's working directory). */
  cwd?: string;
  /** Loads a checkpoint (default: kernel/models/families.ts loadModel, any family). */
  loadModel?: (path: string) => Promise<EmpathyModel>;
  /** The cells' variables `variableTable` reads (the kernel process passes its Session; none: that query fails). */
  variables?: VariableScope;
}

function failure(id: string, method: string, code: QueryErrorCode, message: string): QueryAnswer {
  return { type: 'answer', v: QUERY_PROTOCOL_VERSION, id, method, ok: false, error: { code, message } };
}

export class QueryHandler {
  private readonly table = new ModelTable();
  /** The tail of the FIFO: each query starts when the one before it has answered. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Queued or running queries, by id (cancel-query aborts one). */
  private readonly pending = new Map<string, AbortController>();
  private disposed = false;

  constructor(private readonly opts: QueryHandlerOptions = {}) {}

  /** Models loaded now (their tensors are held until unloaded). */
  get loadedModels(): number {
    return this.table.size;
  }

  /**
   * Handle one message of the protocol: a query is answered through `send` exactly once (resolves
   * then); a cancel aborts its query (which answers 'cancelled') and answers nothing itself.
   */
  async receive(msg: unknown, send: (a: QueryAnswer) => void): Promise<void> {
    const m = msg as { type?: unknown; id?: unknown; method?: unknown };
    const problem = checkQuery(msg);
    if (problem) {
      send(failure(typeof m?.id === 'string' ? m.id : '', typeof m?.method === 'string' ? m.method : '', problem.code, problem.message));
      return;
    }
    if (m.type === 'cancel-query') {
      this.pending.get(m.id as string)?.abort();
      return;
    }
    send(await this.answer(msg as QueryRequest));
  }

  /**
   * Run a (valid) query after those before it; never rejects: a failure is an answer. An id already
   * queued or running is refused ('bad-args'): two answers with one id could not be told apart, and a
   * cancel naming it would hit whichever was registered last.
   */
  answer(req: QueryRequest): Promise<QueryAnswer> {
    if (this.pending.has(req.id)) {
      return Promise.resolve(failure(req.id, req.method, 'bad-args', `${req.method}: query id ${JSON.stringify(req.id)} is already in flight; give each query its own id`));
    }
    const controller = new AbortController();
    this.pending.set(req.id, controller);
    const run = this.tail.then(() => this.run(req, controller.signal)).finally(() => this.pending.delete(req.id));
    this.tail = run;
    return run;
  }

  private async run(req: QueryRequest, signal: AbortSignal): Promise<QueryAnswer> {
    const { id, method } = req;
    if (this.disposed) return failure(id, method, 'cancelled', `${method} was cancelled: the kernel is shutting down`);
    if (signal.aborted) return failure(id, method, 'cancelled', `${method} was cancelled before it started`);
    try {
      const { methods } = require('./methods') as typeof import('./methods');
      const ctx: QueryContext = {
        table: this.table, signal, cwd: this.opts.cwd ?? process.cwd(), loadModel: this.opts.loadModel ?? defaultLoadModel,
        ...(this.opts.variables ? { variables: this.opts.variables } : {}),
      };
      const result = await (methods[method] as (a: unknown, c: QueryContext) => Promise<unknown>)(req.args, ctx);
      return { type: 'answer', v: QUERY_PROTOCOL_VERSION, id, method, ok: true, result } as QueryAnswer;
    } catch (e) {
      if (e instanceof QueryFault) return failure(id, method, e.code, `${method}: ${e.message}`);
      if (signal.aborted) return failure(id, method, 'cancelled', `${method} was cancelled`);
      return failure(id, method, 'failed', `${method} failed: ${String((e as Error)?.message ?? e)}`);
    }
  }

  /** Shutdown: cancel what is queued or running, and dispose every loaded model. */
  dispose(): void {
    this.disposed = true;
    for (const c of this.pending.values()) c.abort();
    this.table.disposeAll();
  }
}

/** Any family's checkpoint (required on first use: the engine is slow to load). */
function defaultLoadModel(path: string): Promise<EmpathyModel> {
  const { loadModel } = require('../models') as typeof import('../models');
  return loadModel(path);
}

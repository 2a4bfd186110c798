// The kernel's handle on the type-checker thread (typecheckWorker.ts): promise-returning check /
// complete, ordered commit/reset, a warm-up at kernel start. The thread never keeps the process alive.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CellDiagnostic, CompletionItem } from '../protocol/kernel';

export type TypecheckRequest =
  | { id: number; op: 'check'; code: string }
  | { id: number; op: 'commit'; code: string; typed: boolean }
  | { id: number; op: 'complete'; code: string; offset: number }
  | { id: number; op: 'reset' }
  | { id: number; op: 'warm' };

export interface Completions { items: CompletionItem[]; from: number; to: number }

export type TypecheckResponse =
  | { id: number; ok: true; diagnostics?: CellDiagnostic[]; completions?: Completions }
  | { id: number; ok: false; error: string };

type Body<T> = T extends { id: number } ? Omit<T, 'id'> : never;

export class TypecheckThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: TypecheckResponse) => void }>();

  constructor(private readonly cwd: string) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(__dirname, 'typecheckWorker.js'), { workerData: { cwd: this.cwd } });
    w.unref();
    w.on('message', (r: TypecheckResponse) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
    });
    const fail = (why: string) => {
      for (const [id, p] of this.pending) p.resolve({ id, ok: false, error: why });
      this.pending.clear();
      this.worker = undefined;
    };
    w.on('error', (e) => fail(`type checker failed: ${e.message}`));
    w.on('exit', (code) => fail(`type checker exited (${code})`));
    this.worker = w;
    return w;
  }

  private call(body: Body<TypecheckRequest>): Promise<TypecheckResponse> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      this.ensure().postMessage({ ...body, id });
    });
  }

  /** Start loading the compiler and the standard typings now (kernel start). */
  warm(): void {
    void this.call({ op: 'warm' });
  }

  async check(code: string): Promise<CellDiagnostic[]> {
    const r = await this.call({ op: 'check', code });
    if (!r.ok) throw new Error(r.error);
    return r.diagnostics ?? [];
  }

  /** Record the cell's declarations for later checks (ordered after earlier requests). */
  commit(code: string, typed: boolean): void {
    void this.call({ op: 'commit', code, typed });
  }

  async complete(code: string, offset: number): Promise<Completions> {
    const r = await this.call({ op: 'complete', code, offset });
    if (!r.ok) throw new Error(r.error);
    return r.completions ?? { items: [], from: offset, to: offset };
  }

  reset(): void {
    if (this.worker) void this.call({ op: 'reset' });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

// The Jupyter front's request handling with its two neighbours replaced by recorders: the channels (what
// would go on the wire) and the kernel client (a cell's events, fed by hand). Busy/idle around every
// request, execution counts, silent runs, stop_on_error aborting what was queued, display ids, and a
// display update arriving after its cell ended.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { Channels } from '../../kernel/jupyter/channels';
import { JupyterKernel } from '../../kernel/jupyter/kernel';
import { newHeader, type Message } from '../../kernel/jupyter/wire';
import type { KernelClient } from '../../kernel/process/client';
import type { DoneEvent, ExecutionEvent, KernelEvent } from '../../kernel/protocol/kernel';

interface Sent { channel: string; type: string; parent: string; content: Record<string, unknown> }

/** A cell the test ends by hand: push events, then done. */
class FakeExecution {
  readonly events: ExecutionEvent[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  readonly done: Promise<DoneEvent>;
  private resolve!: (d: DoneEvent) => void;
  constructor(readonly id: string, readonly cellId: string, readonly code: string) {
    this.done = new Promise((r) => (this.resolve = r));
  }
  push(e: ExecutionEvent): void {
    this.events.push(e);
    if (e.type === 'done') { this.finished = true; this.resolve(e); }
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<ExecutionEvent> {
    let i = 0;
    for (;;) {
      while (i < this.events.length) yield this.events[i++];
      if (this.finished) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

function setup() {
  const sent: Sent[] = [];
  const channels = { send: async (channel: string, m: Message) => { sent.push({ channel, type: m.header.msg_type, parent: (m.parent_header as { msg_id?: string }).msg_id ?? '', content: m.content as Record<string, unknown> }); } };
  const runs: FakeExecution[] = [];
  const bus = new EventEmitter();
  const started = new EventEmitter();
  const client = {
    execute: (cellId: string, code: string) => { const x = new FakeExecution(`e${runs.length}`, cellId, code); runs.push(x); started.emit('run', x); return x; },
    onEvent: (l: (e: KernelEvent) => void) => { bus.on('e', l); return () => bus.off('e', l); },
    interrupt: async () => 'idle',
  };
  const kernel = new JupyterKernel(channels as unknown as Channels, client as unknown as KernelClient, 'sess',
    async () => ({ workbench: '0.1.0', typescript: '5.9.3', node: 'v20' }), async () => undefined);
  const request = (type: string, content: Record<string, unknown>, channel: 'shell' | 'control' = 'shell') => {
    const header = newHeader(type, 'client');
    kernel.receive(channel, { identities: [Buffer.from('id')], header, parent_header: {}, metadata: {}, content, buffers: [] });
    return header.msg_id;
  };
  const nextRun = () => new Promise<FakeExecution>((r) => started.once('run', r));
  const replyTo = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = sent.find((s) => s.parent === id && s.type.endsWith('_reply'));
      if (r && sent.some((s) => s.parent === id && s.type === 'status' && s.content.execution_state === 'idle')) return r;
      await new Promise((res) => setImmediate(res));
    }
    throw new Error(`no reply to ${id}`);
  };
  const finish = (x: FakeExecution, status: DoneEvent['status'], before: ExecutionEvent[] = []) => {
    for (const e of before) x.push(e);
    x.push({ type: 'done', v: 1, id: x.id, cellId: x.cellId, status, executionCount: 1, durationMs: 1 });
  };
  return { sent, bus, request, nextRun, replyTo, finish };
}

describe('jupyter: request handling (fake channels and kernel client)', () => {
  it('execute: busy, execute_input, outputs with display ids, the result, idle; counts only stored runs', async () => {
    const k = setup();
    const running = k.nextRun();
    const id = k.request('execute_request', { code: 'x', silent: false, store_history: true });
    const x = await running;
    const base = { v: 1 as const, id: x.id, cellId: x.cellId };
    k.finish(x, 'ok', [
      { ...base, type: 'stream', name: 'stdout', text: 'hi\n' },
      { ...base, type: 'display', displayId: 'd1', bundle: { 'text/plain': 'curve' } },
      { ...base, type: 'display', displayId: 'd1', update: true, bundle: { 'text/plain': 'curve 2' } },
      { ...base, type: 'result', executionCount: 1, bundle: { 'text/plain': '42' } },
    ]);
    const reply = await k.replyTo(id);
    assert.deepEqual(reply.content, { status: 'ok', execution_count: 1, user_expressions: {}, payload: [] });
    const mine = k.sent.filter((s) => s.parent === id).map((s) => (s.type === 'status' ? `status:${s.content.execution_state}` : s.type));
    assert.deepEqual(mine, ['status:busy', 'execute_input', 'stream', 'display_data', 'update_display_data', 'execute_result', 'execute_reply', 'status:idle']);
    const update = k.sent.find((s) => s.type === 'update_display_data')!;
    assert.deepEqual(update.content.transient, { display_id: 'd1' });

    const silentRun = k.nextRun();
    const silent = k.request('execute_request', { code: 'y', silent: true });
    k.finish(await silentRun, 'ok', [{ v: 1, id: 'e1', cellId: 'in1', type: 'stream', name: 'stdout', text: 'hidden' }]);
    assert.equal((await k.replyTo(silent)).content.execution_count, 1, 'silent: not counted');
    assert.deepEqual(k.sent.filter((s) => s.parent === silent).map((s) => s.type), ['status', 'execute_reply', 'status'], 'silent: no outputs');
  });

  it('stop_on_error: requests queued behind a failing cell are aborted, later ones run', async () => {
    const k = setup();
    const first = k.nextRun();
    const failing = k.request('execute_request', { code: 'throw 1', stop_on_error: true });
    const queued = k.request('execute_request', { code: 'after' });
    const x = await first;
    k.finish(x, 'error', [{ v: 1, id: x.id, cellId: x.cellId, type: 'error', name: 'Error', message: 'boom', stack: 'Error: boom\n    at cell-in1.ts:1:1', frames: [] }]);
    const r1 = await k.replyTo(failing);
    assert.deepEqual([r1.content.status, r1.content.ename, r1.content.evalue], ['error', 'Error', 'boom']);
    assert.deepEqual(r1.content.traceback, ['Error: boom', '    at cell-in1.ts:1:1']);
    assert.equal((await k.replyTo(queued)).content.status, 'aborted');
    const later = k.nextRun();
    const fresh = k.request('execute_request', { code: 'fresh' });
    k.finish(await later, 'ok');
    assert.equal((await k.replyTo(fresh)).content.status, 'ok', 'received after the failure: runs');
  });

  it('an interrupted cell replies error/Interrupted; a display update after its end keeps its parent', async () => {
    const k = setup();
    const run = k.nextRun();
    const id = k.request('execute_request', { code: 'train()' });
    const x = await run;
    k.finish(x, 'interrupted', [{ v: 1, id: x.id, cellId: x.cellId, type: 'display', displayId: 'loss', bundle: { 'text/plain': 'step 1' } }]);
    const reply = await k.replyTo(id);
    assert.deepEqual([reply.content.status, reply.content.ename], ['error', 'Interrupted']);
    k.bus.emit('e', { v: 1, id: x.id, cellId: x.cellId, type: 'display', displayId: 'loss', update: true, bundle: { 'text/plain': 'step 2' } });
    await new Promise((r) => setImmediate(r));
    const late = k.sent.filter((s) => s.type === 'update_display_data');
    assert.equal(late.length, 1);
    assert.equal(late[0].parent, id);
  });

  it('kernel_info, comm_info, interrupt on control, unknown requests get no reply but still busy/idle', async () => {
    const k = setup();
    const info = await k.replyTo(k.request('kernel_info_request', {}));
    assert.equal(info.content.protocol_version, '5.3');
    assert.equal((info.content.language_info as { name: string }).name, 'typescript');
    assert.deepEqual((await k.replyTo(k.request('comm_info_request', {}))).content, { status: 'ok', comms: {} });
    const intr = await k.replyTo(k.request('interrupt_request', {}, 'control'));
    assert.equal(intr.channel, 'control');
    const comm = k.request('comm_open', { comm_id: 'c', target_name: 'x' });
    await k.replyTo(k.request('kernel_info_request', {}));
    assert.deepEqual(k.sent.filter((s) => s.parent === comm).map((s) => s.type), ['status', 'status']);
  });
});

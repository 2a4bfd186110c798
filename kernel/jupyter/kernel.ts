// The Jupyter kernel front: answers the protocol's requests over the channels (kernel/jupyter/channels.ts)
// by driving the one executor, a Session in the kernel process (kernel/process/client.ts). This process
// stays responsive while a cell runs (heartbeat, control, interrupts); shell requests run one at a time,
// each between a busy and an idle status on iopub.
import type { KernelClient } from '../process/client';
import type { ExecutionEvent } from '../protocol/kernel';
import type { Channels, RequestChannel } from './channels';
import { History } from './history';
import { complete, inspect } from './introspection';
import { isComplete } from './isComplete';
import { errorContent, toIopub } from './outputs';
import { newHeader, PROTOCOL_VERSION, type Header, type Message } from './wire';

export interface KernelInfo {
  workbench: string;
  typescript: string;
  node: string;
}

type Reply = Record<string, unknown>;

export class JupyterKernel {
  private count = 0;
  private readonly history = new History();
  private shellTail: Promise<void> = Promise.resolve();
  private received = 0;
  /** Execute requests received before this index are aborted (an error with stop_on_error). */
  private abortBefore = 0;
  /** The request each execution answers, so display updates after its end still have a parent. */
  private readonly parents = new Map<string, Header>();
  private current: string | undefined;
  private lastParent: Header | undefined;

  constructor(
    private readonly channels: Channels,
    private readonly client: KernelClient,
    private readonly session: string,
    private readonly info: () => Promise<KernelInfo>,
    private readonly exit: () => Promise<void>,
  ) {
    client.onEvent((e) => {
      // A display that outlives its cell (a training run not awaited) still updates its output.
      if (e.type === 'display' && e.id !== this.current) {
        const parent = this.parents.get(e.id) ?? this.lastParent;
        const out = toIopub(e, this.count);
        if (parent && out) void this.publish(out.msgType, out.content, parent);
      }
    });
  }

  /** A verified message from a request channel. */
  receive(channel: RequestChannel, msg: Message): void {
    if (channel === 'stdin') return; // input replies: no cell API asks for input (see README)
    if (channel === 'control') {
      void this.handle(channel, msg);
      return;
    }
    const index = this.received++;
    this.shellTail = this.shellTail.then(() => this.handle(channel, msg, index));
  }

  private async handle(channel: RequestChannel, msg: Message, index = 0): Promise<void> {
    const type = msg.header.msg_type;
    await this.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      const reply = await this.dispatch(type, msg, index);
      if (reply) await this.reply(channel, msg, type.replace(/_request$/, '_reply'), reply);
    } catch (e) {
      await this.reply(channel, msg, type.replace(/_request$/, '_reply'), { status: 'error', ...errorContent('KernelError', (e as Error).message, String((e as Error).stack)) });
    } finally {
      await this.publish('status', { execution_state: 'idle' }, msg.header);
    }
    if (type === 'shutdown_request') await this.exit();
  }

  private async dispatch(type: string, msg: Message, index: number): Promise<Reply | undefined> {
    const c = msg.content;
    switch (type) {
      case 'kernel_info_request': return this.kernelInfo();
      case 'execute_request': return this.execute(msg, index);
      case 'complete_request': return complete(this.client, String(c.code ?? ''), Number(c.cursor_pos ?? 0));
      case 'inspect_request': return inspect(this.client, String(c.code ?? ''), Number(c.cursor_pos ?? 0));
      case 'is_complete_request': return { ...isComplete(String(c.code ?? '')) };
      case 'history_request': return { status: 'ok', history: this.history.query(c) };
      case 'comm_info_request': return { status: 'ok', comms: {} };
      case 'interrupt_request':
        await this.client.interrupt();
        return { status: 'ok' };
      case 'shutdown_request': return { status: 'ok', restart: c.restart === true };
      default: return undefined; // comm_open and the like: nothing here owns comms
    }
  }

  private async kernelInfo(): Promise<Reply> {
    const v = await this.info();
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'empathy-workbench',
      implementation_version: v.workbench,
      language_info: {
        name: 'typescript', version: v.typescript, mimetype: 'text/typescript', file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true }, pygments_lexer: 'typescript',
      },
      banner: `Empathy Workbench ${v.workbench} — TypeScript ${v.typescript} on Node ${v.node}; the empathy API and display.* are in scope, top-level await works.`,
      help_links: [{ text: 'Empathy Workbench', url: 'https://github.com/empathy-workbench' }],
    };
  }

  private async execute(msg: Message, index: number): Promise<Reply> {
    const c = msg.content;
    const code = String(c.code ?? '');
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    if (index < this.abortBefore) return { status: 'aborted', execution_count: this.count };
    if (storeHistory) this.history.add(++this.count, code);
    const count = this.count;
    if (!silent) await this.publish('execute_input', { code, execution_count: count }, msg.header);
    const cellId = typeof msg.metadata.cellId === 'string' && /^[\w-]{1,64}$/.test(msg.metadata.cellId) ? msg.metadata.cellId : `in${count}`;
    const ex = this.client.execute(cellId, code);
    this.current = ex.id;
    this.lastParent = msg.header;
    this.parents.set(ex.id, msg.header);
    if (this.parents.size > 256) this.parents.delete(this.parents.keys().next().value!);
    let error: { ename: string; evalue: string; traceback: string[] } | undefined;
    for await (const e of ex) {
      if (e.type === 'error') error = errorContent(e.name, e.message, e.stack);
      if (!silent) await this.output(e, count, msg.header);
    }
    this.current = undefined;
    const done = await ex.done;
    if (done.status === 'ok') return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
    if (done.status === 'interrupted') {
      error = errorContent('Interrupted', 'the cell was interrupted; variables are kept', 'Interrupted: the cell was interrupted; variables are kept');
      if (!silent) await this.publish('error', error, msg.header);
    }
    if (c.stop_on_error !== false) this.abortBefore = this.received;
    return { status: 'error', execution_count: count, ...(error ?? errorContent('Error', 'the cell failed', 'Error: the cell failed')) };
  }

  private async output(e: ExecutionEvent, count: number, parent: Header): Promise<void> {
    const out = toIopub(e, count);
    if (out) await this.publish(out.msgType, out.content, parent);
  }

  private publish(msgType: string, content: Reply, parent: Header): Promise<void> {
    return this.channels.send('iopub', { identities: [Buffer.from(msgType)], header: newHeader(msgType, this.session), parent_header: parent, metadata: {}, content });
  }

  private reply(channel: RequestChannel, req: Message, msgType: string, content: Reply): Promise<void> {
    return this.channels.send(channel, { identities: req.identities, header: newHeader(msgType, this.session), parent_header: req.header, metadata: {}, content });
  }
}

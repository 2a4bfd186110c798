// The kernel's five ZeroMQ sockets: shell, control and stdin (ROUTER), iopub (PUB), heartbeat (REP,
// echoed). Every received message is verified before it reaches a handler: one with a wrong or missing
// signature, or malformed, is dropped and logged. Sends on a socket are serialised (zeromq allows one
// pending send per socket).
import * as zmq from 'zeromq';
import { endpoint, type ChannelName, type ConnectionInfo } from './connection';
import { decode, encode, Signer, WireError, type Message } from './wire';

export type RequestChannel = 'shell' | 'control' | 'stdin';
export type Outgoing = Omit<Message<unknown>, 'buffers'>;

/** One socket's sends, one after another. */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Writable, private readonly log: (line: string) => void) {}

  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(() => this.socket.send(frames)).catch((e: unknown) => this.log(`send failed: ${(e as Error).message}`));
    return this.tail;
  }

  flushed(): Promise<void> {
    return this.tail;
  }
}

export class Channels {
  private readonly signer: Signer;
  private readonly routers: Record<RequestChannel, zmq.Router>;
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private readonly queues: Record<RequestChannel | 'iopub', SendQueue>;
  /** Messages dropped for a bad signature (tests read it through the log, clients never see it). */
  dropped = 0;

  constructor(private readonly conn: ConnectionInfo, private readonly log: (line: string) => void) {
    this.signer = new Signer(conn.key);
    this.routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
    this.queues = {
      shell: new SendQueue(this.routers.shell, log), control: new SendQueue(this.routers.control, log),
      stdin: new SendQueue(this.routers.stdin, log), iopub: new SendQueue(this.iopub, log),
    };
  }

  /** Bind all five sockets to the connection file's ports. */
  async bind(): Promise<void> {
    const all: Array<[ChannelName, zmq.Socket & { bind(a: string): Promise<void> }]> = [
      ['shell', this.routers.shell], ['control', this.routers.control], ['stdin', this.routers.stdin], ['iopub', this.iopub], ['hb', this.hb],
    ];
    for (const [name, socket] of all) {
      socket.linger = 0;
      await socket.bind(endpoint(this.conn, name));
    }
  }

  /** Receive verified messages on the request channels (and echo heartbeats) until closed. */
  listen(onMessage: (channel: RequestChannel, msg: Message) => void): void {
    for (const ch of ['shell', 'control', 'stdin'] as const) void this.receive(ch, onMessage);
    void this.heartbeat();
  }

  private async receive(ch: RequestChannel, onMessage: (channel: RequestChannel, msg: Message) => void): Promise<void> {
    try {
      for await (const frames of this.routers[ch]) {
        let msg: Message;
        try {
          msg = decode(frames, this.signer);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          this.dropped++;
          this.log(`dropped a message on ${ch}: ${e.message}`);
          continue;
        }
        onMessage(ch, msg);
      }
    } catch (e) {
      if (!this.routers[ch].closed) this.log(`${ch} channel stopped: ${(e as Error).message}`);
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch (e) {
      if (!this.hb.closed) this.log(`heartbeat stopped: ${(e as Error).message}`);
    }
  }

  send(ch: RequestChannel | 'iopub', msg: Outgoing): Promise<void> {
    return this.queues[ch].send(encode(msg, this.signer));
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.flushed()));
    for (const s of [...Object.values(this.routers), this.iopub, this.hb]) s.close();
  }
}

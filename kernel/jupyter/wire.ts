// The Jupyter messaging protocol's wire format (5.3): ZeroMQ frames `[ids…, <IDS|MSG>, signature,
// header, parent_header, metadata, content, buffers…]`, signed with HMAC-SHA256 over the four JSON
// frames. Verification is constant-time; a message that fails it is never parsed into a request.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (iopub). */
  identities: Buffer[];
  header: Header;
  /** `{}` when the message answers nothing. */
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Why a received message was dropped (logged by the channels, never executed). */
export class WireError extends Error {}

export class Signer {
  private readonly key: Buffer;
  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.enabled) return '';
    const h = createHmac('sha256', this.key);
    for (const f of frames) h.update(f);
    return h.digest('hex');
  }

  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.enabled) return true;
    const want = Buffer.from(this.sign(frames), 'utf8');
    const got = Buffer.from(signature, 'utf8');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

/** Decode and verify one multipart message; throws WireError (bad signature, malformed frames). */
export function decode(frames: readonly Buffer[], signer: Signer): Message {
  const at = frames.findIndex((f) => f.toString('utf8') === DELIMITER);
  if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new WireError(`${frames.length - at - 1} frames after the delimiter (6 or more expected)`);
  const signature = frames[at + 1].toString('utf8');
  const parts = frames.slice(at + 2, at + 6);
  if (signer.enabled && signature === '') throw new WireError('missing signature');
  if (!signer.verify(signature, parts)) throw new WireError('wrong signature');
  const json = (b: Buffer, name: string): Record<string, unknown> => {
    try {
      const v = JSON.parse(b.toString('utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch (e) {
      throw new WireError(`${name} is not a JSON object (${(e as Error).message})`);
    }
  };
  const header = json(parts[0], 'header') as unknown as Header;
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') throw new WireError('header without msg_type / msg_id');
  return {
    identities: frames.slice(0, at).map((f) => Buffer.from(f)),
    header,
    parent_header: json(parts[1], 'parent_header') as Message['parent_header'],
    metadata: json(parts[2], 'metadata'),
    content: json(parts[3], 'content'),
    buffers: frames.slice(at + 6).map((f) => Buffer.from(f)),
  };
}

/** Encode a message for sending: identities, delimiter, signature, the four JSON frames. */
export function encode(msg: Omit<Message<unknown>, 'buffers'> & { buffers?: Buffer[] }, signer: Signer): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...(msg.buffers ?? [])];
}

/** A new header in this kernel's session. */
export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'kernel', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

// The Jupyter connection file (written by the client that starts the kernel): where each of the five
// channels listens and the key that signs every message. Read once at start; bad input is one line.
import * as fs from 'node:fs';

export const CHANNELS = ['shell', 'control', 'iopub', 'stdin', 'hb'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  /** Port per channel (`shell_port`, …, `hb_port`); for ipc, the file suffix. */
  ports: Record<ChannelName, number>;
  /** HMAC key ('' = messages are not signed, as the spec allows; then none are verified). */
  key: string;
  /** Only hmac-sha256 is accepted (the one scheme every client uses). */
  signatureScheme: 'hmac-sha256';
}

/** Parse and check a connection file's JSON; throws one line naming the file and the field. */
export function parseConnection(text: string, file: string): ConnectionInfo {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: a connection file is a JSON object`);
  const transport = raw.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new Error(`${file}: transport ${JSON.stringify(transport)} is not tcp or ipc`);
  if (typeof raw.ip !== 'string' || raw.ip === '') throw new Error(`${file}: "ip" must be a non-empty string`);
  const scheme = raw.signature_scheme ?? 'hmac-sha256';
  if (scheme !== 'hmac-sha256') throw new Error(`${file}: signature_scheme ${JSON.stringify(scheme)} is not supported (hmac-sha256 is)`);
  const key = raw.key ?? '';
  if (typeof key !== 'string') throw new Error(`${file}: "key" must be a string`);
  const ports = {} as Record<ChannelName, number>;
  for (const ch of CHANNELS) {
    const p = raw[`${ch}_port`];
    if (typeof p !== 'number' || !Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`${file}: "${ch}_port" must be a port number (got ${JSON.stringify(p)})`);
    ports[ch] = p;
  }
  return { transport, ip: raw.ip, ports, key, signatureScheme: 'hmac-sha256' };
}

export function readConnection(file: string): ConnectionInfo {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the connection file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseConnection(text, file);
}

/** The ZeroMQ endpoint a channel binds to. */
export function endpoint(c: ConnectionInfo, ch: ChannelName): string {
  return c.transport === 'tcp' ? `tcp://${c.ip}:${c.ports[ch]}` : `ipc://${c.ip}-${c.ports[ch]}`;
}

// A loopback server that answers like the Hugging Face hub, for the download tests (no test touches the
// network): `/{repo}/resolve/{rev}/{file}` answers a small file with a 307 to a relative `/api/resolve-cache/…`
// path (ETag = git blob sha1) and an LFS file with a 302 to a second loopback server, the "CDN" (X-Linked-Etag
// = sha256, X-Linked-Size), as the hub does; the CDN honours Range (206). Faults on request: a transfer cut
// after N bytes, a stall until the client goes away, bytes that do not match the published sha256.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export interface HubFileSpec {
  content: Uint8Array;
  /** Served from the CDN with X-Linked-Etag = sha256 (the weights); otherwise from the hub with a git-sha1 ETag. */
  lfs?: boolean;
}

export interface Fault {
  /** Close the connection after this many body bytes (once). */
  cutAfter?: number;
  /** Send this many bytes, then hold the response open until the client disconnects (once). */
  stallAfter?: number;
  /** Serve these bytes instead of the published content (every time). */
  corrupt?: boolean;
  /** Answer a Range request with the whole file (200), as some mirrors do. */
  ignoreRange?: boolean;
  /** Publish this ETag instead of the file's hash (a hostile or broken server). */
  etag?: string;
}

export interface Logged {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
}

export const COMMIT = 'c0ffee0000000000000000000000000000000001';

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function gitBlobSha1(b: Uint8Array): string {
  return createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');
}

export class FakeHub {
  readonly log: Logged[] = [];
  readonly faults = new Map<string, Fault>();
  /** Called when a stalled response has sent its bytes (the client is now mid-transfer). */
  onStall?: () => void;
  private hub = http.createServer((q, r) => this.answerHub(q, r));
  private cdn = http.createServer((q, r) => this.answerCdn(q, r));

  constructor(readonly repo: string, readonly files: Map<string, HubFileSpec>) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  get cdnOrigin(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    for (const s of [this.hub, this.cdn]) await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      s.closeAllConnections();
      await new Promise<void>((ok) => s.close(() => ok()));
    }
  }

  private answerHub(q: http.IncomingMessage, r: http.ServerResponse): void {
    this.log.push({ server: 'hub', method: q.method!, url: q.url! });
    const m = /^\/(.+)\/resolve\/([^/]+)\/(.+)$/.exec(q.url!);
    const api = /^\/api\/resolve-cache\/models\/(.+)\/([0-9a-f]{40})\/(.+)$/.exec(q.url!);
    const [repo, rev, file] = (m ?? api ?? []).slice(1).map(decodeURIComponent);
    if (repo !== this.repo) return end(r, 401, { 'X-Error-Code': 'RepoNotFound' });
    if (rev !== 'main' && rev !== COMMIT) return end(r, 404, { 'X-Error-Code': 'RevisionNotFound' });
    const spec = this.files.get(file);
    if (!spec) return end(r, 404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': COMMIT });
    if (spec.lfs) {
      return end(r, 302, { Location: `${this.cdnOrigin}/blobs/${sha256(spec.content)}?file=${encodeURIComponent(file)}`, 'X-Repo-Commit': COMMIT, 'X-Linked-Etag': `"${sha256(spec.content)}"`, 'X-Linked-Size': String(spec.content.byteLength) });
    }
    if (m) return end(r, 307, { Location: `/api/resolve-cache/models/${this.repo}/${COMMIT}/${encodeURIComponent(file)}`, 'X-Repo-Commit': COMMIT });
    const etag = this.faults.get(file)?.etag ?? gitBlobSha1(spec.content);
    r.writeHead(200, { 'Content-Length': spec.content.byteLength, ETag: `"${etag}"`, 'X-Repo-Commit': COMMIT });
    r.end(q.method === 'HEAD' ? undefined : spec.content);
  }

  private answerCdn(q: http.IncomingMessage, r: http.ServerResponse): void {
    const range = q.headers.range;
    this.log.push({ server: 'cdn', method: q.method!, url: q.url!, range });
    const file = new URL(q.url!, this.cdnOrigin).searchParams.get('file') ?? '';
    const spec = this.files.get(file);
    if (!spec) return end(r, 404, {});
    const fault = this.faults.get(file) ?? {};
    let body = spec.content;
    if (fault.corrupt) body = Uint8Array.from(body, (b, i) => (i === 7 ? b ^ 0xff : b));
    const partial = range !== undefined && !fault.ignoreRange;
    const from = partial ? Number(/^bytes=(\d+)-$/.exec(range)![1]) : 0;
    const part = body.subarray(from);
    r.writeHead(partial ? 206 : 200, { 'Content-Length': part.byteLength, ...(partial ? { 'Content-Range': `bytes ${from}-${body.byteLength - 1}/${body.byteLength}` } : {}) });
    if (fault.cutAfter !== undefined) {
      const n = fault.cutAfter;
      delete fault.cutAfter;
      r.write(part.subarray(0, n), () => r.socket?.destroy()); // the promised Content-Length never arrives
      return;
    }
    if (fault.stallAfter !== undefined) {
      const n = fault.stallAfter;
      delete fault.stallAfter;
      r.write(part.subarray(0, n), () => this.onStall?.()); // held open until the client goes away
      return;
    }
    r.end(part);
  }
}

function end(r: http.ServerResponse, status: number, headers: Record<string, string>): void {
  r.writeHead(status, headers);
  r.end();
}

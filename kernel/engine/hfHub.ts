// Talking to the Hugging Face hub (or a mirror, HF_ENDPOINT) the way huggingface_hub does: a HEAD on
// `/{repo}/resolve/{revision}/{file}` that follows relative redirects only (a renamed repo) and stops at
// an absolute one (the LFS/CDN location), read for X-Repo-Commit, X-Linked-Etag/ETag and
// X-Linked-Size; then a GET of that location, resumed with `Range` into an `.incomplete` file, the
// whole file hashed against the ETag (sha256 for LFS files, the git blob sha1 for the others; an ETag
// that is neither is refused: it names a file on disk and nothing could check the bytes).
import * as fs from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { describeFetchError } from '../../dataset/fetchError';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const OFFLINE_HINT = 'download-weights needs internet access (or a mirror in HF_ENDPOINT); otherwise copy the model folder by hand and pass it as a path';
const MAX_REDIRECTS = 10;

/** The hub to ask: $HF_ENDPOINT (a mirror) or huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

/** What the hub says about one file of a revision. */
export interface HubFile {
  /** The commit the revision resolved to. */
  commit: string;
  /** The ETag, unquoted: sha256 (64 hex) for LFS files, git blob sha1 (40 hex) for the others. */
  etag: string;
  size: number;
  /** Where to GET it (the hub itself, or a CDN for LFS files). */
  location: string;
}

/** A refusal by the hub: an HTTP status (401, 404…) and its X-Error-Code when it sent one. */
export class HubError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
    this.name = 'HubError';
  }
  /** The file is not in the repository (the repository and revision are): optional files are skipped. */
  get entryMissing(): boolean {
    return this.status === 404 && (this.code === undefined || this.code === 'EntryNotFound');
  }
}

const COMMIT = /^[0-9a-f]{40}$/;
/** sha256 (LFS files) or git blob sha1 (the others). */
const HASH_ETAG = /^([0-9a-f]{64}|[0-9a-f]{40})$/;

function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

/**
 * A fetch with an idle timeout (no headers, or no bytes, for `timeoutMs`: the body of a 500 MB file may
 * take longer than that in all) that also stops on `signal` (Ctrl-C). `touch()` re-arms the timer.
 */
async function request(url: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<{ res: Response; touch: () => void; done: () => void }> {
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(Object.assign(new Error(`no data for ${timeoutMs / 1000} s`), { name: 'TimeoutError' })), timeoutMs);
  };
  const done = () => clearTimeout(timer);
  touch();
  try {
    const res = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, idle.signal]) : idle.signal });
    return { res, touch, done };
  } catch (e) {
    done();
    if (signal?.aborted) throw new Error(`stopped while waiting for ${new URL(url).host}; nothing of this file written yet`);
    throw new Error(describeFetchError(url, idle.signal.aborted ? idle.signal.reason : e, OFFLINE_HINT));
  }
}

/** Why the hub said no, in words (the hub answers 401, not 404, for a repository it does not show you). */
function refusalReason(status: number, code: string | undefined, statusText: string): string {
  if (status === 401 || status === 403) return 'repository not found, or private/gated (download-weights sends no token)';
  if (code === 'RevisionNotFound') return 'no such revision';
  if (code === 'RepoNotFound') return 'repository not found';
  if (code === 'EntryNotFound') return 'no such file in the repository';
  if (status === 404) return 'not found';
  return statusText || 'refused';
}

function refusal(res: Response, what: string): HubError {
  const code = res.headers.get('x-error-code') ?? undefined;
  return new HubError(`${what}: HTTP ${res.status} ${refusalReason(res.status, code, res.statusText)}`, res.status, code);
}

/** HEAD `/{repo}/resolve/{revision}/{file}`: following relative redirects, stopping at an absolute one. */
export async function hubFileInfo(endpoint: string, repo: string, revision: string, file: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<HubFile> {
  const what = `${repo}@${revision}: ${file}`;
  let url = `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const { res, done } = await request(url, { method: 'HEAD', redirect: 'manual', headers: { 'Accept-Encoding': 'identity' } }, opts.timeoutMs, opts.signal);
    done();
    const h = res.headers;
    const loc = h.get('location');
    const relative = loc !== null && !/^[a-z][a-z0-9+.-]*:/i.test(loc);
    if (res.status >= 300 && res.status < 400 && loc !== null && relative) {
      url = new URL(loc, url).toString(); // a renamed repository: ask again there
      continue;
    }
    if (!(res.ok || (res.status >= 300 && res.status < 400 && loc !== null))) throw refusal(res, what);
    const commit = h.get('x-repo-commit')?.toLowerCase();
    const etag = normalizeEtag(h.get('x-linked-etag') ?? h.get('etag') ?? '');
    const sizeText = h.get('x-linked-size') ?? h.get('content-length') ?? '';
    // Both become names on disk (snapshots/<commit>, blobs/<etag>) and the etag is the hash to check: only hex passes.
    if (!commit || !COMMIT.test(commit) || !/^\d+$/.test(sizeText)) throw new Error(`${what}: the server did not say which commit and size (X-Repo-Commit, X-Linked-Size/Content-Length); is ${endpoint} a Hugging Face hub?`);
    if (!HASH_ETAG.test(etag)) throw new Error(`${what}: ETag ${JSON.stringify(etag)} is neither a sha256 nor a git sha1: the file could not be checked, so it is not fetched`);
    return { commit, etag, size: Number(sizeText), location: loc !== null ? new URL(loc, url).toString() : url };
  }
  throw new Error(`${what}: more than ${MAX_REDIRECTS} redirects`);
}

/** The hash a hub ETag names: sha256 for a 64-hex ETag, git's blob sha1 (`blob SIZE\0` + bytes) for a 40-hex one. */
function hasherFor(etag: string, size: number): Hash {
  return etag.length === 64 ? createHash('sha256') : createHash('sha1').update(`blob ${size}\0`);
}

/** Hash the bytes already in `file` (a resumed transfer checks the whole file, not just the new part). */
async function hashPrefix(file: string, hash: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

/** Whether `file` is there with the published size and hash (a copy in a plain folder, checked before re-fetching). */
export async function fileMatches(file: string, info: HubFile): Promise<boolean> {
  if (!fs.existsSync(file) || fs.statSync(file).size !== info.size) return false;
  const hash = hasherFor(info.etag, info.size);
  await hashPrefix(file, hash);
  return hash.digest('hex') === info.etag;
}

/**
 * GET `info.location` into `incomplete`, appending from where a previous run stopped (HTTP Range; a
 * server that ignores it restarts the file), then check size and hash. A wrong hash deletes the file and
 * throws; an interruption (Ctrl-C, dropped connection) keeps it for the next run.
 */
export async function transferResumable(info: HubFile, incomplete: string, opts: { label: string; timeoutMs: number; signal?: AbortSignal; onBytes?: (done: number, total: number) => void }): Promise<void> {
  let have = fs.existsSync(incomplete) ? fs.statSync(incomplete).size : 0;
  if (have > info.size) {
    fs.rmSync(incomplete); // not a prefix of this file
    have = 0;
  }
  const hash = hasherFor(info.etag, info.size);
  if (have < info.size) {
    const { res, touch, done } = await request(info.location, { headers: { 'Accept-Encoding': 'identity', ...(have > 0 ? { Range: `bytes=${have}-` } : {}) } }, opts.timeoutMs, opts.signal);
    try {
      if (res.status === 416 && have > 0) throw new Error(`${opts.label}: the server refused to resume at byte ${have}; delete ${incomplete} and run again`);
      if (!res.ok) throw refusal(res, opts.label);
      if (res.status !== 206) have = 0; // the whole file came back: start over
      if (have > 0) await hashPrefix(incomplete, hash);
      have = await appendBody(res, incomplete, have, hash, { ...opts, touch, size: info.size });
    } finally {
      done();
    }
  } else {
    await hashPrefix(incomplete, hash);
  }
  verify(incomplete, info, have, hash, opts.label);
}

/** Stream the body onto `file` (appending when `have` > 0), fsync it; returns the bytes it now holds. */
async function appendBody(res: Response, file: string, have: number, hash: Hash, o: { label: string; size: number; signal?: AbortSignal; touch: () => void; onBytes?: (done: number, total: number) => void }): Promise<number> {
  const fd = fs.openSync(file, have > 0 ? 'a' : 'w');
  try {
    o.onBytes?.(have, o.size);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        o.touch();
        try {
          writeAll(fd, chunk);
        } catch (e) {
          // the disk, not the network (ENOSPC…): what was written stays a valid prefix to resume from
          throw new LocalWriteError(`${o.label}: cannot write ${file} (${(e as Error).message}) at ${have} of ${o.size} bytes; free the space and run the same command again to resume`);
        }
        hash.update(chunk);
        have += chunk.byteLength;
        o.onBytes?.(have, o.size);
      }
    } catch (e) {
      if (e instanceof LocalWriteError) throw e;
      const where = `at ${have} of ${o.size} bytes, kept in ${file}; run the same command again to resume`;
      if (o.signal?.aborted) throw new Error(`${o.label}: stopped ${where}`);
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new Error(`${o.label}: the transfer broke off (${cause}) ${where}`);
    }
    fs.fsyncSync(fd);
    return have;
  } finally {
    fs.closeSync(fd);
  }
}

class LocalWriteError extends Error {}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.byteLength) off += fs.writeSync(fd, chunk, off, chunk.byteLength - off);
}

/** Size and hash against what the hub published; a mismatch removes the file (it will not resume into garbage). */
function verify(file: string, info: HubFile, size: number, hash: Hash, label: string): void {
  if (size !== info.size) {
    fs.rmSync(file, { force: true });
    throw new Error(`${label}: got ${size} bytes, the hub says ${info.size}; the file was removed, run again`);
  }
  const got = hash.digest('hex');
  if (got !== info.etag) {
    fs.rmSync(file, { force: true });
    throw new Error(`${label}: hash mismatch (got ${got}, the hub publishes ${info.etag}); the file was refused and removed`);
  }
}

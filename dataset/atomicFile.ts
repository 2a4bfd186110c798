// The one atomic file writer of the project: write a temp sibling, fsync it, rename it over the
// target, fsync the folder. The destination is either the old file, whole, or the new one, whole.
// Devices, FIFOs and descriptor links (/dev/null, /proc/self/fd/1) are written in place instead, never
// replaced. Every write loops until all bytes are out; a full disk is one line naming the file.
// Live temp files sit in a process-wide registry and are removed on error, on exit and on a
// SIGINT/SIGTERM/SIGHUP that nobody else handles, so no `.tmp` file is ever left behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeStaleTempFiles } from './staleTempFiles';
import { DataError } from './dataError';

// ---- the registry of live temp files ----

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Remove every live temp file (best effort; used on exit paths). */
export function removeLiveTempFiles(): void {
  for (const t of live) {
    try {
      fs.rmSync(t, { force: true });
    } catch {
      // nothing more can be done while the process is going down
    }
  }
  live.clear();
}

function onExit(): void {
  removeLiveTempFiles();
}

/**
 * A signal nobody else handles would kill the process without an 'exit' event: remove the temp files,
 * then let the signal take its default course (re-raised, so the exit status still says which signal).
 * When another handler exists (the CLI's Ctrl-C: stop after the batch), that handler decides; the
 * 'exit' hook still cleans up if it ends the process.
 */
function onSignal(sig: NodeJS.Signals): void {
  if (process.listenerCount(sig) > 1) return;
  removeLiveTempFiles();
  uninstall();
  process.kill(process.pid, sig);
}

const handlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

function install(): void {
  process.on('exit', onExit);
  for (const [s, h] of handlers) process.on(s, h);
}

function uninstall(): void {
  process.off('exit', onExit);
  for (const [s, h] of handlers) process.off(s, h);
}

function track(tmp: string): void {
  if (live.size === 0) install();
  live.add(tmp);
}

function untrack(tmp: string): void {
  if (live.delete(tmp) && live.size === 0) uninstall();
}

/** The temp files this process is writing right now (tests and diagnostics). */
export function liveTempFiles(): string[] {
  return [...live];
}

// ---- where an output goes ----

/**
 * How an output path is written. `file`: a regular file (or a new one), replaced atomically. `stream`: a
 * character device (/dev/null, a tty), a FIFO, or a link to an open descriptor (/proc/self/fd/1,
 * /dev/stdout): written in place, in order, never replaced by a regular file and never unlinked (a temp +
 * rename would turn the system's /dev/null into a plain file). `refused`: nothing sensible can be written.
 */
export type WriteTarget = { kind: 'file' } | { kind: 'stream'; append: boolean; fd?: number } | { kind: 'refused'; reason: string };

/**
 * /proc/PID/fd/N, /dev/fd/N, /dev/stdout …: a link to a descriptor (followed hop by hop, Linux). One of
 * this process's own is written through its number (a socket or pipe cannot be reopened by path: ENXIO).
 */
function descriptorLink(abs: string): { fd?: number } | undefined {
  let p = abs;
  for (let hop = 0; hop < 8; hop++) {
    try {
      const m = /^\/proc\/(self|thread-self|\d+)(?:\/task\/\d+)?\/fd$/.exec(fs.realpathSync(path.dirname(p)));
      if (m) {
        const own = m[1] === 'self' || m[1] === 'thread-self' || Number(m[1]) === process.pid;
        return own && /^\d+$/.test(path.basename(p)) ? { fd: Number(path.basename(p)) } : {};
      }
      p = path.resolve(path.dirname(p), fs.readlinkSync(p));
    } catch {
      return undefined; // not a link (or gone): an ordinary path
    }
  }
  return undefined;
}

/** What `file` is as an output: see WriteTarget. A path that does not exist yet is a `file`. */
export function writeTarget(file: string): WriteTarget {
  const abs = path.resolve(file);
  const link = descriptorLink(abs);
  if (link) return { kind: 'stream', append: true, ...link }; // append: never truncate what the shell redirected
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return { kind: 'file' };
  }
  if (st.isCharacterDevice() || st.isFIFO()) return { kind: 'stream', append: false };
  if (st.isDirectory()) return { kind: 'refused', reason: 'is a folder, not a file: give a file path inside it' };
  if (st.isBlockDevice()) return { kind: 'refused', reason: 'is a block device (a disk): refusing to write to it' };
  if (st.isSocket()) return { kind: 'refused', reason: 'is a socket: refusing to write to it' };
  return { kind: 'file' };
}

// ---- writing ----

/** One line naming the file for a failed write (disk full, quota, read-only, …); other errors as they are. */
export function writeFailure(file: string, e: unknown, previousKept = true): Error {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || e instanceof DataError) return e as Error;
  const kept = previousKept ? `; nothing written (a previous ${path.basename(file)} is unchanged)` : '';
  if (err.code === 'ENOSPC') return new DataError(file, undefined, `no space left on the device (ENOSPC)${kept}`);
  if (err.code === 'EDQUOT') return new DataError(file, undefined, `disk quota exceeded (EDQUOT)${kept}`);
  const reason = String(err.message).replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*$/, '');
  return new DataError(file, undefined, `cannot write (${err.code}: ${reason})${kept}`);
}

/**
 * Write all of `data` to `fd`: `writeSync` may write fewer bytes than asked (a nearly full disk, a
 * pipe, a signal), so it loops until every byte is out. A write that makes no progress is ENOSPC.
 */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < bytes.byteLength) {
    let n: number;
    try {
      n = fs.writeSync(fd, bytes, off, bytes.byteLength - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(PAUSE, 0, 0, 1); // a non-blocking pipe (stdout) is full: let its reader catch up
      continue;
    }
    if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    off += n;
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** A hidden temp sibling of `dest` (same folder, so the rename is atomic on one filesystem). */
function tempSibling(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** fsync a folder so the rename itself survives a crash (not possible on Windows: skipped there). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A device, FIFO or descriptor link written in place: opened without O_CREAT/O_TRUNC (so it is never
 * created, replaced or unlinked), written in order, closed. A FIFO's open waits for its reader.
 */
class StreamOutput {
  private fd: number | undefined;
  /** This process's own descriptor (stdout): written, never closed. */
  private readonly own: boolean;

  constructor(readonly dest: string, append: boolean, fd?: number) {
    this.own = fd !== undefined;
    try {
      this.fd = fd ?? fs.openSync(dest, fs.constants.O_WRONLY | (append ? fs.constants.O_APPEND : 0));
    } catch (e) {
      throw writeFailure(dest, e, false);
    }
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.dest}: already closed`);
    try {
      writeAllSync(this.fd, data);
    } catch (e) {
      throw writeFailure(this.dest, e, false);
    }
  }

  commit(): string {
    this.abort();
    return this.dest;
  }

  abort(): void {
    if (this.fd !== undefined && !this.own) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A file written through a temp sibling and renamed into place on `commit()` (missing folders are
 * created). `abort()` removes the temp file; the destination is untouched until commit. `commit(other)`
 * renames to another path instead (e.g. `OUT.partial.csv` for an interrupted run). Errors (disk full, a
 * read-only folder) are one line naming the destination. A device, FIFO or descriptor link (see
 * writeTarget) is written in place instead: no temp file, and `commit(other)` returns the destination
 * itself (the rows already went there).
 */
export class AtomicFile {
  readonly dest: string;
  /** The hidden temp sibling; '' for a device/FIFO/stream destination, written in place. */
  readonly tmp: string;
  private fd: number | undefined;
  /** The destination as given, for messages. */
  private readonly shown: string;
  private readonly stream: StreamOutput | undefined;

  constructor(dest: string) {
    this.shown = dest;
    this.dest = path.resolve(dest);
    const t = writeTarget(this.dest);
    if (t.kind === 'refused') throw new DataError(dest, undefined, t.reason);
    if (t.kind === 'stream') {
      this.stream = new StreamOutput(dest, t.append, t.fd);
      this.tmp = '';
      return;
    }
    this.tmp = tempSibling(this.dest);
    try {
      fs.mkdirSync(path.dirname(this.dest), { recursive: true });
      removeStaleTempFiles(this.dest); // what a killed writer of this file left (dataset/staleTempFiles.ts)
      this.fd = fs.openSync(this.tmp, 'wx');
    } catch (e) {
      throw writeFailure(dest, e);
    }
    track(this.tmp);
  }

  /** Whether the destination is a device, FIFO or stream written in place (no temp, no rename). */
  get inPlace(): boolean {
    return this.stream !== undefined;
  }

  write(data: string | Uint8Array): void {
    if (this.stream) return this.stream.write(data);
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.dest}: already closed`);
    try {
      writeAllSync(this.fd, data);
    } catch (e) {
      this.abort();
      throw writeFailure(this.shown, e);
    }
  }

  /** fsync, close, rename over `to` (default: the destination), fsync the folder. Aborts on failure. */
  commit(to: string = this.dest): string {
    if (this.stream) {
      this.stream.commit();
      return this.dest;
    }
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.dest}: already closed`);
    const target = path.resolve(to);
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
      fs.renameSync(this.tmp, target);
      untrack(this.tmp);
      fsyncDir(path.dirname(target));
      return target;
    } catch (e) {
      this.abort();
      throw writeFailure(to === this.dest ? this.shown : to, e);
    }
  }

  /** Close and remove the temp file (idempotent); the destination keeps its old content. */
  abort(): void {
    if (this.stream) return this.stream.abort();
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already unusable; the file is removed below anyway
      }
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
    untrack(this.tmp);
  }
}

/** Write a whole file atomically (text or bytes); on any error the temp file is gone and `file` untouched. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const f = new AtomicFile(file);
  try {
    f.write(data);
  } catch (e) {
    f.abort();
    throw e;
  }
  f.commit();
}

/**
 * Write a whole file atomically, asynchronously (large checkpoints: the event loop keeps turning). `data` may
 * be a list of chunks, written in order (a checkpoint's header and tensors, never joined in memory).
 */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const t = writeTarget(file);
  if (t.kind === 'refused') throw new DataError(file, undefined, t.reason);
  if (t.kind === 'stream') {
    if (t.fd === undefined) return writeStreamAsync(file, data, t.append);
    try {
      for (const c of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) writeAllSync(t.fd, c); // this process's stdout: its own descriptor
      return;
    } catch (e) {
      throw writeFailure(file, e, false);
    }
  }
  const dest = path.resolve(file);
  const tmp = tempSibling(dest);
  let fh: fs.promises.FileHandle;
  try {
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    removeStaleTempFiles(dest);
    fh = await fs.promises.open(tmp, 'wx');
  } catch (e) {
    throw writeFailure(file, e);
  }
  track(tmp);
  try {
    try {
      await writeChunks(fh, data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, dest);
    untrack(tmp);
    fsyncDir(path.dirname(dest));
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    untrack(tmp);
    throw writeFailure(file, e);
  }
}

/** A device/FIFO/descriptor written in place, asynchronously (a FIFO's open waits for its reader). */
async function writeStreamAsync(file: string, data: string | Uint8Array | readonly Uint8Array[], append: boolean): Promise<void> {
  try {
    const fh = await fs.promises.open(file, fs.constants.O_WRONLY | (append ? fs.constants.O_APPEND : 0));
    try {
      await writeChunks(fh, data);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw writeFailure(file, e, false);
  }
}

/** Write text, bytes, or chunks in order, through a file handle (short writes continue where they stopped). */
async function writeChunks(fh: fs.promises.FileHandle, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) return fh.writeFile(data); // loops over short writes itself
  for (const c of data) {
    for (let done = 0; done < c.byteLength;) done += (await fh.write(c, done, c.byteLength - done)).bytesWritten;
  }
}

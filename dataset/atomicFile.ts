// The one atomic file writer of the project: write a temp sibling, fsync it, rename it over the
// target, fsync the folder. The destination is either the old file, whole, or the new one, whole.
// Live temp files sit in a process-wide registry and are removed on error, on exit and on a
// SIGINT/SIGTERM/SIGHUP that nobody else handles, so no `.tmp` file is ever left behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeStaleTempFiles } from './staleTempFiles';

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

// ---- writing ----

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
 * A file written through a temp sibling and renamed into place on `commit()` (missing folders are
 * created). `abort()` removes the temp file; the destination is untouched until commit. `commit(other)`
 * renames to another path instead (e.g. `OUT.partial.csv` for an interrupted run).
 */
export class AtomicFile {
  readonly dest: string;
  readonly tmp: string;
  private fd: number | undefined;

  constructor(dest: string) {
    this.dest = path.resolve(dest);
    fs.mkdirSync(path.dirname(this.dest), { recursive: true });
    removeStaleTempFiles(this.dest); // what a killed writer of this file left (dataset/staleTempFiles.ts)
    this.tmp = tempSibling(this.dest);
    this.fd = fs.openSync(this.tmp, 'wx');
    track(this.tmp);
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`AtomicFile ${this.dest}: already closed`);
    if (typeof data === 'string') fs.writeSync(this.fd, data);
    else {
      let off = 0;
      while (off < data.byteLength) off += fs.writeSync(this.fd, data, off, data.byteLength - off);
    }
  }

  /** fsync, close, rename over `to` (default: the destination), fsync the folder. Aborts on failure. */
  commit(to: string = this.dest): string {
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
      throw e;
    }
  }

  /** Close and remove the temp file (idempotent); the destination keeps its old content. */
  abort(): void {
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

/** Write a whole file atomically, asynchronously (large checkpoints: the event loop keeps turning). */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  const dest = path.resolve(file);
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  removeStaleTempFiles(dest);
  const tmp = tempSibling(dest);
  const fh = await fs.promises.open(tmp, 'wx');
  track(tmp);
  try {
    try {
      await fh.writeFile(data);
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
    throw e;
  }
}

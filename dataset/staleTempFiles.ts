// Temp files a killed writer left behind: dataset/atomicFile.ts names its temp sibling of NAME
// `.NAME.<pid>.<8 hex>.tmp`; the next write to NAME removes those whose pid is no longer a live process
// (SIGKILL and power loss run no cleanup). A temp file of a live writer (another process writing the
// same file right now) is never touched. Pids are per host: on a folder shared between machines a
// writer elsewhere whose pid is not alive here would look stale, so keep concurrent writers on one host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from './processAlive';

/** The pid in a temp-file name of `base`, or undefined when `name` is not one of its temp files. */
export function tempFileWriterPid(name: string, base: string): number | undefined {
  const prefix = `.${base}.`;
  if (!name.startsWith(prefix)) return undefined;
  const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
  return m ? Number(m[1]) : undefined;
}

/**
 * Remove the temp files of `dest` left by writers that are gone (best effort: a folder that cannot be
 * listed, or a file another process removes first, is not an error). Returns the paths removed.
 */
export function removeStaleTempFiles(dest: string): string[] {
  const dir = path.dirname(dest);
  const base = path.basename(dest);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempFileWriterPid(name, base);
    if (pid === undefined || pid === process.pid || processAlive(pid)) continue;
    const file = path.join(dir, name);
    try {
      if (!fs.lstatSync(file).isFile()) continue; // only regular files are ever our temp files
      fs.rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}

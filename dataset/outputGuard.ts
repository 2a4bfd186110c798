// The rule "no output ever lands on a file the command reads", for every output flag of every
// command: outputs are compared with inputs as files (same device and inode, so `./a.csv`, `a.csv`,
// a symlink and a hard link are all the same file), and with each other.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from './csv';

/** One path a command reads or writes, with the flag that named it (`--model_path`). */
export interface FlaggedPath {
  flag: string;
  path: string | undefined;
}

interface Identity {
  /** dev:ino of an existing file or folder. */
  inode?: string;
  /** Canonical path: realpath when it exists, else realpath of the folder + the name. */
  real: string;
  isDir: boolean;
}

function identify(p: string, cwd: string): Identity {
  const abs = path.resolve(cwd, p);
  try {
    const st = fs.statSync(abs); // follows symlinks: a link to the input is the input
    return { inode: `${st.dev}:${st.ino}`, real: fs.realpathSync(abs), isDir: st.isDirectory() };
  } catch {
    let real = abs;
    try {
      real = path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      // the folder does not exist yet either
    }
    return { real, isDir: false };
  }
}

function shown(f: FlaggedPath): string {
  return /^-|^[A-Z]+( |$)/.test(f.flag) ? f.flag : `--${f.flag}`; // positionals (NOTEBOOK, IN, RUN x, REVIEW x) as they are
}

/**
 * Throw a DataError (exit 1) when an output is one of the inputs (or lies inside an input folder and
 * exists there), or when two outputs are the same file. Inputs that do not exist are ignored (reading
 * them fails on its own, with its own message).
 */
export function assertOutputsClear(outputs: readonly FlaggedPath[], inputs: readonly FlaggedPath[], cwd = process.cwd()): void {
  const ins = inputs.filter((i): i is FlaggedPath & { path: string } => !!i.path).map((i) => ({ f: i, id: identify(i.path, cwd) }));
  const seen: Array<{ f: FlaggedPath; id: Identity }> = [];
  for (const o of outputs) {
    if (!o.path) continue;
    const id = identify(o.path, cwd);
    for (const i of ins) {
      const same = (id.inode !== undefined && id.inode === i.id.inode) || id.real === i.id.real;
      const inside = i.id.isDir && id.inode !== undefined && id.real.startsWith(i.id.real + path.sep);
      if (same || inside) {
        const what = same ? `is the file given to ${shown(i.f)} ${i.f.path}` : `is inside the folder given to ${shown(i.f)} ${i.f.path}`;
        throw new DataError(o.path, undefined, `refusing to write over an input file (${shown(o)} ${what}); choose another ${shown(o)}`);
      }
    }
    for (const s of seen) {
      if ((id.inode !== undefined && id.inode === s.id.inode) || id.real === s.id.real) {
        throw new DataError(o.path, undefined, `${shown(o)} and ${shown(s.f)} name the same file; choose two different outputs`);
      }
    }
    seen.push({ f: o, id });
  }
}

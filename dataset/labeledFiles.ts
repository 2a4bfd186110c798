// Labelled CSV arguments → LabeledPairs: each file's mechanism from its name or --mechanism, the
// --joint sibling files found by name (emotional-reactions ↔ interpretations ↔ explorations,
// _ER ↔ _IP ↔ _EX), raw or processed files, warnings passed through. Data errors name the file (DataError).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from './csv';
import { mechanismFromFileName, toLabeledPairs, type RawRow } from './epitome';
import { loadLabeledCsv } from './labeled';
import type { LabeledPair, Mechanism } from './schema';
import { MECHANISMS } from './schema';

/**
 * The list of labelled files asked for does not add up (no path, a mechanism that cannot be told, two
 * files for one mechanism, several mechanisms without joint). The message names the flag it came from;
 * the CLI reports it like a usage error (exit 2), notebooks show it as an ordinary error.
 */
export class FileListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileListError';
  }
}

const LONG: Record<Mechanism, string> = { ER: 'emotional-reactions', IP: 'interpretations', EX: 'explorations' };

/** The same file name for another mechanism, or undefined when the name has no mechanism marker. */
export function siblingPath(file: string, from: Mechanism, to: Mechanism): string | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (base.includes(LONG[from])) return path.join(dir, base.split(LONG[from]).join(LONG[to]));
  const re = new RegExp(`(^|[^A-Za-z])(${from}|${from.toLowerCase()})(?=[^A-Za-z]|$)`);
  const m = re.exec(base.replace(/\.csv$/i, ''));
  if (!m) return undefined;
  const at = m.index + m[1].length;
  const rep = m[2] === from ? to : to.toLowerCase();
  return path.join(dir, base.slice(0, at) + rep + base.slice(at + from.length));
}

/** Split repeated and comma-separated path flags into a list. */
export function pathList(v: unknown): string[] {
  const xs = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return xs.flatMap((s: string) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

export interface LoadedLabeled {
  pairs: LabeledPair[];
  files: Array<{ file: string; mechanism: Mechanism; rows: number; format: string }>;
  warnings: string[];
}

/**
 * Who the error messages speak to: the CLI's user (flags, `--joint`) or a notebook's (`loadPairs`
 * options). Same checks, one wording each.
 */
export type LoadVoice = 'cli' | 'api';

function usage(voice: LoadVoice | undefined, cli: string, api: string): Error {
  return new FileListError(voice === 'api' ? api : cli);
}

/**
 * Load labelled files for one role (train/dev/test/gold). With `joint` and one file, the other two
 * mechanisms' files are found next to it by name (missing siblings are an error naming them).
 */
export async function loadLabeledFiles(flag: string, files: string[], o: { mechanism?: Mechanism; joint?: boolean; siblings?: boolean; cwd: string; encoding?: string; voice?: LoadVoice }): Promise<LoadedLabeled> {
  const v = o.voice;
  if (files.length === 0) throw usage(v, `--${flag} needs a CSV path`, 'loadPairs needs at least one CSV path');
  const entries: Array<{ file: string; mechanism: Mechanism }> = [];
  for (const f of files) {
    const mech = files.length === 1 && o.mechanism ? o.mechanism : mechanismFromFileName(f) ?? (files.length === 1 ? o.mechanism : undefined);
    if (!mech) {
      throw usage(v, `cannot tell the mechanism of ${f} from its name; pass --mechanism ER|IP|EX (or name it like emotional-reactions-*.csv / *_ER.csv)`,
        `cannot tell the mechanism of ${f} from its name; name it like emotional-reactions-*.csv / *_ER.csv${files.length === 1 ? ", or pass { mechanism: 'ER' } (or 'IP', 'EX') to loadPairs" : ''}`);
    }
    entries.push({ file: f, mechanism: mech });
  }
  if (o.joint && (o.siblings ?? true) && entries.length === 1) {
    const first = entries[0];
    for (const m of MECHANISMS) {
      if (m === first.mechanism) continue;
      const sib = siblingPath(first.file, first.mechanism, m);
      if (!sib) throw usage(v, `--joint: cannot derive the ${m} file from ${first.file}; pass all three: --${flag} ER.csv,IP.csv,EX.csv`,
        `cannot find the ${m} file next to ${first.file} by its name; pass all three files: loadPairs([erCsv, ipCsv, exCsv])`);
      if (!fs.existsSync(sib)) throw new DataError(sib, undefined, v === 'api' ? `no such file (the joint dataset needs the ${m} file next to ${first.file})` : `no such file (--joint looks for the ${m} file next to ${first.file})`);
      entries.push({ file: sib, mechanism: m });
    }
  }
  if (!o.joint && new Set(entries.map((e) => e.mechanism)).size > 1) {
    throw usage(v, `--${flag} has files for several mechanisms (${entries.map((e) => e.mechanism).join(', ')}); pass --joint to train one model on all of them`,
      `these files are for several mechanisms (${entries.map((e) => e.mechanism).join(', ')}); leave out { joint: false } to load them as one joint dataset (one model for all of them)`);
  }
  const byMech: Partial<Record<Mechanism, RawRow[]>> = {};
  const out: LoadedLabeled = { pairs: [], files: [], warnings: [] };
  for (const e of entries) {
    if (byMech[e.mechanism]) throw usage(v, `--${flag}: two files for ${e.mechanism}`, `two files for ${e.mechanism} (${entries.filter((x) => x.mechanism === e.mechanism).map((x) => x.file).join(', ')}); give one file per mechanism`);
    const loaded = await loadLabeledCsv(e.file, { encoding: o.encoding });
    byMech[e.mechanism] = loaded.rows;
    out.files.push({ file: e.file, mechanism: e.mechanism, rows: loaded.rows.length, format: loaded.format });
    out.warnings.push(...loaded.warnings);
  }
  out.pairs = toLabeledPairs(byMech);
  return out;
}

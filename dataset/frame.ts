// danfojs-node DataFrames for users who work with frames (stats, slicing, notebook cells). Loaded
// lazily — danfojs pulls in tfjs and takes seconds to load — and kept out of every hot path.
import type { RawRow } from './epitome';
import { loadLabeledCsv } from './labeled';

type Danfo = typeof import('danfojs-node');
let danfo: Danfo | undefined;

/** The danfojs-node module, loaded on first use. */
export function danfojs(): Danfo {
  danfo ??= require('danfojs-node') as Danfo;
  return danfo;
}

/** Rows (any plain records) → a danfojs DataFrame; RawRow rationales become `|`-joined strings. */
export function toDataFrame(rows: ReadonlyArray<Record<string, unknown>> | readonly RawRow[]): InstanceType<Danfo['DataFrame']> {
  const { DataFrame } = danfojs();
  if (rows.length === 0) throw new Error('toDataFrame: no rows (danfojs cannot infer columns from an empty list)');
  const plain = (rows as ReadonlyArray<Record<string, unknown>>).map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = Array.isArray(v) ? v.join('|') : v;
    return o;
  });
  return new DataFrame(plain);
}

/** Load a raw or processed EPITOME CSV (validated) straight into a DataFrame: the file's columns and `line`. */
export async function readEpitomeFrame(file: string): Promise<InstanceType<Danfo['DataFrame']>> {
  return toDataFrame((await loadLabeledCsv(file)).rows.map(({ spans: _spans, missed: _missed, ...row }) => row));
}

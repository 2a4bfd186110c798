// Fetch the public EPITOME Reddit CSVs from the original repository (behavioral-data/Empathy-Mental-Health)
// into a user folder: each file validated as EPITOME CSV, then written atomically; clear errors offline.
import * as path from 'node:path';
import { DataError, writeTextAtomic } from './csv';
import { rawRowsFromRecords } from './epitome';
import { parseCsvRecords } from './csv';
import { describeFetchError } from './fetchError';

export const DEFAULT_BASE_URL = 'https://raw.githubusercontent.com/behavioral-data/Empathy-Mental-Health/master/dataset';
export const PUBLIC_FILES = ['emotional-reactions-reddit.csv', 'interpretations-reddit.csv', 'explorations-reddit.csv'] as const;

export const ATTRIBUTION =
  'EPITOME data: Copyright 2019-2020 University of Washington. Developed in the Behavioral Data Science Group. ' +
  'Cite: Sharma, Miner, Atkins & Althoff, "A Computational Approach to Understanding Empathy Expressed in Text-Based Mental Health Support", EMNLP 2020.';

export interface DownloadResult {
  file: string;
  rows: number;
  bytes: number;
}

export async function downloadEpitome(outDir: string, opts: { baseUrl?: string; timeoutMs?: number; onFile?: (name: string) => void } = {}): Promise<DownloadResult[]> {
  const base = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/$/, '');
  const results: DownloadResult[] = [];
  for (const name of PUBLIC_FILES) {
    const url = `${base}/${name}`;
    opts.onFile?.(name);
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
      text = await res.text();
    } catch (e) {
      throw new Error(describeFetchError(url, e, 'download-data needs internet access; otherwise copy the CSVs into the folder by hand'));
    }
    const dest = path.join(outDir, name);
    const { rows } = rawRowsFromRecords(parseCsvRecords(text, url), url); // refuse to save something that is not EPITOME
    if (rows.length === 0) throw new DataError(url, undefined, 'downloaded file has no rows');
    writeTextAtomic(dest, text);
    results.push({ file: dest, rows: rows.length, bytes: Buffer.byteLength(text) });
  }
  return results;
}

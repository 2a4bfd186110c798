// Where the tutorials get their data: the shipped samples by default, the public EPITOME CSVs when the
// user points EMPATHY_DATA_DIR (or the `dir` argument) at them. EMPATHY_MAX_ROWS caps the pairs per
// part so a tutorial stays quick on the full data (CI uses it).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Mechanism } from '../engine/types';

const FILE_STEMS: Record<Mechanism, string> = {
  ER: 'emotional-reactions',
  IP: 'interpretations',
  EX: 'explorations',
};

export interface TutorialFiles {
  /** 'samples' (shipped with the workbench) or 'public' (the EPITOME Reddit CSVs). */
  source: 'samples' | 'public';
  dir: string;
  /** Training files per mechanism. */
  train: Record<Mechanism, string>;
  /** Development files per mechanism when the folder has a split (`*.dev.csv`). */
  dev?: Record<Mechanism, string>;
  /** A pairs-only CSV (id, seeker_post, response_post) for `empathy test`-style scoring. */
  unlabeled?: string;
  /** Cap on pairs per part (EMPATHY_MAX_ROWS), undefined = all. */
  maxRows?: number;
  /** One line saying what is used, for the notebook to print. */
  describe: string;
}

/** The workbench's own folder (the one holding package.json and dataset/samples). */
export function workbenchRoot(): string {
  for (const up of ['../..', '../../..']) {
    const root = resolve(__dirname, up);
    if (existsSync(join(root, 'dataset', 'samples'))) return root;
  }
  throw new Error(`cannot find dataset/samples above ${__dirname}`);
}

export function samplesDir(): string {
  return join(workbenchRoot(), 'dataset', 'samples');
}

function pick(dir: string, m: Mechanism, part: 'train' | 'dev' | 'all'): string | undefined {
  const names = readdirSync(dir);
  const stem = FILE_STEMS[m];
  const want = part === 'all'
    ? [`${stem}-reddit.csv`, `${stem}-sample.csv`, `${stem}.csv`]
    : [`${stem}-reddit.${part}.csv`, `${stem}.${part}.csv`];
  const hit = want.find(n => names.includes(n));
  return hit ? join(dir, hit) : undefined;
}

/**
 * The files a tutorial should use. `dir` (or EMPATHY_DATA_DIR) may hold the public CSVs — split as
 * `*-reddit.train.csv` / `*-reddit.dev.csv`, or whole as `*-reddit.csv` — else the shipped samples.
 */
export function tutorialData(dir: string | undefined = process.env.EMPATHY_DATA_DIR): TutorialFiles {
  const maxEnv = Number(process.env.EMPATHY_MAX_ROWS);
  const maxRows = Number.isFinite(maxEnv) && maxEnv > 0 ? Math.floor(maxEnv) : undefined;
  const cap = maxRows ? `, first ${maxRows} pairs per part (EMPATHY_MAX_ROWS)` : '';
  if (dir) {
    const d = resolve(dir);
    if (!existsSync(d)) throw new Error(`EMPATHY_DATA_DIR ${d} does not exist (unset it to use the shipped samples)`);
    const mechs: Mechanism[] = ['ER', 'IP', 'EX'];
    const train = Object.fromEntries(mechs.map(m => [m, pick(d, m, 'train') ?? pick(d, m, 'all')])) as Record<Mechanism, string | undefined>;
    const missing = mechs.filter(m => !train[m]);
    if (missing.length) throw new Error(`${d}: no ${missing.map(m => `${FILE_STEMS[m]}-reddit(.train).csv`).join(', ')} (the public EPITOME CSVs; npm run dataset:download fetches them)`);
    const devs = mechs.map(m => pick(d, m, 'dev'));
    const dev = devs.every(Boolean) ? (Object.fromEntries(mechs.map((m, i) => [m, devs[i]])) as Record<Mechanism, string>) : undefined;
    return {
      source: 'public', dir: d, train: train as Record<Mechanism, string>, dev, maxRows,
      describe: `public EPITOME Reddit CSVs in ${d}${dev ? ' (train/dev split)' : ''}${cap}`,
    };
  }
  const s = samplesDir();
  return {
    source: 'samples', dir: s, maxRows,
    train: { ER: join(s, 'emotional-reactions-sample.csv'), IP: join(s, 'interpretations-sample.csv'), EX: join(s, 'explorations-sample.csv') },
    unlabeled: join(s, 'sample_test_input.csv'),
    describe: `the shipped samples in ${s} (24 invented pairs; set EMPATHY_DATA_DIR to use the public CSVs)${cap}`,
  };
}

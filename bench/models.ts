// The offline default's training cost: the ensemble (linear + tagger) on all three mechanisms of the
// public train split (read by path from ../shared/epitome, never copied), on the wasm backend.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadEpitomeCsv, toLabeledPairs } from '../dataset/epitome';
import { families } from '../kernel/models/families';
import { initBackend } from '../kernel/engine/backend';
import type { Mechanism } from '../kernel/engine/types';

export interface ModelsBenchResult { pairs: number; trainSeconds: number; peakRssGB: number }

const FILES: Record<Mechanism, string> = { ER: 'emotional-reactions', IP: 'interpretations', EX: 'explorations' };

export async function benchModels(log: (s: string) => void = () => {}): Promise<ModelsBenchResult | undefined> {
  const dir = process.env.EPITOME_DIR ?? resolve(__dirname, '../..', '../shared/epitome');
  if (!existsSync(join(dir, `${FILES.ER}-reddit.train.csv`))) {
    log(`  no public EPITOME train split at ${dir} (set EPITOME_DIR): skipped`);
    return undefined;
  }
  const rows: Partial<Record<Mechanism, Awaited<ReturnType<typeof loadEpitomeCsv>>['rows']>> = {};
  for (const m of Object.keys(FILES) as Mechanism[]) rows[m] = (await loadEpitomeCsv(join(dir, `${FILES[m]}-reddit.train.csv`))).rows;
  const train = toLabeledPairs(rows);
  await initBackend('wasm', 'flag');
  const ensemble = families.ensemble;
  if (!ensemble) throw new Error('the ensemble family is not registered');
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 500);
  const t0 = performance.now();
  try {
    const result = await ensemble.train({ backend: 'wasm' }, { train }, {
      onEvent: e => { if (e.type === 'epoch') log(`  epoch ${e.epoch} done at ${((performance.now() - t0) / 1000).toFixed(0)} s`); },
    });
    result.model.dispose();
  } finally {
    clearInterval(timer);
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  log(`  → ${train.length} pairs × 3 mechanisms trained in ${trainSeconds.toFixed(0)} s, peak RSS ${(peak / 1024 ** 3).toFixed(2)} GB`);
  return { pairs: train.length, trainSeconds, peakRssGB: peak / 1024 ** 3 };
}

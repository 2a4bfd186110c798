// The engine part of `npm run bench`, alone, for the self-contained GPU bundle (`npm run bench:gpu-bundle`):
// one training step and inference throughput per backend and preset, printed and written as JSON.
// Flags: --backends webgpu,wasm (default webgpu,wasm) --preset small,roberta-base --steps N --out FILE.json
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchEngine, type EngineBenchResult } from '../engine';
import type { BackendPreference } from '../../kernel/engine/backend';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const backends = (flag('backends') ?? 'webgpu,wasm').split(',').filter(Boolean) as BackendPreference[];
  const presets = (flag('preset') ?? 'small,roberta-base').split(',').filter(Boolean);
  const steps = Number(flag('steps') ?? 3);
  const out = flag('out') ?? 'engine-results.json';
  const results: Array<EngineBenchResult | { backend: string; preset: string; error: string }> = [];
  console.log(`gpu check on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  for (const preset of presets) {
    for (const b of backends) {
      try {
        // One process here (the bundle runs alone): training then inference, so the RSS is the training peak.
        for (const mode of ['train', 'infer'] as const) {
          const r = await benchEngine({ backend: b, mode, preset, steps, log: (s) => console.log(s) });
          const speed = mode === 'train' ? `${r.stepSeconds!.toFixed(3)} s/step` : `${r.pairsPerSecond!.toFixed(1)} pairs/s`;
          console.log(`${preset} ${mode} on ${r.backend.detail}: ${speed}, peak RSS ${r.peakRssGB.toFixed(2)} GB, leaked ${r.leakedTensors}`);
          results.push(r);
        }
      } catch (e) {
        console.log(`${preset} on ${b}: FAILED ${(e as Error).message}`);
        results.push({ backend: b, preset, error: (e as Error).message });
      }
    }
  }
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), results }, null, 2) + '\n');
  console.log(`wrote ${out}`);
  return results.some((r) => 'error' in r) ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(2); });

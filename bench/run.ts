// `npm run bench`: the speed and memory targets, measured (never asserted by timed unit tests).
// Prints one line per target (PASS/FAIL with the measured number), writes bench/results/bench.{json,md},
// exits 1 when a target is missed. Flags: --backends webgpu,wasm,cpu (default wasm) --preset small,roberta-base
// (default small) --steps N --skip engine,webviews,models --out NAME (writes bench/results/NAME.{json,md}; default bench)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { benchEngine, PYTORCH_REFERENCE, type EngineBenchResult } from './engine';
import { benchWebviews, type WebviewTiming } from './webviews';
import { benchModels, type ModelsBenchResult } from './models';
import type { BackendPreference } from '../kernel/engine/backend';

interface Target { name: string; measured: string; target: string; pass: boolean }

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const backends = (flag('backends') ?? 'wasm').split(',') as BackendPreference[];
  const steps = Number(flag('steps') ?? 3);
  const presets = (flag('preset') ?? 'small').split(',').filter(Boolean);
  const outName = flag('out') ?? 'bench';
  if (!/^[\w.-]+$/.test(outName)) throw new Error(`--out ${outName}: a file name stem, no folders`);
  const skip = new Set((flag('skip') ?? '').split(',').filter(Boolean));
  const log = (s: string) => console.log(s);
  const targets: Target[] = [];
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()[0].toFixed(1)} at start, node ${process.version}`;
  log(`bench on ${machine}`);

  const engine: EngineBenchResult[] = [];
  if (!skip.has('engine')) {
    for (const preset of presets) for (const b of backends) {
      log(`engine: bi-encoder '${preset}', B32 T64, backend ${b}`);
      let r: EngineBenchResult;
      try {
        r = await benchEngine({ backend: b, preset, steps, log });
      } catch (e) {
        // A backend asked for but not available here (tfjs-node-gpu not installed, no GPU adapter): say why
        // as a missed target and go on with the others.
        const reason = (e as Error).message.split('\n')[0];
        log(`  → not measured: ${reason}`);
        targets.push({ name: `engine ${b} (${preset}): starts`, measured: reason, target: 'starts', pass: false });
        continue;
      }
      log(`  backend: ${r.backend.detail}${r.backend.adapter ? ` [adapter: ${JSON.stringify(r.backend.adapter)}]` : ''}`);
      engine.push(r);
      log(`  → ${r.stepSeconds.toFixed(2)} s/step (${(r.stepSeconds / PYTORCH_REFERENCE.stepSeconds).toFixed(1)}× PyTorch 1-thread), ${r.pairsPerSecond.toFixed(1)} pairs/s inference (${(PYTORCH_REFERENCE.pairsPerSecond / r.pairsPerSecond).toFixed(1)}× slower than PyTorch), peak RSS ${r.peakRssGB.toFixed(2)} GB`);
      targets.push({ name: `engine ${r.backend.name} (${preset}): no tensor leaked by train steps + inference`, measured: `${r.leakedTensors} tensors`, target: '0', pass: r.leakedTensors === 0 });
      if (r.backend.name === 'wasm' && preset === 'small') {
        // wasm32 memory is capped at 4 GB and never shrinks: the paper's batch must fit with room to spare.
        targets.push({ name: 'engine wasm: peak RSS at B32 T64 (small)', measured: `${r.peakRssGB.toFixed(2)} GB`, target: '< 3.5 GB', pass: r.peakRssGB < 3.5 });
      }
    }
  }

  let webviews: WebviewTiming[] | undefined;
  if (!skip.has('webviews')) {
    log('webviews: large payloads in headless Chromium');
    webviews = await benchWebviews(log);
    for (const t of webviews ?? []) targets.push({ name: `renderer: ${t.what}`, measured: `${t.ms.toFixed(0)} ms`, target: '< 1000 ms', pass: t.ms < 1000 });
  }

  let models: ModelsBenchResult | undefined;
  if (!skip.has('models')) {
    log('models: offline default (linear + tagger ensemble), all three mechanisms, wasm');
    models = await benchModels(log);
    if (models) targets.push({ name: 'offline default: train ER+IP+EX on the public train split (wasm)', measured: `${models.trainSeconds.toFixed(0)} s`, target: '< 300 s', pass: models.trainSeconds < 300 });
  }

  log('');
  for (const t of targets) log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured} (target ${t.target})`);
  const dir = resolve(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  const result = { date: new Date().toISOString(), machine, reference: PYTORCH_REFERENCE, engine, webviews, models, targets };
  writeFileSync(join(dir, `${outName}.json`), JSON.stringify(result, null, 2) + '\n');
  const md = [
    `# npm run bench — ${result.date}`,
    '',
    `Machine: ${machine}.`,
    '',
    '| target | measured | goal | |',
    '|---|---|---|---|',
    ...targets.map(t => `| ${t.name} | ${t.measured} | ${t.target} | ${t.pass ? 'pass' : '**FAIL**'} |`),
    '',
    ...engine.map(r => `Engine (${r.preset}) on ${r.backend.detail}: ${r.stepSeconds.toFixed(2)} s per training step (PyTorch 1-thread reference ${PYTORCH_REFERENCE.stepSeconds} s), ${r.pairsPerSecond.toFixed(1)} pairs/s inference (reference ${PYTORCH_REFERENCE.pairsPerSecond}), peak RSS ${r.peakRssGB.toFixed(2)} GB${r.peakGpuMB === undefined ? '' : `, GPU memory ${r.peakGpuMB.toFixed(0)} MB`}.`),
  ].join('\n');
  writeFileSync(join(dir, `${outName}.md`), md + '\n');
  log(`\nwrote ${join(dir, `${outName}.md`)} and ${outName}.json`);
  return targets.every(t => t.pass) ? 0 : 1;
}

main().then(code => process.exit(code), e => { console.error(`bench: ${e instanceof Error ? e.stack : e}`); process.exit(2); });

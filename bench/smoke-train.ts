// Smoke run of the bi-encoder on the real EPITOME Reddit data (read by path from ../shared/epitome, never
// copied): a small from-scratch config on wasm, printing per-epoch dev loss / accuracy / macro-F1 next to
// the majority-class macro-F1 of the same dev set. Usage: node out/bench/smoke-train.js [key=value ...]
// (keys are TrainConfig flags, e.g. epochs=3 lr=1e-3; mech=ER|IP|EX picks the files).
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { loadEpitomeCsv, toLabeledPairs } from '../dataset/epitome';
import { levelMetrics } from '../kernel/metrics/levels';
import { describeBackend, type Mechanism } from '../kernel/engine';
import { train, type TrainConfig } from '../kernel/models';

const FILES: Record<Mechanism, string> = { ER: 'emotional-reactions', IP: 'interpretations', EX: 'explorations' };

async function main(): Promise<void> {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
  const mech = (args.mech ?? 'ER') as Mechanism;
  delete args.mech;
  const dataDir = process.env.EPITOME_DIR ?? path.resolve(__dirname, '../..', '../shared/epitome');
  const trainFile = path.join(dataDir, `${FILES[mech]}-reddit.train.csv`);
  const devFile = path.join(dataDir, `${FILES[mech]}-reddit.dev.csv`);
  if (!existsSync(trainFile)) { console.error(`no data at ${trainFile} (set EPITOME_DIR)`); process.exit(2); }
  const trainPairs = toLabeledPairs({ [mech]: (await loadEpitomeCsv(trainFile)).rows });
  const devPairs = toLabeledPairs({ [mech]: (await loadEpitomeCsv(devFile)).rows });

  // Majority class of the training set, scored on dev: the bar to beat.
  const counts = [0, 0, 0];
  for (const p of trainPairs) counts[p.labels[mech]!.level]++;
  const majority = counts.indexOf(Math.max(...counts));
  const gold = devPairs.map((p) => p.labels[mech]!.level);
  const maj = levelMetrics(gold, gold.map(() => majority));

  const cfg: Partial<TrainConfig> = {
    preset: 'small',
    model: { encoder: { hidden: 64, layers: 2, heads: 2, intermediate: 256 } },
    vocab_size: 2000,
    backend: 'wasm',
    max_len: 64,
    batch_size: 16, // more updates per epoch: from scratch, the level head needs steps more than big batches
    epochs: 3,
    lr: 2e-3, // from scratch; 2e-5 (train.py) is for fine-tuning roberta-base
    warmup_steps: 10,
    lambda_EI: 1.0,
    lambda_RE: 0.5,
    class_weights: 'balanced', // macro-F1 is the target; ER has 5% level-2 rows
    eval_batch_size: 64,
  };
  for (const [k, v] of Object.entries(args)) (cfg as Record<string, unknown>)[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);

  console.log(`smoke-train ${mech}: ${trainPairs.length} train / ${devPairs.length} dev pairs; train levels 0/1/2 = ${counts.join('/')}`);
  console.log(`config: ${JSON.stringify(cfg)}`);
  console.log(`majority class (${majority}) on dev: acc ${maj.accuracy.toFixed(3)} macro-F1 ${maj.macroF1.toFixed(3)}`);
  const t0 = Date.now();
  let lastLog = 0;
  const { model, dev } = await train(cfg, { train: trainPairs, dev: devPairs }, {
    onEvent: (e) => {
      if (e.type === 'start') console.log(`backend: ${describeBackend(e.backend)}; ${e.totalSteps} steps (${e.stepsPerEpoch}/epoch)`);
      else if (e.type === 'log') console.log(`[${e.level}] ${e.message}`);
      else if (e.type === 'step' && (e.step === 1 || Date.now() - lastLog > 20_000)) {
        lastLog = Date.now();
        console.log(`  step ${e.step} epoch ${e.epoch} loss ${e.loss.toFixed(4)} (level ${e.lossLevel.toFixed(4)}, rationale ${e.lossRationale.toFixed(4)}) lr ${e.lr.toExponential(2)} |g| ${e.gradNorm.toFixed(3)} ${e.examplesPerSec.toFixed(1)} pairs/s`);
      } else if (e.type === 'epoch') {
        const m = e.dev?.mechanisms[mech];
        console.log(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} | dev loss ${e.dev?.loss.toFixed(4)} acc ${m?.accuracy.toFixed(3)} macro-F1 ${m?.macroF1.toFixed(3)} ` +
          `rationale token-F1 (level>0) ${m?.rationale.positive.tokenF1.toFixed(3)} | ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    },
  });
  const m = dev?.mechanisms[mech];
  console.log(`final dev ${mech}: acc ${m?.accuracy.toFixed(3)} macro-F1 ${m?.macroF1.toFixed(3)} vs majority macro-F1 ${maj.macroF1.toFixed(3)} ` +
    `(${m && m.macroF1 > maj.macroF1 ? 'beats' : 'does NOT beat'} the majority class); confusion ${JSON.stringify(m?.confusion)}; ${((Date.now() - t0) / 1000).toFixed(0)} s total`);
  model.dispose();
}

main().catch((e) => { console.error(e); process.exit(1); });

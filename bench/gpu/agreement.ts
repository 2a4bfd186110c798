// Cross-backend agreement of one checkpoint: train a bi-encoder on webgpu through the CLI
// (`EMPATHY_BACKEND=webgpu empathy train …`), then score the dev set with that checkpoint on each backend
// (one process per backend, forced) and compare the predicted levels and probabilities with the webgpu
// ones; writes DIR/agreement.json and DIR/agreement.md (levels and ids only: never the posts).
// Flags: --train TRAIN.csv --dev DEV.csv [--preset small] [--train_backend webgpu] [--backends webgpu,wasm,cpu]
//        [--epochs 1] [--limit N] [--lr 0.00002] [--batch_size 32] [--max_len 64] [--checkpoint CKPT (skip training)]
//        [--train_flags "--class_weights balanced --lambda_EI 1" (more `empathy train` flags)]
//        [--cli bin/empathy.js] [--out-dir DIR] [--min_agreement 0.99 (exit 1 below it)]
// Child mode (one backend): --score CKPT --dev DEV.csv --backend NAME --json OUT.json
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend, type BackendPreference } from '../../kernel/engine/backend';
import { loadModel } from '../../kernel/models/families';
import { loadLabeledCsv } from '../../dataset/labeled';
import { writeFileAtomic } from '../../dataset/atomicFile';
import type { BackendInfo } from '../../kernel/engine/types';
import { levelAgreement, minTopMargin } from './levelAgreement';

/** The run, as flags give it (defaults: the small preset, one epoch, the full training file). */
interface AgreementConfig {
  train?: string;
  dev: string;
  /** Bi-encoder size (kernel/models/bi-encoder/config.ts). */
  preset: string;
  /** The backend the checkpoint is trained on. */
  trainBackend: BackendPreference;
  /** Backends the dev set is scored on; the first is the reference the others are compared with. */
  backends: BackendPreference[];
  epochs: number;
  /** Only the first N training pairs (undefined: all). */
  limit?: number;
  /** Learning rate (undefined: the CLI's, the paper's 2e-5). */
  lr?: number;
  batchSize: number;
  maxLen: number;
  /** More `empathy train` flags, space-separated (e.g. --class_weights balanced). */
  trainFlags: string[];
  /** An existing checkpoint: skip training. */
  checkpoint?: string;
  /** The `empathy` CLI entry (bin/empathy.js in the repository, empathy.js in the GPU bundle). */
  cli: string;
  outDir: string;
  /** Level agreement with the reference below which the run exits 1 (a level can flip where two probabilities tie within float error). */
  minAgreement: number;
}

/** One backend's scores of the dev set. */
interface Scored {
  backend: BackendInfo;
  seconds: number;
  ids: string[];
  levels: number[];
  probs: Array<[number, number, number]>;
  gold: number[];
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function int(name: string): number | undefined {
  const s = flag(name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${s}: a positive integer`);
  return n;
}

/** Child mode: score the dev set on one forced backend and write levels and probabilities as JSON. */
async function score(ckpt: string, dev: string, backend: BackendPreference, out: string): Promise<void> {
  const info = await initBackend(backend, 'flag');
  const { rows } = await loadLabeledCsv(dev);
  const model = await loadModel(ckpt);
  try {
    const mech = model.mechanisms[0];
    const t0 = performance.now();
    const preds = await model.predict(rows.map((r) => ({ id: `${r.sp_id}_${r.rp_id}`, seekerPost: r.seeker_post, responsePost: r.response_post })));
    const seconds = (performance.now() - t0) / 1000;
    const result: Scored = {
      backend: info, seconds,
      ids: preds.map((p) => p.id),
      levels: preds.map((p) => p.mechanisms[mech]!.level),
      probs: preds.map((p) => p.mechanisms[mech]!.probs),
      gold: rows.map((r) => r.level),
    };
    writeFileAtomic(out, JSON.stringify(result) + '\n');
  } finally {
    model.dispose();
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}`);
  return (performance.now() - t0) / 1000;
}

const accuracy = (s: Scored) => s.levels.filter((l, i) => l === s.gold[i]).length / s.levels.length;

async function main(): Promise<number> {
  const scoreCkpt = flag('score');
  if (scoreCkpt) {
    const dev = flag('dev'), backend = flag('backend'), out = flag('json');
    if (!dev || !backend || !out) throw new Error('--score needs --dev, --backend and --json');
    await score(scoreCkpt, dev, backend as BackendPreference, out);
    return 0;
  }
  const dev = flag('dev');
  if (!dev) throw new Error('--dev DEV.csv is required');
  const cfg: AgreementConfig = {
    train: flag('train'), dev,
    preset: flag('preset') ?? 'small',
    trainBackend: (flag('train_backend') ?? 'webgpu') as BackendPreference,
    backends: (flag('backends') ?? 'webgpu,wasm,cpu').split(',').filter(Boolean) as BackendPreference[],
    epochs: int('epochs') ?? 1, limit: int('limit'), lr: flag('lr') === undefined ? undefined : Number(flag('lr')), batchSize: int('batch_size') ?? 32, maxLen: int('max_len') ?? 64,
    trainFlags: (flag('train_flags') ?? '').split(/\s+/).filter(Boolean),
    checkpoint: flag('checkpoint'),
    cli: flag('cli') ?? resolve(__dirname, '../../../bin/empathy.js'),
    outDir: flag('out-dir') ?? 'agreement',
    minAgreement: Number(flag('min_agreement') ?? 0.99),
  };
  if (!cfg.checkpoint && !cfg.train) throw new Error('--train TRAIN.csv (or --checkpoint CKPT) is required');
  mkdirSync(cfg.outDir, { recursive: true });
  const ckpt = cfg.checkpoint ?? join(cfg.outDir, `ER-${cfg.preset}-${cfg.trainBackend}.ckpt`);
  let trainSeconds: number | undefined;
  if (!cfg.checkpoint) {
    const args = [cfg.cli, 'train', '--train_path', cfg.train!, '--mechanism', 'ER', '--preset', cfg.preset, '--epochs', String(cfg.epochs),
      '--batch_size', String(cfg.batchSize), '--max_len', String(cfg.maxLen), '--save_model', '--save_model_path', ckpt, '--no_run',
      ...(cfg.limit ? ['--limit', String(cfg.limit)] : []), ...(cfg.lr ? ['--lr', String(cfg.lr)] : []), ...cfg.trainFlags];
    console.log(`agreement: EMPATHY_BACKEND=${cfg.trainBackend} empathy ${args.slice(1).join(' ')}`);
    trainSeconds = run(process.execPath, args, { ...process.env, EMPATHY_BACKEND: cfg.trainBackend }, 'training');
  }
  const scored: Scored[] = [];
  for (const b of cfg.backends) {
    const out = join(cfg.outDir, `dev-${b}.json`);
    console.log(`agreement: scoring ${cfg.dev} on ${b}`);
    run(process.execPath, [process.argv[1], '--score', ckpt, '--dev', cfg.dev, '--backend', b, '--json', out], process.env, `scoring on ${b}`);
    scored.push(JSON.parse(readFileSync(out, 'utf8')) as Scored);
  }
  const ref = scored[0];
  const comparisons = scored.slice(1).map((s) => ({ backend: s.backend.name, reference: ref.backend.name, ...levelAgreement(ref, s) }));
  const date = new Date().toISOString();
  const report = {
    date, config: cfg, trainSeconds,
    backends: scored.map((s) => ({ backend: s.backend, seconds: s.seconds, devAccuracy: accuracy(s), levelCounts: [0, 1, 2].map((l) => s.levels.filter((x) => x === l).length), minTopMargin: minTopMargin(s.probs) })),
    comparisons,
  };
  writeFileAtomic(join(cfg.outDir, 'agreement.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    `# Cross-backend agreement — ${date}`,
    '',
    `Checkpoint: bi-encoder '${cfg.preset}' trained on ${cfg.trainBackend} (${cfg.checkpoint ? `given: ${cfg.checkpoint}` : `${cfg.epochs} epoch(s)${cfg.limit ? `, first ${cfg.limit} training pairs` : ', all training pairs'}${cfg.lr ? `, lr ${cfg.lr}` : ''}${cfg.trainFlags.length ? `, ${cfg.trainFlags.join(' ')}` : ''}, B${cfg.batchSize}, max_len ${cfg.maxLen}, ${trainSeconds!.toFixed(0)} s`}); dev set: ${ref.levels.length} rows.`,
    '',
    '| backend | device | dev accuracy | predicted levels 0/1/2 | smallest top-2 probability gap | scoring s |',
    '|---|---|---|---|---|---|',
    ...report.backends.map((b) => `| ${b.backend.name} | ${b.backend.detail.replace(/\|/g, '\\|')} | ${b.devAccuracy.toFixed(3)} | ${b.levelCounts.join(' / ')} | ${b.minTopMargin.toExponential(2)} | ${b.seconds.toFixed(1)} |`),
    '',
    '| compared | with | same level | agreement | max abs prob diff |',
    '|---|---|---|---|---|',
    ...comparisons.map((c) => `| ${c.backend} | ${c.reference} | ${c.sameLevel}/${c.rows} | ${(100 * c.agreement).toFixed(1)}% | ${c.maxProbDiff.toExponential(2)} |`),
  ].join('\n') + '\n';
  writeFileAtomic(join(cfg.outDir, 'agreement.md'), md);
  console.log(md);
  return comparisons.every((c) => c.agreement >= cfg.minAgreement) ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => { console.error(`agreement: ${e instanceof Error ? e.message : e}`); process.exit(2); });

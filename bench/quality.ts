// `npm run bench:quality`: grouped (sp_id), stratified 5-fold cross-validation of the built-in
// presets (linear, tagger, offline-default = their ensemble) on the EPITOME train+dev files, read by
// path from <repo>/../shared/epitome; writes bench/results/quality.{md,json}.
// Each fold trains the linear and tagger models once; the ensemble is scored from their predictions
// with its default weights (no weight is tuned on a test fold).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEpitomeCsv, toLabeledPairs, type RawRow } from '../dataset/epitome';
import { foldSplit, groupedStratifiedFolds, meanStd, flatMetrics, type MeanStd } from '../kernel/engine/cv';
import type { EvalReport, LabeledPair, Mechanism, PairPrediction } from '../kernel/engine/types';
import { MECHANISMS } from '../dataset/schema';
import { tokenF1 } from '../kernel/metrics/rationales';
import { argmax3, evaluatePredictions, goldTokenLabels } from '../kernel/models/evaluate';
import { combinePredictions } from '../kernel/models/ensemble/combine';
import { defaultEnsembleConfig, defaultEnsembleWeights, softRationaleRule } from '../kernel/models/ensemble/config';
import { trainLinear } from '../kernel/models/linear/linearModel';
import { gateByLevel } from '../kernel/models/levelGate';
import { trainTagger } from '../kernel/models/tagger/taggerModel';
import { wordTokens } from '../dataset/wordTokenizer';

interface BenchArgs {
  folds: number; // 5
  seed: number; // 12
  /** Which presets to run: linear, tagger, offline-default (needs both). */
  presets: string[]; // all three
  /** Use only the first N pairs (smoke runs). */
  limit?: number;
  /** Tagger epochs override (smoke runs). */
  taggerEpochs?: number;
  /** Tagger config overrides as JSON (experiments). */
  taggerConfig?: Record<string, unknown>;
  /** Also write each fold's per-row probabilities (quality.fold<i>.preds.json) for post-hoc analysis. */
  savePreds?: boolean;
  out: string; // bench/results
  /** EPITOME folder (default <repo>/../shared/epitome). */
  data?: string;
  /** Run only these folds (0-based; parallel shards on a shared machine), written to quality.fold<i>.json. */
  only?: number[];
  /** Merge shard files (quality.fold<i>.json) into quality.{md,json} instead of running. */
  merge?: string[];
  /**
   * Re-score saved out-of-fold predictions (a --save-preds run's quality.fold<i>.preds.json + shard files
   * in this folder) with today's scoring and ensemble rule instead of training; train times come from the shards.
   */
  rescore?: string;
}

const MECHS: Mechanism[] = [...MECHANISMS];
const FILES: Record<Mechanism, string> = { ER: 'emotional-reactions', IP: 'interpretations', EX: 'explorations' };

function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { folds: 5, seed: 12, presets: ['linear', 'tagger', 'offline-default'], out: 'bench/results' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--folds') a.folds = Number(v), i++;
    else if (k === '--seed') a.seed = Number(v), i++;
    else if (k === '--presets') a.presets = v.split(','), i++;
    else if (k === '--limit') a.limit = Number(v), i++;
    else if (k === '--tagger-epochs') a.taggerEpochs = Number(v), i++;
    else if (k === '--tagger-config') a.taggerConfig = JSON.parse(v) as Record<string, unknown>, i++;
    else if (k === '--save-preds') a.savePreds = true;
    else if (k === '--out') a.out = v, i++;
    else if (k === '--data') a.data = v, i++;
    else if (k === '--only') a.only = v.split(',').map(Number), i++;
    else if (k === '--merge') a.merge = v.split(','), i++;
    else if (k === '--rescore') a.rescore = v, i++;
    else throw new Error(`bench:quality: unknown argument ${k}`);
  }
  return a;
}

export async function loadTrainDev(dir: string): Promise<LabeledPair[]> {
  const byMech: Partial<Record<Mechanism, RawRow[]>> = {};
  for (const m of MECHS) {
    const rows: RawRow[] = [];
    for (const part of ['train', 'dev']) rows.push(...(await loadEpitomeCsv(path.join(dir, `${FILES[m]}-reddit.${part}.csv`))).rows);
    byMech[m] = rows;
  }
  return toLabeledPairs(byMech);
}

/** "Every response token is a rationale" on level > 0 rows (the trivial bar the tagger must beat). */
function everyTokenF1(test: readonly LabeledPair[], m: Mechanism, maxLen: number): number {
  const items = test.flatMap((p) => {
    const l = p.labels[m];
    if (!l || l.level === 0) return [];
    const offsets = wordTokens(p.responsePost, maxLen).tokens.map((t) => [t.start, t.end] as [number, number]);
    return [{ gold: goldTokenLabels(l, offsets), pred: offsets.map(() => 1) }];
  });
  return tokenF1(items);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.merge) return mergeShards(args);
  const repo = path.resolve(__dirname, '../..');
  const dataDir = args.data ? path.resolve(args.data) : path.resolve(repo, '../shared/epitome');
  if (!fs.existsSync(dataDir)) throw new Error(`bench:quality needs the EPITOME files in ${dataDir}`);
  let pairs = await loadTrainDev(dataDir);
  if (args.limit) pairs = pairs.slice(0, args.limit);
  const folds = groupedStratifiedFolds(pairs, { k: args.folds, seed: args.seed });
  if (args.rescore) return rescore(args, pairs, folds);
  const want = new Set(args.presets);
  const needLinear = want.has('linear') || want.has('offline-default');
  const needTagger = want.has('tagger') || want.has('offline-default');
  const perFold: Record<string, Array<Record<string, number>>> = {};
  const seconds: Record<string, number[]> = {};
  // CPU seconds of this process while training: on a loaded shared machine, wall time overstates what a
  // dedicated core needs (wasm runs one thread; the main thread does the work).
  const cpuSeconds: Record<string, number[]> = {};
  const push = (name: string, r: EvalReport | Record<string, number>) => (perFold[name] ??= []).push('mechanisms' in r ? flatMetrics(r as EvalReport) : (r as Record<string, number>));
  const log = (s: string) => process.stderr.write(`[bench:quality ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  const load0 = os.loadavg()[0];
  let backend = '';

  const todo = args.only ?? Array.from({ length: args.folds }, (_, f) => f);
  for (const f of todo) {
    const { train, test } = foldSplit(pairs, folds, f);
    log(`fold ${f + 1}/${args.folds}: ${train.length} train, ${test.length} test pairs (load ${os.loadavg()[0].toFixed(1)})`);
    let lin: PairPrediction[] | undefined;
    let tag: PairPrediction[] | undefined;
    if (needLinear) {
      const t0 = Date.now();
      const c0 = process.cpuUsage();
      const { model } = await trainLinear({}, { train });
      (seconds.linear ??= []).push((Date.now() - t0) / 1000);
      (cpuSeconds.linear ??= []).push(cpuSince(c0));
      lin = await (model as import('../kernel/models/linear/linearModel').LinearModel).predictRaw(test);
      model.dispose();
      // The linear preset on its own shows rationales where its predicted level is > 0.
      if (want.has('linear')) push('linear', evaluatePredictions(test, gateByLevel(structuredClone(lin)), { maxLen: 64 }));
      log(`  linear ${seconds.linear.at(-1)!.toFixed(1)} s: ${MECHS.map((m) => `${m} ${perFold.linear?.at(-1)?.[`${m}.macroF1`]?.toFixed(3)}`).join(' ')}`);
    }
    if (needTagger) {
      const t0 = Date.now();
      const c0 = process.cpuUsage();
      const r = await trainTagger({ ...(args.taggerConfig ?? {}), ...(args.taggerEpochs ? { epochs: args.taggerEpochs } : {}) }, { train }, {
        onEvent: (e) => {
          if (e.type === 'start') backend = e.backend.detail;
          if (e.type === 'epoch') log(`  tagger epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        },
      });
      (seconds.tagger ??= []).push((Date.now() - t0) / 1000);
      (cpuSeconds.tagger ??= []).push(cpuSince(c0));
      tag = await (r.model as import('../kernel/models/tagger/taggerModel').TaggerModel).predictRaw(test);
      r.model.dispose();
      if (want.has('tagger')) push('tagger', evaluatePredictions(test, gateByLevel(structuredClone(tag)), { maxLen: 64 }));
      log(`  tagger ${seconds.tagger.at(-1)!.toFixed(1)} s: ${MECHS.map((m) => `${m} ${perFold.tagger?.at(-1)?.[`${m}.macroF1`]?.toFixed(3)} / ${perFold.tagger?.at(-1)?.[`${m}.rationale.positive.tokenF1`]?.toFixed(3)}`).join(' ')}`);
    }
    if (want.has('offline-default') && lin && tag) {
      scoreEnsembles(test, lin, tag, push);
      log(`  offline-default: ${MECHS.map((m) => `${m} ${perFold['offline-default'].at(-1)![`${m}.macroF1`].toFixed(3)} / ${perFold['offline-default'].at(-1)![`${m}.rationale.positive.tokenF1`].toFixed(3)}`).join(' ')}`);
    }
    if (args.savePreds) {
      const rows = test.map((p, i) => ({
        id: p.id,
        gold: Object.fromEntries(MECHS.filter((m) => p.labels[m]).map((m) => [m, p.labels[m]!.level])),
        goldTokens: Object.fromEntries(MECHS.filter((m) => p.labels[m] && tag).map((m) => [m, goldTokenLabels(p.labels[m]!, tag![i].mechanisms[m]!.tokens.map((t) => [t.start, t.end] as [number, number]))])),
        linear: lin ? Object.fromEntries(MECHS.map((m) => [m, lin![i].mechanisms[m]?.probs])) : undefined,
        tagger: tag ? Object.fromEntries(MECHS.map((m) => [m, tag![i].mechanisms[m]?.probs])) : undefined,
        tokens: tag ? Object.fromEntries(MECHS.map((m) => [m, tag![i].mechanisms[m]?.tokens.map((t) => Math.round(t.prob * 1e4) / 1e4)])) : undefined,
        linearTokens: lin ? Object.fromEntries(MECHS.map((m) => [m, lin![i].mechanisms[m]?.tokens.map((t) => Math.round(t.prob * 1e4) / 1e4)])) : undefined,
      }));
      const outDir = path.resolve(path.resolve(__dirname, '../..'), args.out);
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, `quality.fold${f}.preds.json`), JSON.stringify(rows));
    }
    push('every-token', Object.fromEntries(MECHS.map((m) => [`${m}.rationale.positive.tokenF1`, everyTokenF1(test, m, 64)])));
    if (args.only) {
      const outDir = path.resolve(path.resolve(__dirname, '../..'), args.out);
      fs.mkdirSync(outDir, { recursive: true });
      const shard: Shard = { fold: f, n: pairs.length, perFold: Object.fromEntries(Object.entries(perFold).map(([k, v]) => [k, v[v.length - 1]])), seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, v[v.length - 1]])), cpuSeconds: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, v[v.length - 1]])), load0, loadEnd: os.loadavg()[0], backend, argv: process.argv.slice(2) };
      fs.writeFileSync(path.join(outDir, `quality.fold${f}.json`), JSON.stringify(shard, null, 2) + '\n');
    } else {
      writeResults(args, pairs.length, todo.indexOf(f) + 1, perFold, seconds, { load0, backend }, cpuSeconds);
    }
  }
}

/**
 * The offline-default row (the preset as configured: CV weights, rationale gate, per-mechanism token
 * thresholds), the same members with the old rule (argmax gate, threshold 0.5) and with issue #8's
 * uniform weight 0.75.
 */
function scoreEnsembles(test: readonly LabeledPair[], lin: PairPrediction[], tag: PairPrediction[], push: (name: string, r: EvalReport) => void): void {
  const { rationaleThreshold: threshold, rationaleGate, rationaleMix } = defaultEnsembleConfig;
  push('offline-default', evaluatePredictions(test, combinePredictions(lin, tag, defaultEnsembleWeights, { threshold, minPositiveProb: rationaleGate.minPositiveProb, soft: rationaleGate.soft, rationaleMix }), { maxLen: 64, threshold }));
  const soft = softRationaleRule;
  push('offline-default-soft', evaluatePredictions(test, combinePredictions(lin, tag, defaultEnsembleWeights, { threshold: soft.rationaleThreshold, minPositiveProb: soft.rationaleGate.minPositiveProb, soft: soft.rationaleGate.soft, rationaleMix: soft.rationaleMix }), { maxLen: 64, threshold: soft.rationaleThreshold }));
  push('offline-default, first rationale rule', evaluatePredictions(test, combinePredictions(lin, tag, defaultEnsembleWeights, { threshold: 0.5 }), { maxLen: 64, threshold: 0.5 }));
  push('ensemble w=0.75', evaluatePredictions(test, combinePredictions(lin, tag, { ER: 0.75, IP: 0.75, EX: 0.75 }, { threshold: 0.5 }), { maxLen: 64, threshold: 0.5 }));
}

/** Saved out-of-fold rows (see --save-preds) → the fold's linear and tagger predictions, re-scored. */
async function rescore(args: BenchArgs, pairs: LabeledPair[], folds: number[]): Promise<void> {
  const dir = path.resolve(args.rescore!);
  const perFold: Record<string, Array<Record<string, number>>> = {};
  const seconds: Record<string, number[]> = {};
  const cpuSeconds: Record<string, number[]> = {};
  const push = (name: string, r: EvalReport | Record<string, number>) => (perFold[name] ??= []).push('mechanisms' in r ? flatMetrics(r as EvalReport) : (r as Record<string, number>));
  let load0 = 0;
  let loadEnd = 0;
  let backend = '';
  const done: number[] = [];
  for (let f = 0; f < args.folds; f++) {
    const file = path.join(dir, `quality.fold${f}.preds.json`);
    if (!fs.existsSync(file)) continue;
    const { test } = foldSplit(pairs, folds, f);
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedRow[];
    if (rows.length !== test.length || rows.some((r, i) => r.id !== test[i].id)) throw new Error(`${file}: rows do not match fold ${f} of this data/seed`);
    const rebuild = (which: 'linear' | 'tagger'): PairPrediction[] =>
      test.map((p, i) => ({
        id: p.id,
        seekerPost: p.seekerPost,
        responsePost: p.responsePost,
        mechanisms: Object.fromEntries(
          MECHS.filter((m) => rows[i][which]?.[m]).map((m) => {
            const { tokens, truncated } = wordTokens(p.responsePost, 64);
            const probs = rows[i][which]![m]! as [number, number, number];
            // Files saved before the linear rationale model have no linearTokens: probability 0.
            const tp = which === 'tagger' ? rows[i].tokens?.[m] : rows[i].linearTokens?.[m];
            if ((which === 'tagger' || tp) && (!tp || tp.length !== tokens.length)) throw new Error(`${file}: row ${p.id} ${m}: ${tp?.length} ${which} token probabilities for ${tokens.length} tokens`);
            const toks = tokens.map((t, k) => ({ ...t, prob: tp ? tp[k] : 0 }));
            return [m, { level: argmax3(probs), probs, tokens: toks, spans: [], truncated }];
          }),
        ),
      }));
    const lin = rebuild('linear');
    const tag = rebuild('tagger');
    push('linear', evaluatePredictions(test, gateByLevel(structuredClone(lin)), { maxLen: 64 }));
    push('tagger', evaluatePredictions(test, gateByLevel(structuredClone(tag)), { maxLen: 64 }));
    scoreEnsembles(test, lin, tag, push);
    push('every-token', Object.fromEntries(MECHS.map((m) => [`${m}.rationale.positive.tokenF1`, everyTokenF1(test, m, 64)])));
    const shardFile = path.join(dir, `quality.fold${f}.json`);
    if (fs.existsSync(shardFile)) {
      const sh = JSON.parse(fs.readFileSync(shardFile, 'utf8')) as Shard;
      for (const [k, v] of Object.entries(sh.seconds)) (seconds[k] ??= []).push(v);
      for (const [k, v] of Object.entries(sh.cpuSeconds ?? {})) (cpuSeconds[k] ??= []).push(v);
      load0 = Math.max(load0, sh.load0);
      loadEnd = Math.max(loadEnd, sh.loadEnd);
      backend ||= sh.backend;
    }
    done.push(f);
  }
  const command = `npm run bench:quality -- --only F --save-preds (F = ${done.join(', ')}, in parallel: training + predictions), then --rescore <that folder> (today's scoring of the saved out-of-fold probabilities, ${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(2)})`;
  writeResults(args, pairs.length, done.length, perFold, seconds, { load0, loadEnd, backend, command }, cpuSeconds);
}

/** One row of a --save-preds file. */
interface SavedRow {
  id: string;
  linear?: Partial<Record<Mechanism, number[]>>;
  tagger?: Partial<Record<Mechanism, number[]>>;
  tokens?: Partial<Record<Mechanism, number[]>>;
  /** The linear model's sentence-level token probabilities (absent in files from before it had one). */
  linearTokens?: Partial<Record<Mechanism, number[]>>;
}

/** One fold's raw metrics, written by an `--only` shard. */
interface Shard {
  fold: number;
  n: number;
  perFold: Record<string, Record<string, number>>;
  seconds: Record<string, number>;
  cpuSeconds?: Record<string, number>;
  load0: number;
  loadEnd: number;
  backend: string;
  argv: string[];
}

function mergeShards(args: BenchArgs): void {
  const shards = args.merge!.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Shard).sort((a, b) => a.fold - b.fold);
  const perFold: Record<string, Array<Record<string, number>>> = {};
  const seconds: Record<string, number[]> = {};
  const cpuSeconds: Record<string, number[]> = {};
  for (const s of shards) {
    for (const [k, v] of Object.entries(s.perFold)) (perFold[k] ??= []).push(v);
    for (const [k, v] of Object.entries(s.seconds)) (seconds[k] ??= []).push(v);
    for (const [k, v] of Object.entries(s.cpuSeconds ?? {})) (cpuSeconds[k] ??= []).push(v);
  }
  const load0 = Math.max(...shards.map((s) => s.load0));
  // The command that produced the shards: one `--only F` process per fold (in parallel), then --merge.
  const argv = shards[0].argv.filter((a, i, xs) => !['--only', '--out', '--data'].includes(a) && !['--only', '--out', '--data'].includes(xs[i - 1]));
  const command = `npm run bench:quality -- --only F${argv.length ? ' ' + argv.join(' ') : ''} (F = ${shards.map((x) => x.fold).join(', ')}, in parallel), then --merge`;
  writeResults({ ...args, folds: args.folds }, shards[0].n, shards.length, perFold, seconds, { load0, loadEnd: Math.max(...shards.map((x) => x.loadEnd)), backend: shards.find((s) => s.backend)?.backend ?? '', command }, cpuSeconds);
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

function writeResults(args: BenchArgs, n: number, done: number, perFold: Record<string, Array<Record<string, number>>>, seconds: Record<string, number[]>, env: { load0: number; backend: string; command?: string; loadEnd?: number }, cpuSeconds: Record<string, number[]> = {}): void {
  const agg: Record<string, Record<string, MeanStd>> = {};
  for (const [name, folds] of Object.entries(perFold)) {
    agg[name] = {};
    for (const key of Object.keys(folds[0])) agg[name][key] = meanStd(folds.map((x) => x[key]));
  }
  const outDir = path.resolve(path.resolve(__dirname, '../..'), args.out);
  fs.mkdirSync(outDir, { recursive: true });
  const meta = {
    command: env.command ?? `npm run bench:quality${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    date: new Date().toISOString(),
    data: `../shared/epitome train+dev, ${n} pairs, joint ER/IP/EX`,
    folds: args.folds,
    foldsCompleted: done,
    seed: args.seed,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average at start ${env.load0.toFixed(2)}, at end ${(env.loadEnd ?? os.loadavg()[0]).toFixed(2)} (shared machine)`,
    node: process.version,
    taggerBackend: env.backend || undefined,
    trainSecondsPerFold: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, meanStd(v)])),
    trainCpuSecondsPerFold: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, meanStd(v)])),
  };
  fs.writeFileSync(path.join(outDir, 'quality.json'), JSON.stringify({ meta, results: agg }, null, 2) + '\n');
  const fmt = (x?: MeanStd) => (x ? `${x.mean.toFixed(3)} ± ${x.std.toFixed(3)}` : '');
  const lines = [
    `# Quality: grouped (sp_id) stratified ${args.folds}-fold CV${done < args.folds ? ` (${done} of ${args.folds} folds done)` : ''}`,
    '',
    `\`${meta.command}\` · ${meta.date} · ${meta.data} · ${meta.machine} · Node ${meta.node}${env.backend ? ` · tagger on ${env.backend}` : ''}`,
    '',
    '| model | ER macro-F1 | IP macro-F1 | EX macro-F1 | ER acc | IP acc | EX acc | ER rationale F1 (level>0) | IP rationale F1 | EX rationale F1 | train s / fold (wall; CPU) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const name of ['every-token', 'linear', 'tagger', 'offline-default', 'offline-default-soft', 'offline-default, first rationale rule', 'ensemble w=0.75']) {
    const r = agg[name];
    if (!r) continue;
    const isEnsemble = name.startsWith('offline-default') || name.startsWith('ensemble');
    const both = (t: Record<string, number[]>) => (t[name] ? meanStd(t[name]).mean : isEnsemble && t.linear && t.tagger ? meanStd(t.linear).mean + meanStd(t.tagger).mean : NaN);
    const s = Number.isNaN(both(seconds)) ? '' : `${both(seconds).toFixed(0)}${Number.isNaN(both(cpuSeconds)) ? '' : `; ${both(cpuSeconds).toFixed(0)}`}`;
    lines.push(
      `| ${name} | ${MECHS.map((m) => fmt(r[`${m}.macroF1`])).join(' | ')} | ${MECHS.map((m) => fmt(r[`${m}.accuracy`])).join(' | ')} | ${MECHS.map((m) => fmt(r[`${m}.rationale.positive.tokenF1`])).join(' | ')} | ${s} |`,
    );
  }
  const gate = defaultEnsembleConfig.rationaleGate;
  const gateText = MECHS.map((m) => `${m} ${gate.soft?.includes(m) ? 'soft (× P(level > 0))' : gate.minPositiveProb[m] === undefined ? 'predicted level > 0' : `P(level > 0) ≥ ${gate.minPositiveProb[m]}`}`).join(', ');
  lines.push(
    '',
    `Rationale F1: pooled token-F1 of the positive class over word tokens (≤ 64 per response) on rows with gold level > 0, token threshold 0.5 unless stated; linear and tagger show their rationales where their own predicted level is > 0. offline-default = w·linear + (1−w)·tagger level probabilities with w = ${MECHS.map((m) => `${m} ${defaultEnsembleWeights[m]}`).join(', ')}; token rationale probabilities ρ·linear (sentence model) + (1−ρ)·tagger with ρ = ${MECHS.map((m) => `${m} ${defaultEnsembleConfig.rationaleMix[m]}`).join(', ')}, gated ${gateText}, token thresholds ${MECHS.map((m) => `${m} ${defaultEnsembleConfig.rationaleThreshold[m]}`).join(', ')} (chosen by nested grouped CV on the out-of-fold predictions of these same folds, so its rationale columns are slightly optimistic: the held-out-fold numbers are in bench/results/rationale-gate.md, from \`node out/bench/rationaleGate.js <--save-preds folder>\`); "offline-default-soft" multiplies token probabilities by P(level > 0) with no hard gate (thresholds ${MECHS.map((m) => `${m} ${softRationaleRule.rationaleThreshold[m]}`).join(', ')}, ρ ${MECHS.map((m) => `${m} ${softRationaleRule.rationaleMix[m]}`).join(', ')}); "offline-default, first rationale rule" is the same predictions with the first rule (tagger tokens only, predicted level > 0 gate, threshold 0.5); "ensemble w=0.75" is the same models with issue #8's uniform weight. Train s / fold: wall seconds on the shared 2-core machine; CPU seconds of the process (≈ one dedicated core).`,
    '',
  );
  fs.writeFileSync(path.join(outDir, 'quality.md'), lines.join('\n'));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench:quality: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}

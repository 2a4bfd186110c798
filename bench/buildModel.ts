// `npm run model:build`: trains the shipped model — the `offline-default` preset (ensemble of the linear
// and tagger families) on the public EPITOME Reddit *train* split, ER + IP + EX jointly — and writes
// dataset/models/offline-default.safetensors plus offline-default.json (data hashes, config, the
// dev-split metrics). The data folder is EMPATHY_DATA_DIR, else ../shared/epitome (the development
// setting). The wasm backend is pinned and the seed fixed, so the same data and seed give the same bytes.
// The dev split is only scored, never trained on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EvalReport, LabeledPair, Mechanism } from '../kernel/engine/types';
import { loadLabeledFiles } from '../dataset/labeledFiles';
import { writeFileAtomic } from '../dataset/atomicFile';
import { trainEnsemble } from '../kernel/models/ensemble/ensembleModel';
import { SHIPPED_MODEL_FILE, SHIPPED_MODEL_RECORD } from '../kernel/models/shipped';
import { sha256File } from '../kernel/runs/store';
import { modelHealth } from '../kernel/metrics/health';

const MECHS: Mechanism[] = ['ER', 'IP', 'EX'];
const STEMS: Record<Mechanism, string> = { ER: 'emotional-reactions', IP: 'interpretations', EX: 'explorations' };

export interface BuildModelOptions {
  /** Folder with the public CSVs (`<stem>-reddit.train.csv`, `<stem>-reddit.dev.csv`). */
  dataDir: string;
  /** Folder to write the model and its record into (default dataset/models). */
  outDir: string;
  seed: number; // 12
  /** Smoke/determinism tests only: first N training pairs, and tagger epochs. Never for the shipped file. */
  limit?: number;
  taggerEpochs?: number;
  log?: (line: string) => void;
}

/** The build record written beside the model (deterministic: no times, no absolute paths). */
export interface ShippedModelRecord {
  format: 'empathy-shipped-model';
  version: 1;
  preset: 'offline-default';
  seed: number;
  backend: 'wasm';
  data: Array<{ role: 'train' | 'dev'; file: string; mechanism: Mechanism; rows: number; sha256: string }>;
  trainPairs: number;
  devPairs: number;
  model: { file: string; bytes: number; sha256: string };
  /** Dev-split metrics per mechanism (corpus level; rationale token-F1 on rows whose gold level > 0). */
  dev: Partial<Record<Mechanism, { n: number; accuracy: number; macroF1: number; kappa: number; rationaleTokenF1Positive: number; rationaleIouF1Positive: number; rationaleTokenF1All: number }>>;
  smoke?: { limit?: number; taggerEpochs?: number };
}

export function publicFiles(dataDir: string, part: 'train' | 'dev'): string[] {
  return MECHS.map((m) => path.join(dataDir, `${STEMS[m]}-reddit.${part}.csv`));
}

export function devMetrics(report: EvalReport): ShippedModelRecord['dev'] {
  const out: ShippedModelRecord['dev'] = {};
  for (const m of MECHS) {
    const e = report.mechanisms[m];
    if (!e) continue;
    out[m] = { n: e.n, accuracy: e.accuracy, macroF1: e.macroF1, kappa: e.kappa, rationaleTokenF1Positive: e.rationale.positive.tokenF1, rationaleIouF1Positive: e.rationale.positive.iouF1, rationaleTokenF1All: e.rationale.all.tokenF1 };
  }
  return out;
}

export async function buildShippedModel(o: BuildModelOptions): Promise<ShippedModelRecord> {
  const log = o.log ?? (() => {});
  const trainFiles = publicFiles(o.dataDir, 'train');
  const devFiles = publicFiles(o.dataDir, 'dev');
  for (const f of [...trainFiles, ...devFiles]) {
    if (!fs.existsSync(f)) throw new Error(`model:build: ${f} not found (set EMPATHY_DATA_DIR to the folder with the public EPITOME CSVs; npm run dataset:download fetches them)`);
  }
  const cwd = process.cwd();
  const tr = await loadLabeledFiles('train_path', trainFiles, { joint: true, siblings: false, cwd });
  const dv = await loadLabeledFiles('dev_path', devFiles, { joint: true, siblings: false, cwd });
  let train: LabeledPair[] = tr.pairs;
  if (o.limit !== undefined) train = train.slice(0, o.limit);
  log(`model:build: offline-default on ${train.length} train pairs (${tr.files.map((f) => `${path.basename(f.file)} ${f.rows}`).join(', ')}), seed ${o.seed}, backend wasm`);
  const over = { seed: o.seed, backend: 'wasm' as const, mechanisms: MECHS, ...(o.taggerEpochs ? { tagger: { epochs: o.taggerEpochs } } : {}) };
  const res = await trainEnsemble(over, { train, dev: dv.pairs }, {
    onEvent: (e) => {
      if (e.type === 'log') log(`  ${e.message}`);
      else if (e.type === 'epoch') log(`  tagger epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}`);
    },
  });
  try {
    if (!res.dev) throw new Error('model:build: no dev evaluation (training stopped?)');
    const dev = devMetrics(res.dev);
    const data: ShippedModelRecord['data'] = [
      ...tr.files.map((f) => ({ role: 'train' as const, file: path.basename(f.file), mechanism: f.mechanism, rows: f.rows, sha256: sha256File(f.file) })),
      ...dv.files.map((f) => ({ role: 'dev' as const, file: path.basename(f.file), mechanism: f.mechanism, rows: f.rows, sha256: sha256File(f.file) })),
    ];
    fs.mkdirSync(o.outDir, { recursive: true });
    const modelPath = path.join(o.outDir, SHIPPED_MODEL_FILE);
    // The checkpoint says what it was trained on (file names + hashes, not paths) and its dev metrics.
    await res.model.save(modelPath, { trainArgs: { preset: 'offline-default', seed: o.seed, backend: 'wasm', data: data.filter((d) => d.role === 'train'), trainPairs: train.length, ...(o.limit || o.taggerEpochs ? { smoke: { limit: o.limit, taggerEpochs: o.taggerEpochs } } : {}) }, metrics: { dev } });
    const health = modelHealth(res.dev);
    if (!health.learned) log(`warning: ${health.message}`);
    const record: ShippedModelRecord = {
      format: 'empathy-shipped-model', version: 1, preset: 'offline-default', seed: o.seed, backend: 'wasm', data,
      trainPairs: train.length, devPairs: dv.pairs.length,
      model: { file: SHIPPED_MODEL_FILE, bytes: fs.statSync(modelPath).size, sha256: sha256File(modelPath) },
      dev,
      ...(o.limit || o.taggerEpochs ? { smoke: { limit: o.limit, taggerEpochs: o.taggerEpochs } } : {}),
    };
    const recPath = path.join(o.outDir, SHIPPED_MODEL_RECORD);
    writeFileAtomic(recPath, JSON.stringify(record, null, 2) + '\n');
    return record;
  } finally {
    res.model.dispose();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (k: string) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  const root = path.resolve(__dirname, '..', '..');
  const dataDir = path.resolve(arg('--data') ?? process.env.EMPATHY_DATA_DIR ?? path.join(root, '..', 'shared', 'epitome'));
  const outDir = path.resolve(arg('--out') ?? path.join(root, 'dataset', 'models'));
  const t0 = Date.now();
  const rec = await buildShippedModel({ dataDir, outDir, seed: Number(arg('--seed') ?? 12), log: (l) => console.log(l) });
  const secs = (Date.now() - t0) / 1000;
  console.log(`model:build: wrote ${path.join(outDir, rec.model.file)} (${(rec.model.bytes / 1e6).toFixed(2)} MB, sha256 ${rec.model.sha256.slice(0, 16)}…) and ${SHIPPED_MODEL_RECORD} in ${secs.toFixed(0)} s`);
  for (const m of MECHS) {
    const d = rec.dev[m];
    if (d) console.log(`  dev ${m}: n ${d.n}, accuracy ${d.accuracy.toFixed(3)}, macro-F1 ${d.macroF1.toFixed(3)}, rationale token-F1 (gold level > 0) ${d.rationaleTokenF1Positive.toFixed(3)}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`model:build: ${(e as Error).message}`);
    process.exit(1);
  });
}

// The runs folder: creates run directories, records a training's events into them, lists and reads them.
// Layout: <root>/<id>/run.json (RunRecord, rewritten atomically) and <root>/<id>/events.jsonl (appended).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../dataset/atomicFile';
import { basename, join, resolve } from 'node:path';
import type { TrainEvent } from '../engine';
import { locateRunsDir } from './location';
import { currentRunProcess, HEARTBEAT_MS, recorderGone } from './liveness';
import { RUN_FORMAT, RUN_VERSION, flattenEval, type RunDataFile, type RunLogLine, type RunRecord } from './run';

/**
 * Where runs go unless the user says otherwise (`--runs_dir`): EMPATHY_RUNS_DIR (the extension sets it
 * from `empathy.runsFolder`), else the workspace's runs folder found from `cwd` upwards (runs/location.ts).
 */
export function defaultRunsDir(cwd = process.cwd()): string {
  return locateRunsDir(cwd).dir;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** The code version a run was made with: package version and, when in a git checkout, the commit. */
export function codeVersion(repoRoot = resolve(__dirname, '../../..')): RunRecord['code'] {
  let pkg = { name: 'empathy-workbench', version: '0.0.0' };
  for (const p of [join(repoRoot, 'package.json'), resolve(__dirname, '../../package.json')]) {
    if (existsSync(p)) { pkg = JSON.parse(readFileSync(p, 'utf8')); break; }
  }
  const code: RunRecord['code'] = { package: pkg.name, version: pkg.version };
  try {
    code.gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    code.gitDirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().length > 0;
  } catch { /* not a git checkout (installed package): the version is what we have */ }
  return code;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
}

export interface NewRun {
  label: string;
  source: string;
  family: string;
  config: Record<string, unknown>;
  seed: number;
  data: Array<{ role: RunDataFile['role']; path: string; rows?: number }>;
}

/** Records one training into its run directory. Feed it every TrainEvent; call finish/fail at the end. */
export class RunRecorder {
  readonly dir: string;
  private record: RunRecord;
  /** Refreshes the heartbeat while the event loop turns; unref'd, so it never keeps a process alive. */
  private heartbeat: NodeJS.Timeout | undefined;
  private lastBeat = 0;

  constructor(dir: string, record: RunRecord) {
    this.dir = dir;
    this.record = record;
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get id(): string { return this.record.id; }
  get current(): Readonly<RunRecord> { return this.record; }

  /** The onEvent adapter: `train(cfg, data, { onEvent: e => rec.onEvent(e) })`. */
  onEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'start':
        this.record.backend = e.backend;
        this.flush();
        break;
      case 'step':
        this.record.steps = e.step;
        if (Date.now() - this.lastBeat >= HEARTBEAT_MS) this.beat();
        this.append({ kind: 'step', step: e.step, epoch: e.epoch, loss: e.loss, lossLevel: e.lossLevel, lossRationale: e.lossRationale, lr: e.lr, gradNorm: e.gradNorm });
        break;
      case 'epoch':
        this.append({ kind: 'epoch', epoch: e.epoch, step: e.step, trainLoss: e.trainLoss, metrics: flattenEval('dev', e.dev) });
        break;
      case 'checkpoint':
        this.record.checkpointPath = e.path;
        this.flush();
        break;
      case 'stopped':
        this.record.status = 'stopped';
        this.flush();
        break;
      case 'end':
        this.record.steps = e.step;
        if (e.dev) this.record.dev = e.dev;
        if (e.test) this.record.test = e.test;
        this.flush();
        break;
      case 'log':
        break;
    }
  }

  /** Mark the run finished (or stopped) with its final reports and checkpoint. */
  finish(result: { dev?: RunRecord['dev']; test?: RunRecord['test']; checkpointPath?: string; stopped?: boolean; steps?: number }): RunRecord {
    const r = this.record;
    if (result.dev) r.dev = result.dev;
    if (result.test) r.test = result.test;
    if (result.checkpointPath) r.checkpointPath = resolve(result.checkpointPath);
    if (result.steps !== undefined) r.steps = result.steps;
    r.metrics = { ...flattenEval('dev', r.dev), ...flattenEval('test', r.test) };
    r.status = result.stopped || r.status === 'stopped' ? 'stopped' : 'finished';
    r.finishedAt = new Date().toISOString();
    this.stopHeartbeat();
    this.flush();
    return r;
  }

  fail(err: unknown): void {
    this.stopHeartbeat();
    this.record.status = 'failed';
    this.record.error = err instanceof Error ? err.message : String(err);
    this.record.finishedAt = new Date().toISOString();
    this.flush();
  }

  /** Record that this process is alive and recording (pid, host, start time, now). */
  private beat(): void {
    this.lastBeat = Date.now();
    this.record.process = currentRunProcess(new Date(this.lastBeat));
    this.flush();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private append(line: RunLogLine): void {
    appendFileSync(join(this.dir, 'events.jsonl'), JSON.stringify(line) + '\n');
  }

  private flush(): void {
    writeJsonAtomic(join(this.dir, 'run.json'), this.record);
  }
}

export interface RunStoreOptions {
  /** The clock run ids and `createdAt` are read from (default: the system clock; tests pass a fixed one). */
  now?: () => Date;
}

/** A run id: `<UTC yyyymmdd-hhmmss>-<label slug>`, plus `-2`, `-3`… when that folder exists. A pure function of its inputs. */
export function runId(createdAt: Date, label: string, taken: (id: string) => boolean = () => false): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  let id = `${stamp}-${slug(label)}`;
  for (let i = 2; taken(id); i++) id = `${stamp}-${slug(label)}-${i}`;
  return id;
}

export class RunStore {
  readonly root: string;
  private readonly now: () => Date;
  constructor(root = defaultRunsDir(), opts: RunStoreOptions = {}) {
    this.root = resolve(root);
    this.now = opts.now ?? (() => new Date());
  }

  /** Create a run directory and start recording. Data files are hashed now (what the run really read). */
  create(spec: NewRun): RunRecorder {
    mkdirSync(this.root, { recursive: true });
    // One clock reading for both, so the id's stamp and createdAt always agree.
    const createdAt = this.now();
    const id = runId(createdAt, spec.label, (x) => existsSync(join(this.root, x)));
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true });
    const record: RunRecord = {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      id,
      label: spec.label,
      createdAt: createdAt.toISOString(),
      status: 'running',
      source: spec.source,
      family: spec.family,
      config: spec.config,
      seed: spec.seed,
      code: codeVersion(),
      data: spec.data.map(d => ({ role: d.role, path: resolve(d.path), sha256: sha256File(d.path), rows: d.rows })),
      steps: 0,
      metrics: {},
    };
    return new RunRecorder(dir, record);
  }

  /** Every run in the folder, newest first. Unreadable folders are reported, not hidden. */
  list(): { runs: RunRecord[]; problems: string[] } {
    const runs: RunRecord[] = [];
    const problems: string[] = [];
    if (!existsSync(this.root)) return { runs, problems };
    for (const name of readdirSync(this.root)) {
      const dir = join(this.root, name);
      if (!statSync(dir).isDirectory()) continue;
      try { runs.push(this.readRecord(dir)); } catch (e) { problems.push((e as Error).message); }
    }
    runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { runs, problems };
  }

  /** A run by id, unique id prefix, or path to its folder. */
  get(ref: string): RunRecord {
    if (existsSync(join(ref, 'run.json'))) return this.readRecord(ref);
    const exact = join(this.root, ref);
    if (existsSync(join(exact, 'run.json'))) return this.readRecord(exact);
    const matches = existsSync(this.root) ? readdirSync(this.root).filter(n => n.startsWith(ref)) : [];
    if (matches.length === 1) return this.readRecord(join(this.root, matches[0]));
    if (matches.length > 1) throw new Error(`run "${ref}" is ambiguous in ${this.root}: ${matches.slice(0, 5).join(', ')}`);
    throw new Error(`no run "${ref}" in ${this.root}`);
  }

  /** The per-step and per-epoch log of a run. */
  events(ref: string): RunLogLine[] {
    const rec = this.get(ref);
    const file = join(this.dirOf(rec), 'events.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l, i) => {
      try { return JSON.parse(l) as RunLogLine; } catch { throw new Error(`${file}:${i + 1}: not a JSON line`); }
    });
  }

  dirOf(rec: RunRecord): string {
    return join(this.root, rec.id);
  }

  private readRecord(dir: string): RunRecord {
    const file = join(dir, 'run.json');
    let rec: RunRecord;
    try { rec = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`${file}: unreadable run record (${(e as Error).message})`); }
    if (rec.format !== RUN_FORMAT) throw new Error(`${file}: not an empathy run record`);
    if (rec.version > RUN_VERSION) throw new Error(`${file}: run format version ${rec.version} is newer than this workbench understands (${RUN_VERSION})`);
    if (basename(dir) !== rec.id) rec = { ...rec, id: basename(dir) };
    // Recorded as running, but its process died without a word (SIGKILL, power loss): say so.
    const gone = rec.status === 'running' && rec.process ? recorderGone(rec.process) : undefined;
    if (gone) rec = { ...rec, status: 'interrupted', interruption: gone };
    return rec;
  }
}

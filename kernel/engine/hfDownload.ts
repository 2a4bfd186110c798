// Fetching a model's files from the Hugging Face hub (`empathy download-weights`): which files (config,
// tokenizer files where present, model.safetensors else pytorch_model.bin) and where they land — the
// hub cache layout (blobs/<etag>, snapshots/<commit>/<file> as relative symlinks, refs/<revision>) or a
// plain folder (`--to`). A file appears whole and verified or not at all; an interrupted transfer stays
// in `<etag>.incomplete` and the next run resumes it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, writeFileAtomic } from '../../dataset/atomicFile';
import { cacheRepo, hubCacheDir, isModelId, type CacheRepo } from './hfCache';
import { fileMatches, HubError, hubEndpoint, hubFileInfo, transferResumable, type HubFile } from './hfHub';

/** What a model needs (the run fails without it) and what it may have (skipped when the hub has no such file). */
export const REQUIRED_FILES = ['config.json'] as const;
export const OPTIONAL_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json'] as const;
/** The weights: the first of these the repository has. */
export const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;

export interface DownloadWeightsOptions {
  revision?: string;
  /** A plain folder instead of the hub cache. */
  to?: string;
  endpoint?: string;
  cacheDir?: string;
  /** Seconds without an answer or a byte before giving up. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A file starts (`size` bytes; `cached`: already there and verified, nothing to fetch). */
  onFile?: (file: string, size: number, cached: boolean) => void;
  onBytes?: (file: string, done: number, total: number) => void;
}

export interface DownloadedFile {
  file: string;
  /** Where it is now (the snapshot path, or the file in `--to`). */
  path: string;
  size: number;
  etag: string;
  /** Nothing was transferred: it was already there. */
  cached: boolean;
}

export interface DownloadWeightsResult {
  modelId: string;
  commit: string;
  /** The folder to pass to `--init_weights` / `--tokenizer` (the snapshot folder, or `--to`). */
  folder: string;
  files: DownloadedFile[];
  /** Optional files the repository does not have. */
  skipped: string[];
}

/** Where one file goes: its staging (`.incomplete`) and final paths, and how to publish it there. */
interface Destination {
  incomplete(info: HubFile): string;
  /** The verified copy already there, if any (nothing to fetch). */
  present(file: string, info: HubFile): boolean | Promise<boolean>;
  /** Move the verified `.incomplete` into place and link or name it `file`; returns the final path. */
  publish(file: string, info: HubFile): string;
  folder(commit: string): string;
  finish(revision: string, commit: string): void;
}

/** fsync'ed `.incomplete` → final name, then the folder fsync'ed: the file appears whole or not at all. */
function moveIntoPlace(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.renameSync(from, to);
  fsyncDir(path.dirname(to));
}

/** A relative symlink `link` → `target`, replacing what was there in one rename (a copy where symlinks are not allowed). */
function linkRelative(target: string, link: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const tmp = `${link}.${process.pid}.link`;
  fs.rmSync(tmp, { force: true });
  try {
    fs.symlinkSync(path.relative(path.dirname(link), target), tmp);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    fs.copyFileSync(target, tmp); // Windows without developer mode, as huggingface_hub does
  }
  fs.renameSync(tmp, link);
}

function cacheDestination(repo: CacheRepo): Destination {
  return {
    incomplete: (info) => `${repo.blob(info.etag)}.incomplete`,
    present: (_file, info) => fs.existsSync(repo.blob(info.etag)) && fs.statSync(repo.blob(info.etag)).size === info.size,
    publish(file, info) {
      const blob = repo.blob(info.etag);
      if (!fs.existsSync(blob)) moveIntoPlace(`${blob}.incomplete`, blob);
      const link = path.join(repo.snapshot(info.commit), file);
      linkRelative(blob, link);
      return link;
    },
    folder: (commit) => repo.snapshot(commit),
    finish(revision, commit) {
      // huggingface_hub writes a ref for a branch or tag, not for a commit hash
      if (revision !== commit) writeFileAtomic(repo.ref(revision), commit);
    },
  };
}

function folderDestination(dir: string): Destination {
  const staging = path.join(dir, '.cache', 'huggingface', 'download');
  return {
    incomplete: (info) => path.join(staging, `${info.etag}.incomplete`),
    // A file already in the folder counts only when its hash is the published one (else it is fetched again).
    present: (file, info) => fileMatches(path.join(dir, file), info),
    publish(file, info) {
      const dest = path.join(dir, file);
      const inc = path.join(staging, `${info.etag}.incomplete`);
      if (fs.existsSync(inc)) moveIntoPlace(inc, dest);
      return dest;
    },
    folder: () => dir,
    finish() {
      // the staging folders go when empty (a `.cache` of the user's own stays)
      for (const d of [staging, path.dirname(staging), path.join(dir, '.cache')]) {
        try {
          fs.rmdirSync(d);
        } catch {
          // not empty, or not there
        }
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * One writer per `.incomplete` file: two runs appending to it would interleave their bytes. The lock holds
 * its owner's pid; one left by a process that is gone (killed) is taken over. Returns the release.
 */
function lockFor(incomplete: string, label: string): () => void {
  const lock = `${incomplete}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(`${label}: another download (process ${pid}) is writing ${incomplete}; let it finish, or delete ${lock} if that process is not a download`);
      }
      fs.rmSync(lock, { force: true }); // its owner is gone
    }
  }
  throw new Error(`${label}: cannot take the lock ${lock}`);
}

/** The hub's answer for `file`, or undefined when an optional file is not in the repository. */
async function infoOrMissing(get: (file: string) => Promise<HubFile>, file: string, optional: boolean): Promise<HubFile | undefined> {
  try {
    return await get(file);
  } catch (e) {
    if (optional && e instanceof HubError && e.entryMissing) return undefined;
    throw e;
  }
}

/** Which files to fetch: the required ones, the optional ones the hub has, and the first weights file it has. */
async function planFiles(get: (file: string) => Promise<HubFile>, modelId: string, revision: string): Promise<{ plan: Array<[string, HubFile]>; skipped: string[] }> {
  const plan: Array<[string, HubFile]> = [];
  const skipped: string[] = [];
  for (const f of REQUIRED_FILES) plan.push([f, (await infoOrMissing(get, f, false))!]);
  for (const f of OPTIONAL_FILES) {
    const info = await infoOrMissing(get, f, true);
    if (info) plan.push([f, info]);
    else skipped.push(f);
  }
  let weights: [string, HubFile] | undefined;
  for (const f of WEIGHT_FILES) {
    const info = await infoOrMissing(get, f, true);
    if (info) {
      weights = [f, info];
      break;
    }
  }
  if (!weights) throw new Error(`${modelId}@${revision}: no weights on the hub (neither ${WEIGHT_FILES.join(' nor ')})`);
  plan.push(weights);
  return { plan, skipped };
}

/**
 * Fetch `modelId`'s files at `revision` into the hub cache (or `opts.to`). Every file of one run comes from
 * the one commit the first answer named. Already-present verified files are not fetched again.
 */
export async function downloadWeights(modelId: string, opts: DownloadWeightsOptions = {}): Promise<DownloadWeightsResult> {
  if (!isModelId(modelId)) throw new Error(`not a Hugging Face model id: ${JSON.stringify(modelId)} (expected NAME or ORG/NAME, e.g. roberta-base)`);
  if (/^(1|true|yes|on)$/i.test(process.env.HF_HUB_OFFLINE ?? '')) throw new Error(`HF_HUB_OFFLINE is set: download-weights would have to reach the hub for ${modelId}; unset it to download`);
  const revision = opts.revision ?? 'main';
  const endpoint = (opts.endpoint ?? hubEndpoint()).replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let commit: string | undefined;
  // After the first answer, ask for the commit it named: a push during the download cannot mix two revisions.
  const get = (file: string) => hubFileInfo(endpoint, modelId, commit ?? revision, file, { timeoutMs, signal: opts.signal }).then((info) => ((commit ??= info.commit), info));
  const { plan, skipped } = await planFiles(get, modelId, revision);
  const dest = opts.to !== undefined ? folderDestination(path.resolve(opts.to)) : cacheDestination(cacheRepo(modelId, opts.cacheDir ?? hubCacheDir()));
  const files: DownloadedFile[] = [];
  for (const [file, info] of plan) {
    const cached = await dest.present(file, info);
    opts.onFile?.(file, info.size, cached);
    if (cached) {
      files.push({ file, path: dest.publish(file, info), size: info.size, etag: info.etag, cached });
      continue;
    }
    const label = `${modelId}: ${file}`;
    const incomplete = dest.incomplete(info);
    fs.mkdirSync(path.dirname(incomplete), { recursive: true });
    const release = lockFor(incomplete, label);
    try {
      await transferResumable(info, incomplete, { label, timeoutMs, signal: opts.signal, onBytes: (d, t) => opts.onBytes?.(file, d, t) });
      files.push({ file, path: dest.publish(file, info), size: info.size, etag: info.etag, cached });
    } finally {
      release();
    }
  }
  dest.finish(revision, commit!);
  return { modelId, commit: commit!, folder: dest.folder(commit!), files, skipped };
}

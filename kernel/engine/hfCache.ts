// The Hugging Face hub cache on disk, the layout huggingface_hub and transformers share: where it is
// (HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME), `models--ORG--NAME/{blobs,snapshots,refs}`, and how a
// pretrained reference (`--init_weights`, `--tokenizer`) becomes a folder: a path as given, else a
// model id found through refs/<revision> → snapshots/<commit>/. The downloader writes the same layout.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A hub model id: `name` or `org/name` (letters, digits, `-`, `_`, `.`), optionally `@revision`. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const COMMIT = /^[0-9a-f]{40}$/;

export function isModelId(s: string): boolean {
  return MODEL_ID.test(s) && !s.includes('..') && !s.endsWith('.safetensors') && !s.endsWith('.json');
}

/** The hub cache folder: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return path.resolve(env.HF_HUB_CACHE);
  if (env.HUGGINGFACE_HUB_CACHE) return path.resolve(env.HUGGINGFACE_HUB_CACHE); // the older name, still honoured upstream
  if (env.HF_HOME) return path.resolve(env.HF_HOME, 'hub');
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.resolve(xdg, 'huggingface', 'hub');
}

/** `roberta-base` → `models--roberta-base`; `org/name` → `models--org--name`. */
export function repoFolderName(modelId: string): string {
  return `models--${modelId.split('/').join('--')}`;
}

/** The paths of one model in the cache. */
export interface CacheRepo {
  dir: string;
  blob(etag: string): string;
  snapshot(commit: string): string;
  ref(revision: string): string;
}

export function cacheRepo(modelId: string, cacheDir = hubCacheDir()): CacheRepo {
  const dir = path.join(cacheDir, repoFolderName(modelId));
  return {
    dir,
    blob: (etag) => path.join(dir, 'blobs', etag),
    snapshot: (commit) => path.join(dir, 'snapshots', commit),
    ref: (revision) => path.join(dir, 'refs', revision),
  };
}

/** The snapshot folder of `revision` (a branch or tag through refs/, or a commit hash), if it is cached. */
export function cachedSnapshot(repo: CacheRepo, revision = 'main'): string | undefined {
  let commit = revision;
  if (fs.existsSync(repo.ref(revision))) commit = fs.readFileSync(repo.ref(revision), 'utf8').trim();
  else if (!COMMIT.test(revision)) return undefined;
  const dir = repo.snapshot(commit);
  return fs.existsSync(dir) ? dir : undefined;
}

/** A `models--…` folder given as a path: its refs/main snapshot, else its only (or first) snapshot. */
function snapshotOfRepoFolder(dir: string): string | undefined {
  const snaps = path.join(dir, 'snapshots');
  if (!fs.existsSync(snaps) || !fs.statSync(snaps).isDirectory()) return undefined;
  const viaRef = cachedSnapshot({ dir, blob: () => '', snapshot: (c) => path.join(snaps, c), ref: (r) => path.join(dir, 'refs', r) });
  if (viaRef) return viaRef;
  const first = fs.readdirSync(snaps).sort()[0];
  return first === undefined ? undefined : path.join(snaps, first);
}

/**
 * Where a pretrained reference lives: an existing file or folder as given (a `models--…` cache folder
 * becomes its snapshot), else a model id (`roberta-base`, `org/name`, `name@revision`) looked up in the
 * hub cache. Not found: one line naming the flag, what was tried and the command that fetches it.
 */
export function resolvePretrained(ref: string, flag: string, cacheDir = hubCacheDir()): string {
  if (fs.existsSync(ref)) return (fs.statSync(ref).isDirectory() && snapshotOfRepoFolder(ref)) || ref;
  const at = ref.lastIndexOf('@');
  const id = at > 0 ? ref.slice(0, at) : ref;
  const revision = at > 0 ? ref.slice(at + 1) : 'main';
  if (!isModelId(id) || revision === '') throw new Error(`--${flag} ${ref}: no such file or folder`);
  const repo = cacheRepo(id, cacheDir);
  const found = cachedSnapshot(repo, revision);
  if (found) return found;
  const tried = COMMIT.test(revision) ? repo.snapshot(revision) : repo.ref(revision);
  throw new Error(
    `--${flag} ${ref}: not a folder here, and not in the Hugging Face cache (looked for ${tried}; cache ${cacheDir} from ` +
      `HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub); fetch it with: empathy download-weights ${id}${revision !== 'main' ? ` --revision ${revision}` : ''}`,
  );
}

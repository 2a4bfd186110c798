// The checkpoint file: ONE safetensors file at whatever path the user names (e.g. output/sample_ER.pth),
// written atomically (temp + rename, folders created); `__metadata__` holds JSON strings describing the
// model (format, version, family, config, tokenizer, train_args, metrics), tensors are the weights by their
// original names plus `optimizer.*` state for resuming (metadata `train_state` says where training stood).
// A PyTorch `.pth` is recognised by its first bytes: it holds a bi-encoder's weights only, so the bi-encoder
// loader converts it (models/bi-encoder/torchImport.ts) and `loadCheckpoint` says so.
import { existsSync, promises as fsp } from 'node:fs';
import { ConfigFieldError } from './configField';
import type { ModelFamilyName } from './model';
import { firstNonFinite, readSafetensorsFile, writeSafetensorsFileAtomic, type TensorEntry } from './safetensors';
import { isTorchFile, looksLikeTorchFile, TORCH_SNIFF_BYTES } from './torch/torchStateDict';
import type { Mechanism } from './types';

export const CHECKPOINT_FORMAT = 'empathy-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** A family name as the header holds it; which families exist is the registry's to say (kernel/models/families.ts loadModel). */
const FAMILY_NAME = /^[a-z][a-z0-9-]*$/;
const isFamilyName = (v: unknown): v is ModelFamilyName => typeof v === 'string' && FAMILY_NAME.test(v);

export interface Checkpoint {
  family: ModelFamilyName;
  /** The family's model config (JSON-able). */
  config: unknown;
  /** Tokenizer.toJSON(), when the family has one. */
  tokenizer?: unknown;
  /** The training arguments the model was trained with. */
  trainArgs?: unknown;
  metrics?: unknown;
  /** Where training stood (step, epoch, position, early-stopping state), for resuming. */
  trainState?: unknown;
  /** Weights by name; resumable checkpoints also hold `optimizer.*` entries. */
  tensors: Map<string, TensorEntry>;
}

export async function saveCheckpoint(file: string, ck: Checkpoint): Promise<void> {
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    family: ck.family,
    config: JSON.stringify(ck.config ?? null),
    tokenizer: JSON.stringify(ck.tokenizer ?? null),
    train_args: JSON.stringify(ck.trainArgs ?? null),
    metrics: JSON.stringify(ck.metrics ?? null),
  };
  if (ck.trainState !== undefined) metadata.train_state = JSON.stringify(ck.trainState);
  await writeSafetensorsFileAtomic(file, ck.tensors, metadata);
}

function parseJsonField(file: string, metadata: Record<string, string>, key: string): unknown {
  const raw = metadata[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) ?? undefined;
  } catch (e) {
    throw new Error(`${file}: checkpoint metadata '${key}' is not valid JSON (${(e as Error).message})`);
  }
}

/** Set to 1 to load a checkpoint whose weights hold NaN or ±Inf (refused by default: it predicts garbage). */
export const ALLOW_NONFINITE_ENV = 'EMPATHY_ALLOW_NONFINITE_WEIGHTS';

export interface LoadCheckpointOptions {
  /** Load weights with NaN/±Inf values (default: EMPATHY_ALLOW_NONFINITE_WEIGHTS=1, else refused). */
  allowNonFinite?: boolean;
  /** Read only the tensors this accepts (default: all); inference leaves the optimiser state (`optimizer.*`) on disk. */
  keep?: (name: string) => boolean;
}

/** Refuse weights holding NaN/±Inf (unless asked for), naming the file, the tensor and the index. */
export function assertFiniteWeights(file: string, tensors: Map<string, TensorEntry>, opts: LoadCheckpointOptions = {}): void {
  if (opts.allowNonFinite ?? process.env[ALLOW_NONFINITE_ENV] === '1') return;
  for (const [name, t] of tensors) {
    const bad = firstNonFinite(t);
    if (bad) {
      throw new Error(`${file}: tensor '${name}' holds ${bad.value} at index ${bad.index}: a checkpoint with NaN/Inf weights is refused ` +
        `(set ${ALLOW_NONFINITE_ENV}=1 to load it anyway, e.g. to inspect it)`);
    }
  }
}

/** The error for a PyTorch file where a workbench checkpoint (with its config and tokenizer) is needed. */
function torchFileError(file: string): Error {
  return new Error(`${file} is a PyTorch checkpoint (torch.save): it holds weights only, no config or tokenizer; ` +
    'open it as a model (test, evaluate, predict: --heads, --tokenizer) or convert it once with `empathy import-torch`');
}

/**
 * Read a checkpoint; a missing, corrupt or foreign file throws an error naming the path. The safetensors
 * layout is validated by readSafetensors; weights with NaN/±Inf are refused unless asked for.
 */
export async function loadCheckpoint(file: string, opts: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  if (!existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
  if (await isTorchFile(file)) throw torchFileError(file);
  let parsed: Awaited<ReturnType<typeof readSafetensorsFile>>;
  try {
    parsed = await readSafetensorsFile(file, { keep: opts.keep });
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.includes(file) ? `corrupt checkpoint ${msg}` : `corrupt checkpoint ${file}: ${msg}`);
  }
  const { tensors, metadata } = parsed;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${file} is not an empathy checkpoint (metadata format=${JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}")`);
  }
  const version = Number(metadata.version);
  if (!(version >= 1 && version <= CHECKPOINT_VERSION)) {
    throw new Error(`${file}: checkpoint version ${metadata.version} is newer than this engine reads (≤ ${CHECKPOINT_VERSION})`);
  }
  const family = metadata.family;
  if (!isFamilyName(family)) throw new Error(`${file}: unknown model family ${JSON.stringify(metadata.family)}`);
  assertFiniteWeights(file, tensors, opts);
  return {
    family,
    config: parseJsonField(file, metadata, 'config'),
    tokenizer: parseJsonField(file, metadata, 'tokenizer'),
    trainArgs: parseJsonField(file, metadata, 'train_args'),
    metrics: parseJsonField(file, metadata, 'metrics'),
    trainState: parseJsonField(file, metadata, 'train_state'),
    tensors,
  };
}

/** Split a checkpoint's tensors into model weights and those under a prefix (e.g. 'optimizer.'). */
export function splitByPrefix(tensors: Map<string, TensorEntry>, prefix: string): { rest: Map<string, TensorEntry>; matched: Map<string, TensorEntry> } {
  const rest = new Map<string, TensorEntry>();
  const matched = new Map<string, TensorEntry>();
  for (const [k, v] of tensors) {
    if (k.startsWith(prefix)) matched.set(k.slice(prefix.length), v);
    else rest.set(k, v);
  }
  return { rest, matched };
}

/** Only the header's family (reads the JSON header, not the tensors): what `loadModel` dispatches on. A PyTorch file is a bi-encoder's. */
export async function readCheckpointFamily(file: string): Promise<ModelFamilyName> {
  if (!existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(TORCH_SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, TORCH_SNIFF_BYTES, 0);
    if (looksLikeTorchFile(head.subarray(0, bytesRead))) return 'bi-encoder';
    if (size < 8 || bytesRead < 8) throw new Error(`corrupt checkpoint ${file}: file too short (${size} bytes)`);
    const n = Number(head.readBigUInt64LE(0));
    if (8 + n > size) throw new Error(`corrupt checkpoint ${file}: header length ${n} exceeds file size ${size}`);
    const json = Buffer.alloc(n);
    await fh.read(json, 0, n, 8);
    let meta: Record<string, string> | undefined;
    try { meta = (JSON.parse(json.toString('utf8')) as { __metadata__?: Record<string, string> }).__metadata__; }
    catch (e) { throw new Error(`corrupt checkpoint ${file}: header is not JSON (${(e as Error).message})`); }
    if (meta?.format !== CHECKPOINT_FORMAT) throw new Error(`${file} is not an empathy checkpoint (metadata format=${JSON.stringify(meta?.format)}, expected "${CHECKPOINT_FORMAT}")`);
    const family = meta.family;
    if (!isFamilyName(family)) throw new Error(`${file}: unknown model family ${JSON.stringify(meta.family)}`);
    return family;
  } finally {
    await fh.close();
  }
}

// ---- checked reads of a checkpoint's config (JSON from the file: never trusted to have the right shape) ----

type Json = Record<string, unknown>;

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v;
}

/**
 * Run a family's config parser (e.g. resolveTaggerConfig) on a checkpoint's config stored at `field`: a
 * ConfigFieldError it throws becomes `FILE: checkpoint config.hidden is -64, expected an integer ≥ 1`.
 */
export function parseCheckpointConfig<T>(file: string, field: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigFieldError) throw new Error(`${file}: checkpoint ${e.under(field).message}`);
    throw e;
  }
}

/** `v` as a JSON object, else an error naming the file and the field (e.g. `config`, `config.model`). */
export function configObject(file: string, v: unknown, field: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}: checkpoint ${field} is ${describe(v)}, expected an object`);
  return v as Json;
}

/** A non-empty list of distinct mechanisms (ER, IP, EX). */
export function configMechanisms(file: string, v: unknown, field: string): Mechanism[] {
  const ok = Array.isArray(v) && v.length > 0 && v.every((m) => m === 'ER' || m === 'IP' || m === 'EX') && new Set(v).size === v.length;
  if (!ok) throw new Error(`${file}: checkpoint ${field} is ${Array.isArray(v) ? JSON.stringify(v) : describe(v)}, expected a non-empty list of distinct ER, IP, EX`);
  return [...(v as Mechanism[])];
}

/** A finite number (an integer ≥ `min` when `integer`). */
export function configNumber(file: string, v: unknown, field: string, o: { integer?: boolean; min?: number } = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (!o.integer || Number.isSafeInteger(v)) && (o.min === undefined || v >= o.min);
  if (!ok) throw new Error(`${file}: checkpoint ${field} is ${typeof v === 'number' ? v : describe(v)}, expected ${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}`);
  return v as number;
}


/**
 * Each field of `shape` that `v` has (or every field, when `required`) has the same JSON type as in
 * `shape` (numbers finite); nested objects are checked the same way. Unknown extra fields are left alone.
 */
export function configLike(file: string, v: unknown, shape: object, field: string, o: { required?: boolean } = {}): Json {
  const obj = configObject(file, v, field);
  for (const [k, want] of Object.entries(shape)) {
    const got = obj[k];
    const at = `${field}.${k}`;
    if (got === undefined) {
      if (o.required && want !== undefined) throw new Error(`${file}: checkpoint ${at} is missing`);
      continue;
    }
    if (want === undefined || want === null) continue;
    if (Array.isArray(want)) {
      if (!Array.isArray(got)) throw new Error(`${file}: checkpoint ${at} is ${describe(got)}, expected an array`);
    } else if (typeof want === 'object') {
      configLike(file, got, want, at, o);
    } else if (typeof want === 'number') {
      configNumber(file, got, at);
    } else if (typeof got !== typeof want) {
      throw new Error(`${file}: checkpoint ${at} is ${describe(got)}, expected a ${typeof want}`);
    }
  }
  return obj;
}

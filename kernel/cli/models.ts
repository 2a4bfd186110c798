// Model options shared by test / predict / evaluate: `--model_path JOINT` and/or the original's
// `--ER_model_path / --IP_model_path / --EX_model_path`, loaded once each, mapped to mechanisms; the
// "inference = …" line (onnxruntime or tfjs) when a model with an ONNX export is among them. A PyTorch `.pth`
// (what the original train.py saves) opens directly, converted in memory with the import options below.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OptionSpec } from './args';
import { UsageError } from './args';
import type { EmpathyModel, Mechanism, TorchImportOptions } from '../engine';
import { MECHANISMS } from '../../dataset/schema';
import { engine } from './engine';
import { BACKEND_OPTION, startBackend, THREADS_OPTION, threadsOption } from './backendOption';
import { SHIPPED_MODEL_SUMMARY, shippedModelPath, familySpec } from '../models';

/** How to read a PyTorch state dict (it holds weights only): the options of `import-torch` and the model commands. */
export const TORCH_HEADS_OPTION: OptionSpec = { name: 'heads', type: 'number', metavar: 'N', help: 'a .pth model: self-attention heads per layer (default 12, roberta-base)' };
export const TORCH_TOKENIZER_FROM_OPTION: OptionSpec = { name: 'tokenizer_from', type: 'string', metavar: 'CKPT', help: "a .pth model: use this workbench checkpoint's tokenizer" };
export const TORCH_TOKENIZER_OPTION: OptionSpec = { name: 'tokenizer', type: 'string', metavar: 'DIR', help: 'a .pth model: its Hugging Face tokenizer folder (tokenizer.json)' };
export const TORCH_MECHANISM_OPTION: OptionSpec = { name: 'mechanism', type: 'string', choices: MECHANISMS, help: 'a .pth model passed as --model_path: the mechanism it scores, when its file name does not say' };

/** The import options the flags give, paths resolved from `cwd` (`mechanism` of a per-mechanism flag wins). */
export function torchImportOptions(opts: Record<string, unknown>, cwd: string, mechanism?: Mechanism): TorchImportOptions {
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const file = (k: string) => (str(k) === undefined ? undefined : path.resolve(cwd, str(k)!));
  return {
    heads: typeof opts.heads === 'number' ? opts.heads : undefined,
    mechanism: mechanism ?? (str('mechanism') as Mechanism | undefined),
    tokenizer: file('tokenizer'),
    tokenizerFrom: file('tokenizer_from'),
  };
}

export const MODEL_OPTIONS: OptionSpec[] = [
  { name: 'model_path', type: 'string', metavar: 'CKPT', help: 'a model for every mechanism it scores (e.g. a joint model)' },
  { name: 'ER_model_path', type: 'string', metavar: 'CKPT', help: 'Emotional Reactions model' },
  { name: 'IP_model_path', type: 'string', metavar: 'CKPT', help: 'Interpretations model' },
  { name: 'EX_model_path', type: 'string', metavar: 'CKPT', help: 'Explorations model' },
  TORCH_HEADS_OPTION,
  TORCH_TOKENIZER_FROM_OPTION,
  BACKEND_OPTION,
  THREADS_OPTION,
];

export interface LoadedModels {
  /** Each distinct model with the mechanisms it is used for. */
  models: Array<{ model: EmpathyModel; path: string; use: Mechanism[] }>;
  mechanisms: Mechanism[];
  /** Set when no model path was given and the shipped model is used: the line to print saying so. */
  shippedNote?: string;
  dispose(): void;
}

/**
 * Load the models the flags name. With `shippedDefault` (predict, test) and no model flag, the shipped
 * model (dataset/models/offline-default.safetensors) scores every mechanism, and `shippedNote` says so. With `err`, `--backend`'s backend is
 * started first and its line written there.
 */
export async function loadModels(opts: Record<string, unknown>, cwd: string, o: { shippedDefault?: boolean; err?: NodeJS.WritableStream } = {}): Promise<LoadedModels> {
  const wanted: Array<{ flag: string; file: string; mech?: Mechanism }> = [];
  if (typeof opts.model_path === 'string') wanted.push({ flag: 'model_path', file: opts.model_path });
  for (const m of MECHANISMS) {
    const v = opts[`${m}_model_path`];
    if (typeof v === 'string') wanted.push({ flag: `${m}_model_path`, file: v, mech: m });
  }
  let shippedNote: string | undefined;
  if (wanted.length === 0 && o.shippedDefault) {
    wanted.push({ flag: 'model_path', file: shippedModelPath() });
    shippedNote = `no model path given: using ${SHIPPED_MODEL_SUMMARY}`;
  }
  if (wanted.length === 0) throw new UsageError('no model given: pass --model_path CKPT or --ER_model_path/--IP_model_path/--EX_model_path');
  for (const w of wanted) {
    const abs = path.resolve(cwd, w.file);
    if (!fs.existsSync(abs)) throw new Error(`--${w.flag}: no such model file ${w.file}`);
    if (fs.statSync(abs).isDirectory()) throw new Error(`--${w.flag}: ${w.file} is a folder, not a checkpoint file`);
  }
  const threads = threadsOption(opts.threads);
  if (o.err) await startBackend(typeof opts.backend === 'string' ? opts.backend : undefined, o.err, threads);
  const { loadModel } = engine();
  const byFile = new Map<string, { model: EmpathyModel; path: string; use: Mechanism[] }>();
  const owner = new Map<Mechanism, string>();
  const out: LoadedModels = {
    models: [],
    mechanisms: [],
    ...(shippedNote ? { shippedNote } : {}),
    dispose() {
      for (const m of byFile.values()) m.model.dispose();
    },
  };
  try {
    for (const w of wanted) {
      const abs = path.resolve(cwd, w.file);
      let entry = byFile.get(abs);
      if (!entry) {
        entry = { model: await loadModel(abs, { torch: torchImportOptions(opts, cwd, w.mech) }), path: w.file, use: [] };
        byFile.set(abs, entry);
      }
      const has = entry.model.mechanisms;
      if (w.mech) {
        if (!has.includes(w.mech)) throw new Error(`--${w.flag}: ${w.file} scores ${has.join('/')} only, not ${w.mech}`);
        owner.set(w.mech, abs); // per-mechanism paths win over --model_path
      } else {
        for (const m of has) if (!owner.has(m) || !wanted.some((x) => x.mech === m)) owner.set(m, abs);
      }
    }
  } catch (e) {
    out.dispose();
    throw e;
  }
  for (const [m, abs] of owner) byFile.get(abs)!.use.push(m);
  out.models = [...byFile.values()].filter((e) => e.use.length > 0);
  for (const e of byFile.values()) if (e.use.length === 0) e.model.dispose();
  out.mechanisms = MECHANISMS.filter((m) => owner.has(m));
  // The bi-encoder and the tagger (alone or in the offline-default ensemble) infer through an ONNX export
  // when onnxruntime-node loads: say which engine runs (and why).
  if (o.err && out.models.some((e) => familySpec(e.model.family)?.onnx)) {
    const eng = engine();
    try {
      o.err.write(`inference = ${eng.describeInference(eng.resolveInference())}\n`);
    } catch (e) {
      out.dispose();
      throw e;
    }
  }
  return out;
}

// A PyTorch bi-encoder state dict (what the original train.py saves with torch.save(model.state_dict())) as a
// workbench checkpoint, in memory: the architecture from the tensors' shapes (hidden, layers, FFN, vocab,
// positions), the heads, mechanism and tokenizer from the options (a state dict does not hold them), every
// name and shape checked against the model before anything is built. `import-torch` saves the result;
// test/evaluate/predict open a `.pth` through it directly.
import * as path from 'node:path';
import {
  resolvePretrained, assertFiniteWeights, loadCheckpoint, type Checkpoint, toFloat32, type TensorEntry,
  loadHfTokenizer, tokenizerFromJSON, type Tokenizer, type TorchImportOptions, readTorchStateDictFile, type Mechanism,
} from '../../engine';
import { mechanismFromFileName } from '../../../dataset/epitome';
import { BiEncoder } from './biEncoder';
import type { BiEncoderCheckpointConfig } from './biEncoderModel';
import { maxSeqLen, resolvePreset, type BiEncoderConfig } from './config';

/** The paper's roberta-base has 12 heads; a state dict does not record them. */
export const DEFAULT_TORCH_HEADS = 12;
const DEFAULT_MAX_LEN = 64;
const ENC = 'responder_encoder.roberta.';

export interface TorchImport {
  checkpoint: Checkpoint;
  /** zip (torch ≥ 1.6) or legacy. */
  format: 'zip' | 'legacy';
  /** One line saying what was found and assumed (for the CLI). */
  summary: string;
}

/**
 * Names as the workbench (and the original class) has them: DataParallel/DDP's `module.` prefix dropped,
 * and the buffers newer transformers versions add (`position_ids`, `token_type_ids`) left out.
 */
export function normaliseNames(tensors: Map<string, TensorEntry>): Map<string, TensorEntry> {
  const keys = [...tensors.keys()];
  const strip = keys.length > 0 && keys.every((k) => k.startsWith('module.')) ? 'module.'.length : 0;
  const out = new Map<string, TensorEntry>();
  for (const [k, v] of tensors) {
    const n = k.slice(strip);
    if (/\.embeddings\.(position_ids|token_type_ids)$/.test(n)) continue;
    out.set(n, v);
  }
  return out;
}

/** The mechanisms the heads are for: named in the tensors (a joint model) or told / read from the file name. */
function mechanismsOf(file: string, names: string[], opts: TorchImportOptions): Mechanism[] {
  const joint = (['ER', 'IP', 'EX'] as const).filter((m) => names.includes(`empathy_classifier.${m}.dense.weight`));
  if (joint.length > 1) return joint;
  const m = opts.mechanism ?? mechanismFromFileName(file);
  if (!m) throw new Error(`${file}: which mechanism does this model score? The file name does not say (ER, IP or EX): pass --mechanism ER|IP|EX`);
  return [m];
}

function shapeOf(file: string, tensors: Map<string, TensorEntry>, name: string, rank: number): number[] {
  const t = tensors.get(name);
  if (!t) {
    const hint = [...tensors.keys()].some((k) => /^(roberta\.)?embeddings\.word_embeddings/.test(k))
      ? ': it looks like a plain Hugging Face RoBERTa (pytorch_model.bin), which initialises training with --init_weights'
      : '';
    throw new Error(`${file}: no tensor '${name}': not a state dict of the EPITOME bi-encoder${hint}`);
  }
  if (t.shape.length !== rank) throw new Error(`${file}: tensor '${name}' has shape [${t.shape}], expected ${rank} dimensions`);
  return t.shape;
}

/** The architecture the tensors imply, with the heads given (the one size they cannot tell). */
function inferConfig(file: string, tensors: Map<string, TensorEntry>, mechanisms: Mechanism[], heads: number, padId: number): BiEncoderConfig {
  const [vocabSize, hidden] = shapeOf(file, tensors, `${ENC}embeddings.word_embeddings.weight`, 2);
  const [maxPositions] = shapeOf(file, tensors, `${ENC}embeddings.position_embeddings.weight`, 2);
  const [typeVocabSize] = shapeOf(file, tensors, `${ENC}embeddings.token_type_embeddings.weight`, 2);
  const [intermediate] = shapeOf(file, tensors, `${ENC}encoder.layer.0.intermediate.dense.weight`, 2);
  let layers = 0;
  while (tensors.has(`${ENC}encoder.layer.${layers}.attention.self.query.weight`)) layers++;
  if (!Number.isInteger(heads) || heads < 1 || hidden % heads !== 0) {
    throw new Error(`${file}: --heads ${heads} does not divide the hidden size ${hidden} (a state dict does not record the heads: pass --heads N)`);
  }
  if (padId >= vocabSize) throw new Error(`${file}: the tokenizer's padding id ${padId} is outside the ${vocabSize}-row embedding`);
  return resolvePreset('roberta-base', { mechanisms, encoder: { vocabSize, hidden, layers, heads, intermediate, maxPositions, typeVocabSize, padId } });
}

/** The model's tensors in state_dict order, as F32; any missing, unexpected or misshapen tensor is an error. */
function matchTensors(file: string, tensors: Map<string, TensorEntry>, cfg: BiEncoderConfig): Map<string, TensorEntry> {
  const specs = BiEncoder.paramSpecs(cfg);
  const missing = specs.filter((s) => !tensors.has(s.name)).map((s) => s.name);
  const known = new Set(specs.map((s) => s.name));
  const unexpected = [...tensors.keys()].filter((k) => !known.has(k));
  const list = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`;
  if (missing.length || unexpected.length) {
    const parts = [missing.length ? `missing ${missing.length} tensor(s): ${list(missing)}` : '', unexpected.length ? `unexpected ${unexpected.length} tensor(s): ${list(unexpected)}` : ''].filter(Boolean);
    throw new Error(`${file}: not the EPITOME bi-encoder's state dict (${parts.join('; ')})`);
  }
  const out = new Map<string, TensorEntry>();
  for (const s of specs) {
    const t = tensors.get(s.name)!;
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new Error(`${file}: tensor '${s.name}' has shape [${t.shape}], the model inferred from the others needs [${s.shape}]`);
    }
    if (t.dtype !== 'F32' && t.dtype !== 'F16' && t.dtype !== 'BF16') throw new Error(`${file}: tensor '${s.name}' has dtype ${t.dtype}, expected a float tensor`);
    out.set(s.name, { dtype: 'F32', shape: [...t.shape], data: toFloat32(s.name, t) });
  }
  return out;
}

/** The tokenizer the options name (a Hugging Face folder, or a workbench checkpoint's), with its JSON. */
/** The tokenizer a state dict is read with when none is named: the original's base model. */
export const DEFAULT_TORCH_TOKENIZER = 'roberta-base';

async function importTokenizer(file: string, opts: TorchImportOptions): Promise<{ tokenizer: Tokenizer; json: unknown; from: string }> {
  if (opts.tokenizer && opts.tokenizerFrom) throw new Error('pass --tokenizer or --tokenizer_from, not both');
  if (opts.tokenizerFrom) {
    const ck = await loadCheckpoint(opts.tokenizerFrom);
    if (ck.tokenizer === undefined) throw new Error(`--tokenizer_from ${opts.tokenizerFrom}: that checkpoint (${ck.family}) has no tokenizer`);
    return { tokenizer: await tokenizerFromJSON(ck.tokenizer), json: ck.tokenizer, from: `the tokenizer of ${opts.tokenizerFrom}` };
  }
  if (!opts.tokenizer) {
    // The original train.py fine-tunes roberta-base: its tokenizer, from the Hugging Face cache, is the default.
    let cached: string;
    try {
      cached = resolvePretrained(DEFAULT_TORCH_TOKENIZER, 'tokenizer');
    } catch {
      throw new Error(`${file}: a PyTorch state dict holds no tokenizer, and ${DEFAULT_TORCH_TOKENIZER} (the original's) is not in the Hugging Face cache: run \`empathy download-weights ${DEFAULT_TORCH_TOKENIZER}\`, or pass --tokenizer DIR (the Hugging Face folder, with tokenizer.json, of the model it was trained from) or --tokenizer_from CKPT`);
    }
    const tok = await loadHfTokenizer(cached);
    return { tokenizer: tok, json: tok.toJSON(), from: `the ${DEFAULT_TORCH_TOKENIZER} tokenizer from the Hugging Face cache (${cached})` };
  }
  const dir = resolvePretrained(opts.tokenizer, 'tokenizer'); // a folder, or a model id in the HF cache
  const tok = await loadHfTokenizer(dir);
  return { tokenizer: tok, json: tok.toJSON(), from: `tokenizer.json of ${opts.tokenizer}` };
}

/** Read a `.pth` (zip or legacy) and build the workbench checkpoint it is, in memory. Nothing is written. */
export async function importTorchCheckpoint(file: string, opts: TorchImportOptions = {}): Promise<TorchImport> {
  const { tensors: raw, format } = await readTorchStateDictFile(file);
  const tensors = normaliseNames(raw);
  const mechanisms = mechanismsOf(file, [...tensors.keys()], opts);
  const tok = await importTokenizer(file, opts);
  const model = inferConfig(file, tensors, mechanisms, opts.heads ?? DEFAULT_TORCH_HEADS, tok.tokenizer.padId);
  if (tok.tokenizer.vocabSize > model.encoder.vocabSize) {
    throw new Error(`${file}: the tokenizer (${tok.from}) has ${tok.tokenizer.vocabSize} tokens, the model's embedding only ${model.encoder.vocabSize}: not the tokenizer it was trained with`);
  }
  const weights = matchTensors(file, tensors, model);
  assertFiniteWeights(file, weights);
  const longest = maxSeqLen(model.encoder);
  const maxLen = opts.maxLen ?? Math.min(DEFAULT_MAX_LEN, longest);
  if (!Number.isInteger(maxLen) || maxLen < 3 || maxLen > longest) throw new Error(`${file}: --max_len ${maxLen} must be an integer in 3…${longest} (the model's positions)`);
  const config: BiEncoderCheckpointConfig = { model, maxLen };
  const e = model.encoder;
  const summary = `${path.basename(file)} (${format === 'zip' ? 'zip format, torch ≥ 1.6' : 'legacy format'}): bi-encoder ${mechanisms.join('+')}, ` +
    `hidden ${e.hidden}, ${e.layers} layers, ${e.heads} heads${opts.heads === undefined ? ' (the default; --heads N)' : ''}, FFN ${e.intermediate}, ` +
    `vocab ${e.vocabSize}, ${e.maxPositions} positions, max_len ${maxLen}; ${tok.from}`;
  return { checkpoint: { family: 'bi-encoder', config, tokenizer: tok.json, tensors: weights }, format, summary };
}

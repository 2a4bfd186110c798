// A Hugging Face `tokenizer.json` (e.g. roberta-base's) loaded from local files with @xenova/transformers,
// wrapped as our Tokenizer with character offsets recomputed from the byte-level tokens.
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CHAR_TO_BYTE, decodeByteChars } from './byteLevel';
import type { Encoding, Tokenizer } from './types';
import { CHARS_PER_WORD_READ, readablePrefix } from '../../../dataset/postLength';

/** The slice of transformers.js's PreTrainedTokenizer we use. */
interface XenovaTokenizer {
  _encode_text(text: string): string[] | null;
  decode(ids: number[], opts?: { skip_special_tokens?: boolean }): string;
  model: { tokens_to_ids: Map<string, number>; vocab: string[]; convert_tokens_to_ids(tokens: string[]): number[] };
  pad_token_id?: number;
  unk_token_id?: number;
}

export interface HfJSON {
  kind: 'hf';
  version: 1;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** The UTF-8 byte ranges of each code unit of `text`: code unit i covers bytes [byteStart[i], byteStart[i+1]). */
function utf8Starts(text: string): { byteOfUnit: number[]; unitOfByte: number[]; total: number } {
  const byteOfUnit: number[] = [];
  const unitOfByte: number[] = [];
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let u = 0; u < units; u++) byteOfUnit.push(b);
    for (let k = 0; k < n; k++) unitOfByte.push(i);
    b += n;
    i += units;
  }
  byteOfUnit.push(b);
  unitOfByte.push(text.length);
  return { byteOfUnit, unitOfByte, total: b };
}

export class HfTokenizer implements Tokenizer {
  readonly kind = 'hf';
  readonly padId: number;
  readonly vocabSize: number;
  private readonly bosId: number;
  private readonly eosId: number;
  private readonly byteLevel: boolean;

  constructor(private readonly tok: XenovaTokenizer, private readonly json: HfJSON) {
    const t2i = tok.model.tokens_to_ids;
    const cfg = json.tokenizerConfig;
    const name = (k: string, fallback: string) => {
      const v = cfg[k];
      return typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : fallback;
    };
    const id = (t: string) => {
      const i = t2i.get(t);
      if (i === undefined) throw new Error(`tokenizer.json has no ${t} token`);
      return i;
    };
    this.bosId = id(t2i.has(name('bos_token', '<s>')) ? name('bos_token', '<s>') : name('cls_token', '[CLS]'));
    this.eosId = id(t2i.has(name('eos_token', '</s>')) ? name('eos_token', '</s>') : name('sep_token', '[SEP]'));
    this.padId = tok.pad_token_id ?? id(name('pad_token', '<pad>'));
    let maxId = tok.model.vocab.length - 1;
    for (const i of t2i.values()) if (i > maxId) maxId = i; // added tokens may sit past the model vocab
    this.vocabSize = maxId + 1;
    const pre = json.tokenizerJson.pre_tokenizer as { type?: string } | null;
    this.byteLevel = pre?.type === 'ByteLevel';
  }

  /** Contents of the added (special) tokens, matched literally in the text rather than as bytes. */
  private addedContents(): Set<string> {
    const list = (this.json.tokenizerJson.added_tokens as Array<{ content?: string }> | undefined) ?? [];
    return new Set(list.map((t) => t.content ?? '').filter((c) => c !== ''));
  }

  /**
   * Offsets by walking the text: exact for byte-level BPE (each token's bytes advance a byte cursor; an
   * added token such as <mask> is found literally), a forward search otherwise or whenever the byte walk
   * does not add up (e.g. a normalizer changed the text).
   */
  private offsetsOf(text: string, tokens: string[]): Array<[number, number]> {
    if (this.byteLevel) {
      const walked = this.byteWalk(text, tokens);
      if (walked) return walked;
    }
    const out: Array<[number, number]> = [];
    const lower = text.toLowerCase();
    let pos = 0;
    for (const t of tokens) {
      const piece = (this.byteLevel ? decodeByteChars([t]) : t.replace(/^##|^▁/, '')).trim().toLowerCase();
      const at = piece ? lower.indexOf(piece, pos) : -1;
      if (at >= 0) { out.push([at, at + piece.length]); pos = at + piece.length; }
      else out.push([pos, pos]);
    }
    return out;
  }

  private byteWalk(text: string, tokens: string[]): Array<[number, number]> | undefined {
    const { byteOfUnit, unitOfByte, total } = utf8Starts(text);
    const added = this.addedContents();
    const out: Array<[number, number]> = [];
    let b = 0;
    for (const t of tokens) {
      if (added.has(t)) {
        const at = text.indexOf(t, unitOfByte[Math.min(b, total)]);
        if (at < 0) return undefined;
        out.push([at, at + t.length]);
        b = byteOfUnit[at + t.length];
        continue;
      }
      let n = 0;
      for (const c of t) {
        if (!CHAR_TO_BYTE.has(c)) return undefined;
        n++;
      }
      if (b + n > total) return undefined;
      let s = unitOfByte[b];
      let e = n > 0 ? unitOfByte[b + n - 1] : s;
      if (n > 0) { const cp = text.codePointAt(e)!; e += cp > 0xffff ? 2 : 1; }
      if (/\S/u.test(text.slice(s, e))) { // trim_offsets
        while (s < e && /\s/.test(text[s])) s++;
        while (e > s && /\s/.test(text[e - 1])) e--;
      }
      out.push([s, e]);
      b += n;
    }
    return b === total || tokens.length === 0 ? out : undefined;
  }

  encode(text: string, maxLen: number): Encoding {
    if (maxLen < 2) throw new Error(`max_len must be ≥ 2 (room for <s> and </s>), got ${maxLen}`);
    // As BpeTokenizer.encode: only the words that can reach the model (a 50 MB post is never tokenised whole).
    text = readablePrefix(text, maxLen - 1, (maxLen - 1) * CHARS_PER_WORD_READ);
    const tokens = this.tok._encode_text(text) ?? [];
    const ids = this.tok.model.convert_tokens_to_ids(tokens);
    const offsets = this.offsetsOf(text, tokens);
    const keep = Math.min(ids.length, maxLen - 2);
    return {
      ids: [this.bosId, ...ids.slice(0, keep), this.eosId],
      offsets: [[0, 0], ...offsets.slice(0, keep), [0, 0]],
      truncated: keep < ids.length,
    };
  }

  decode(ids: readonly number[]): string {
    return this.tok.decode([...ids], { skip_special_tokens: true });
  }

  toJSON(): HfJSON {
    return this.json;
  }
}

/** Build from the JSON contents (a checkpoint's stored tokenizer, or files read from disk). Local only. */
export async function hfTokenizerFromJSON(json: HfJSON): Promise<HfTokenizer> {
  const tf = (await import('@xenova/transformers')) as unknown as {
    env: { allowRemoteModels: boolean; localModelPath: string };
    AutoTokenizer: { TOKENIZER_CLASS_MAPPING: Record<string, new (j: unknown, c: unknown) => XenovaTokenizer> };
    PreTrainedTokenizer: new (j: unknown, c: unknown) => XenovaTokenizer;
  };
  tf.env.allowRemoteModels = false; // never reach the hub from here
  const cls = String(json.tokenizerConfig.tokenizer_class ?? 'PreTrainedTokenizer').replace(/Fast$/, '');
  const Ctor = tf.AutoTokenizer.TOKENIZER_CLASS_MAPPING[cls] ?? tf.PreTrainedTokenizer;
  return new HfTokenizer(new Ctor(json.tokenizerJson, json.tokenizerConfig), json);
}

/**
 * Load `tokenizer.json` (+ `tokenizer_config.json` when present) from a local folder, or the file itself.
 * The Hugging Face cache layout works too: pass the snapshot folder.
 */
export async function loadHfTokenizer(dirOrFile: string): Promise<HfTokenizer> {
  const file = existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? path.join(dirOrFile, 'tokenizer.json') : dirOrFile;
  if (!existsSync(file)) throw new Error(`no tokenizer.json at ${file}`);
  let tokenizerJson: Record<string, unknown>;
  try { tokenizerJson = JSON.parse(await readFile(file, 'utf8')); }
  catch (e) { throw new Error(`cannot read ${file}: ${(e as Error).message}`); }
  const cfgFile = path.join(path.dirname(file), 'tokenizer_config.json');
  let tokenizerConfig: Record<string, unknown> = {};
  if (existsSync(cfgFile)) {
    try { tokenizerConfig = JSON.parse(await readFile(cfgFile, 'utf8')); }
    catch (e) { throw new Error(`cannot read ${cfgFile}: ${(e as Error).message}`); }
  }
  const model = tokenizerJson.model as { type?: string } | undefined;
  if (!tokenizerConfig.tokenizer_class && model?.type === 'BPE' && (tokenizerJson.pre_tokenizer as { type?: string } | null)?.type === 'ByteLevel') {
    tokenizerConfig.tokenizer_class = 'RobertaTokenizer';
  }
  return hfTokenizerFromJSON({ kind: 'hf', version: 1, tokenizerJson, tokenizerConfig });
}

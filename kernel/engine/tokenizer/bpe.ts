// The project's own byte-level BPE tokenizer (RoBERTa conventions: <s>=0 <pad>=1 </s>=2 <unk>=3),
// encoding with character offsets into the original text; trained by trainBpe.ts.
import { BYTE_TO_CHAR, decodeByteChars, preTokenize, tokenOffsets } from './byteLevel';
import type { Encoding, Tokenizer } from './types';
import { CHARS_PER_WORD_READ, readablePrefix } from '../../../dataset/postLength';

export const SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
export const BOS_ID = 0;
export const PAD_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

/** Serialised form (stored in checkpoints). */
export interface BpeJSON {
  kind: 'bpe';
  version: 1;
  /** id → token (byte-level chars; the first four are the specials). */
  vocab: string[];
  /** Merges in rank order, as [left, right] tokens. */
  merges: Array<[string, string]>;
}

const pairKey = (a: number, b: number) => a * 0x200000 + b;

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly padId = PAD_ID;
  readonly vocabSize: number;
  private readonly tokenToId = new Map<string, number>();
  /** pair (left id, right id) → [rank, merged id]. */
  private readonly mergeOf = new Map<number, [number, number]>();
  private readonly cache = new Map<string, number[]>();

  constructor(readonly vocab: readonly string[], readonly merges: ReadonlyArray<readonly [string, string]>) {
    this.vocabSize = vocab.length;
    vocab.forEach((t, i) => this.tokenToId.set(t, i));
    for (let i = 0; i < 4; i++) {
      if (vocab[i] !== SPECIAL_TOKENS[i]) throw new Error(`BPE vocab: id ${i} must be ${SPECIAL_TOKENS[i]}, found ${JSON.stringify(vocab[i])}`);
    }
    for (const c of BYTE_TO_CHAR) if (!this.tokenToId.has(c)) throw new Error(`BPE vocab lacks the byte token ${JSON.stringify(c)}`);
    merges.forEach(([l, r], rank) => {
      const a = this.tokenToId.get(l), b = this.tokenToId.get(r), m = this.tokenToId.get(l + r);
      if (a === undefined || b === undefined || m === undefined) throw new Error(`BPE merge ${rank} (${l} ${r}) refers to tokens not in the vocab`);
      this.mergeOf.set(pairKey(a, b), [rank, m]);
    });
  }

  /** Token ids of one pre-token's byte chars, merging the lowest-ranked pair first (GPT-2's algorithm). */
  private bpe(byteChars: string): number[] {
    const hit = this.cache.get(byteChars);
    if (hit) return hit;
    let word = Array.from(byteChars, (c) => this.tokenToId.get(c) ?? UNK_ID);
    while (word.length > 1) {
      let best = -1, bestRank = Infinity, bestId = -1;
      for (let i = 0; i + 1 < word.length; i++) {
        const m = this.mergeOf.get(pairKey(word[i], word[i + 1]));
        if (m && m[0] < bestRank) { bestRank = m[0]; best = i; bestId = m[1]; }
      }
      if (best < 0) break;
      const a = word[best], b = word[best + 1];
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { next.push(bestId); i++; }
        else next.push(word[i]);
      }
      word = next;
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(byteChars, word);
    return word;
  }

  /** Tokens of `text` without specials, with offsets. */
  tokenize(text: string): { ids: number[]; offsets: Array<[number, number]> } {
    const ids: number[] = [];
    const offsets: Array<[number, number]> = [];
    for (const pre of preTokenize(text)) {
      let b = 0;
      for (const id of this.bpe(pre.byteChars)) {
        const n = this.vocab[id].length; // byte-level tokens: one char per byte
        ids.push(id);
        offsets.push(tokenOffsets(text, pre, b, b + n));
        b += n;
      }
    }
    return { ids, offsets };
  }

  encode(text: string, maxLen: number): Encoding {
    if (maxLen < 2) throw new Error(`max_len must be ≥ 2 (room for <s> and </s>), got ${maxLen}`);
    // Only the words that can reach the model are tokenised (maxLen − 1 words give ≥ maxLen − 1 tokens:
    // the kept ones plus one to say it was truncated): a 50 MB post is never tokenised whole.
    const { ids, offsets } = this.tokenize(readablePrefix(text, maxLen - 1, (maxLen - 1) * CHARS_PER_WORD_READ));
    const keep = Math.min(ids.length, maxLen - 2);
    return {
      ids: [BOS_ID, ...ids.slice(0, keep), EOS_ID],
      offsets: [[0, 0], ...offsets.slice(0, keep), [0, 0]],
      truncated: keep < ids.length,
    };
  }

  decode(ids: readonly number[]): string {
    return decodeByteChars(ids.filter((id) => id >= SPECIAL_TOKENS.length && id < this.vocabSize).map((id) => this.vocab[id]));
  }

  toJSON(): BpeJSON {
    return { kind: 'bpe', version: 1, vocab: [...this.vocab], merges: this.merges.map(([l, r]) => [l, r]) };
  }

  static fromJSON(json: unknown): BpeTokenizer {
    const j = json as Partial<BpeJSON>;
    if (!j || j.kind !== 'bpe' || !Array.isArray(j.vocab) || !Array.isArray(j.merges)) throw new Error('not a BPE tokenizer JSON (expected {kind:"bpe", vocab, merges})');
    return new BpeTokenizer(j.vocab, j.merges);
  }

  /** The same tokenizer as a Hugging Face `tokenizer.json` (RoBERTa layout), loadable by loadHfTokenizer. */
  toHuggingFace(): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
    const vocab: Record<string, number> = {};
    this.vocab.forEach((t, i) => { vocab[t] = i; });
    const added = SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
    return {
      tokenizerJson: {
        version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
        pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
        post_processor: { type: 'RobertaProcessing', sep: ['</s>', EOS_ID], cls: ['<s>', BOS_ID], trim_offsets: true, add_prefix_space: false },
        decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
        model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: this.merges.map(([l, r]) => `${l} ${r}`) },
      },
      tokenizerConfig: { tokenizer_class: 'RobertaTokenizer', bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', model_max_length: 512 },
    };
  }
}

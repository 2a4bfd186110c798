// The tokenizer contract every model family encodes text with (own BPE or a Hugging Face tokenizer.json).

/** One side (seeker or response) encoded like the original: `<s> … </s>`, at most maxLen ids. */
export interface Encoding {
  /** Token ids including the `<s>`/`</s>` specials (no padding). */
  ids: number[];
  /** [start, end) UTF-16 offsets into the original text, one per id; [0, 0] for the specials. */
  offsets: Array<[number, number]>;
  /** True when tokens were dropped to fit maxLen. */
  truncated: boolean;
}

export interface Tokenizer {
  readonly padId: number;
  readonly vocabSize: number;
  /** 'bpe' (trained by this project) or 'hf' (a Hugging Face tokenizer.json). */
  readonly kind: string;
  /** `<s> tokens </s>`, right-truncated so the result (specials included) has at most maxLen ids. */
  encode(text: string, maxLen: number): Encoding;
  /** Text of ids (specials skipped); for inspection and tests. */
  decode(ids: readonly number[]): string;
  /** JSON-able form, restored by `tokenizerFromJSON` (stored in checkpoints). */
  toJSON(): unknown;
}

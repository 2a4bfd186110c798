// A dependency-free word tokenizer with character offsets (words, numbers, single punctuation marks),
// wrapped like the model tokenizers (`<s> … </s>`, max_len including the specials). Used where no
// model tokenizer is given (process-data, stats, evaluate from CSVs) — an approximation of the
// model's sub-word tokens that every command names when it uses it.

export interface OffsetEncoding {
  ids: number[];
  /** [start, end) into the text; [0, 0] for `<s>` / `</s>`. */
  offsets: Array<[number, number]>;
  truncated: boolean;
}

/** The part of the engine's Tokenizer the data layer needs (the engine's tokenizers satisfy it). */
export interface OffsetTokenizer {
  readonly kind: string;
  encode(text: string, maxLen: number): OffsetEncoding;
}

const WORD = /[\p{L}\p{N}_'’]+|[^\s\p{L}\p{N}_]/gu;

export const wordTokenizer: OffsetTokenizer = {
  kind: 'words',
  encode(text: string, maxLen: number): OffsetEncoding {
    const offsets: Array<[number, number]> = [[0, 0]];
    let truncated = false;
    for (const m of text.matchAll(WORD)) {
      if (offsets.length >= maxLen - 1) {
        truncated = true;
        break;
      }
      offsets.push([m.index!, m.index! + m[0].length]);
    }
    offsets.push([0, 0]);
    return { ids: offsets.map((_, i) => i), offsets, truncated };
  },
};

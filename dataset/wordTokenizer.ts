// The one word tokenizer (words with inner apostrophes, numbers, single punctuation marks) with character
// offsets: wordTokens() is the token unit of the linear baseline's rationales and the neural tagger;
// wordTokenizer wraps it like the model tokenizers (`<s> … </s>`, max_len including the specials). Used where no
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

/** A word or punctuation token of a post, with [start, end) character offsets into it. */
export interface WordToken {
  text: string;
  start: number;
  end: number;
}

// Words keep inner apostrophes ("can't", "I'm") as one token; every other non-space character is its
// own token, so punctuation such as "?" (a strong Exploration cue) is visible to the tagger.
const WORD_RE = /[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}\p{N}_]+)*|[^\s]/gu;

/** Tokenise `text`, keeping at most `maxTokens` tokens (`truncated` says whether some were cut). */
export function wordTokens(text: string, maxTokens = Infinity): { tokens: WordToken[]; truncated: boolean } {
  const tokens: WordToken[] = [];
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(text); m !== null; m = WORD_RE.exec(text)) {
    if (tokens.length >= maxTokens) return { tokens, truncated: true };
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return { tokens, truncated: false };
}

export const wordTokenizer: OffsetTokenizer = {
  kind: 'words',
  encode(text: string, maxLen: number): OffsetEncoding {
    const words = wordTokens(text, Math.max(0, maxLen - 2)); // max_len counts <s> and </s>
    const offsets: Array<[number, number]> = [[0, 0], ...words.tokens.map((t): [number, number] => [t.start, t.end]), [0, 0]];
    return { ids: offsets.map((_, i) => i), offsets, truncated: words.truncated };
  },
};

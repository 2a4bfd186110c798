// Word-level tokenisation of posts with character offsets: the token unit of the linear baseline's
// (empty) rationales and of the neural tagger (embeddings, rationale labels, predicted spans).

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

// Sentence and clause segmentation of a post's word tokens. EPITOME rationales are mostly whole clauses
// or sentences ("I'm so sorry you're going through this.", "have you talked to anyone about it?"), so
// the tagger pools its token states over each token's clause and sentence (tagger/network.ts).
import type { WordToken } from '../../../dataset/wordTokenizer';

/** Per token: the index of its sentence and of its clause (both count from 0, in token order). */
export interface Segments {
  sentence: Int32Array;
  clause: Int32Array;
}

const SENTENCE_END = /^[.!?…]$/;
const CLAUSE_END = /^[,;:—–]$/;

/**
 * A sentence ends after a run of . ! ? … tokens or at a line break between two tokens; a clause ends
 * where its sentence does and after , ; : — –. Punctuation stays with the segment it closes.
 */
export function segmentTokens(text: string, tokens: readonly WordToken[]): Segments {
  const n = tokens.length;
  const sentence = new Int32Array(n);
  const clause = new Int32Array(n);
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    sentence[i] = s;
    clause[i] = c;
    if (i + 1 === n) break;
    const t = tokens[i].text;
    const next = tokens[i + 1].text;
    const lineBreak = text.slice(tokens[i].end, tokens[i + 1].start).includes('\n');
    if (lineBreak || (SENTENCE_END.test(t) && !SENTENCE_END.test(next))) {
      s++;
      c++;
    } else if (CLAUSE_END.test(t)) c++;
  }
  return { sentence, clause };
}

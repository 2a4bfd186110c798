// Token attribution of the linear baseline — NOT a gradient (it has no input embeddings): each TF-IDF
// n-gram's contribution |W[feature, level] · tfidf(feature)| to the level's score, shared evenly among its
// occurrences in the response and credited to every word token an occurrence touches; normalised to [0, 1].
import { type SalienceOptions, normaliseByMax, type Level, type Mechanism, type Pair } from '../../engine';
import { argmax3 } from '../evaluate';
import { readablePrefix } from '../../../dataset/postLength';
import { wordTokens } from '../../../dataset/wordTokenizer';
import { predictProba, type LogRegParams } from './logreg';
import type { TfidfVectorizer } from './tfidf';

/** What the attribution needs from a linear model. */
export interface LinearParts {
  vectorizer: TfidfVectorizer;
  heads: Partial<Record<Mechanism, LogRegParams>>;
  maxLen: number;
}

/** One occurrence of an n-gram feature in the text: its column and character range [start, end). */
interface Occurrence { col: number; start: number; end: number }

const TOKEN_RE = /[\p{L}\p{M}\p{N}_]+/gu; // the vectoriser's word pattern (tfidf.ts)

/** Where each known feature of `text` occurs, mirroring TfidfVectorizer's word and char_wb analysers. */
export function featureOccurrences(v: TfidfVectorizer, whole: string): Occurrence[] {
  const text = readablePrefix(whole); // what the vectoriser reads (tfidf.ts)
  const out: Occurrence[] = [];
  const add = (feature: string, start: number, end: number) => {
    const col = v.column(feature);
    if (col !== undefined) out.push({ col, start, end });
  };
  // Word n-grams over tokens of ≥ 2 characters (matched on the original text, so offsets stay exact).
  const toks: Array<{ w: string; start: number; end: number }> = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const w = m[0].toLowerCase();
    if (w.length >= 2) toks.push({ w, start: m.index!, end: m.index! + m[0].length });
  }
  const [wlo, whi] = v.cfg.wordNgrams;
  for (let n = wlo; n <= whi; n++) {
    for (let i = 0; i + n <= toks.length; i++) add('w:' + toks.slice(i, i + n).map((t) => t.w).join(' '), toks[i].start, toks[i + n - 1].end);
  }
  // Char n-grams within space-padded whitespace-separated words (sklearn char_wb), by code point.
  const [clo, chi] = v.cfg.charNgrams;
  for (const m of text.matchAll(/\S+/gu)) {
    const word = m[0];
    const cps = [...word];
    const lower = [...word.toLowerCase()];
    // UTF-16 offset of each code point (+ the end); if lowercasing changed the length, credit the whole word.
    const at: number[] = [m.index!];
    for (const c of cps) at.push(at[at.length - 1] + c.length);
    const same = lower.length === cps.length;
    const w = [' ', ...lower, ' '];
    const range = (o: number, n: number): [number, number] => {
      if (!same) return [at[0], at[at.length - 1]];
      const a = Math.max(0, o - 1), b = Math.min(cps.length, o + n - 1); // padded [o, o+n) → word code points
      return [at[a], at[Math.max(a + 1, b)]];
    };
    for (let n = clo; n <= chi; n++) {
      let offset = 0;
      add('c:' + w.slice(offset, offset + n).join(''), ...range(offset, n));
      while (offset + n < w.length) {
        offset++;
        add('c:' + w.slice(offset, offset + n).join(''), ...range(offset, n));
      }
      if (offset === 0) break; // a word shorter than n is counted once, as the vectoriser does
    }
  }
  return out;
}

/**
 * Per word token of `predict` (at most maxLen): Σ over n-gram occurrences touching the token of
 * |W[j, level] · x_j| / (occurrences of j), x_j the response's TF-IDF value of feature j. Unnormalised.
 */
export function linearRawAttribution(parts: LinearParts, pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): { level: Level; values: Float64Array } {
  const head = parts.heads[mechanism];
  if (!head) throw new Error(`salience: the linear model has no ${mechanism} head`);
  const x = parts.vectorizer.transform([pair.responsePost]); // one CSR row
  const level: Level = opts.level ?? argmax3(predictProba(x, head));
  const tokens = wordTokens(pair.responsePost, parts.maxLen).tokens;
  const values = new Float64Array(tokens.length);
  const xval = new Map<number, number>();
  for (let p = x.indptr[0]; p < x.indptr[1]; p++) xval.set(x.indices[p], x.values[p]);
  const occ = featureOccurrences(parts.vectorizer, pair.responsePost);
  const count = new Map<number, number>();
  for (const o of occ) count.set(o.col, (count.get(o.col) ?? 0) + 1);
  for (const o of occ) {
    const share = Math.abs(head.W[o.col * head.k + level] * (xval.get(o.col) ?? 0)) / count.get(o.col)!;
    if (share === 0) continue;
    tokens.forEach((t, i) => { if (t.start < o.end && o.start < t.end) values[i] += share; });
  }
  return { level, values };
}

/** `EmpathyModel.salience` of the linear model (a feature-weight attribution, not a gradient). */
export async function linearSalience(parts: LinearParts, pair: Pair, mechanism: Mechanism, opts: SalienceOptions = {}): Promise<number[]> {
  return normaliseByMax(linearRawAttribution(parts, pair, mechanism, opts).values);
}

// The tagger's input side: a word vocabulary built from training text, hashed char 3-grams per word,
// and the padded batch arrays (ids, masks, reversal matrices, labels) one forward pass needs.
import type { LabeledPair, Mechanism, Pair } from '../../engine';
import { goldTokenLabels } from '../evaluate';
import { segmentTokens, type Segments } from '../text/segments';
import { wordTokens, type WordToken } from '../../../dataset/wordTokenizer';

export const PAD = 0;
export const UNK = 1;

/** Lowercased words → ids (0 pad, 1 unk), most frequent first. */
export class WordVocab {
  private readonly index: Map<string, number>;
  constructor(readonly words: string[]) {
    this.index = new Map(words.map((w, i) => [w, i + 2]));
  }
  get size(): number {
    return this.words.length + 2;
  }
  id(word: string): number {
    return this.index.get(word.toLowerCase()) ?? UNK;
  }
  static build(texts: readonly string[], maxSize: number, minCount: number): WordVocab {
    const counts = new Map<string, number>();
    for (const t of texts) for (const tok of wordTokens(t).tokens) {
      const w = tok.text.toLowerCase();
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const words = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxSize - 2).map(([w]) => w);
    return new WordVocab(words);
  }
}

/** FNV-1a hash of a string (stable across runs and machines). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket ids (1..buckets; 0 = pad) of the char 3-grams of "<word>", at most `k`. */
export function charNgramIds(word: string, buckets: number, k: number): number[] {
  const w = `<${word.toLowerCase()}>`;
  const out: number[] = [];
  for (let i = 0; i + 3 <= w.length && out.length < k; i++) out.push(1 + (fnv1a(w.slice(i, i + 3)) % buckets));
  return out;
}

/** One side of a pair, tokenised. */
export interface SideTokens {
  tokens: WordToken[];
  truncated: boolean;
  /** Sentence and clause of each token (responses only: the rationale head pools over them). */
  segments?: Segments;
}

/** A pair tokenised once (both sides) with gold levels and token labels where labelled. */
export interface TaggerExample {
  seeker: SideTokens;
  response: SideTokens;
  levels: Partial<Record<Mechanism, number>>;
  rationale: Partial<Record<Mechanism, number[]>>;
}

export function toExamples(pairs: readonly (Pair | LabeledPair)[], maxLen: number, mechanisms: readonly Mechanism[]): TaggerExample[] {
  return pairs.map((p) => {
    const words = wordTokens(p.responsePost, maxLen);
    const response: SideTokens = { ...words, segments: segmentTokens(p.responsePost, words.tokens) };
    const ex: TaggerExample = { seeker: wordTokens(p.seekerPost, maxLen), response, levels: {}, rationale: {} };
    const labels = (p as LabeledPair).labels;
    if (labels) {
      const offsets = response.tokens.map((t) => [t.start, t.end] as [number, number]);
      for (const m of mechanisms) {
        const l = labels[m];
        if (!l) continue;
        ex.levels[m] = l.level;
        ex.rationale[m] = goldTokenLabels(l, offsets);
      }
    }
    return ex;
  });
}

/**
 * Arrays of one batch. Rows 0..B−1 are seekers, B..2B−1 responses (one shared encoder pass).
 * T = the longest side in the batch (≥ 1). Tokens point into a table of the batch's distinct word
 * types (type 0 = padding), so char n-grams are embedded once per type, not once per token.
 */
export interface TaggerBatch {
  B: number;
  T: number;
  K: number;
  U: number; // distinct types (incl. the padding type 0)
  typeWordIds: Int32Array; // [U]
  typeCharIds: Int32Array; // [U·K]
  typeCharMask: Float32Array; // [U·K] 1 for real n-grams
  typeCharCount: Float32Array; // [U] max(1, n-grams of the type)
  tokType: Int32Array; // [2·(2B·T)] forward order, then each row's real tokens reversed (backward GRU input)
  unreverse: Int32Array; // [2B·T] row-major position of each backward output in forward order
  mask: Float32Array; // [2B·T] 1 for real tokens
  levels: Partial<Record<Mechanism, Int32Array>>; // [B], −1 where unlabelled
  rationale: Partial<Record<Mechanism, Float32Array>>; // [B·T] response token labels
  rationaleWeight: Partial<Record<Mechanism, Float32Array>>; // [B·T] 1 on real tokens of level > 0 rows
  /**
   * Row-stochastic averaging matrices of the responses: entry [b, i, j] = 1/|seg(i)| when response
   * tokens i and j share a segment, else 0 (padding rows/columns 0). [B·T·T] each with segmentPooling,
   * else empty.
   */
  clauseAvg: Float32Array;
  sentenceAvg: Float32Array;
}

export function makeBatch(exs: readonly TaggerExample[], vocab: WordVocab, cfg: { charBuckets: number; charPerToken: number; segmentPooling?: boolean }, mechanisms: readonly Mechanism[]): TaggerBatch {
  const B = exs.length;
  const K = cfg.charPerToken;
  const sides = [...exs.map((e) => e.seeker), ...exs.map((e) => e.response)];
  const T = Math.max(1, ...sides.map((s) => s.tokens.length));
  const R = 2 * B;
  const types = new Map<string, number>([['', 0]]);
  const typeOf = (w: string): number => {
    let id = types.get(w);
    if (id === undefined) types.set(w, (id = types.size));
    return id;
  };
  const tokType = new Int32Array(2 * R * T);
  const unreverse = new Int32Array(R * T);
  const mask = new Float32Array(R * T);
  sides.forEach((s, r) => {
    const L = s.tokens.length;
    s.tokens.forEach((tok, t) => {
      const ty = typeOf(tok.text.toLowerCase());
      tokType[r * T + t] = ty;
      tokType[R * T + r * T + (L - 1 - t)] = ty;
      mask[r * T + t] = 1;
    });
    for (let t = 0; t < T; t++) unreverse[r * T + t] = r * T + (t < L ? L - 1 - t : t);
  });
  const U = types.size;
  const typeWordIds = new Int32Array(U);
  const typeCharIds = new Int32Array(U * K);
  const typeCharMask = new Float32Array(U * K);
  const typeCharCount = new Float32Array(U).fill(1);
  for (const [w, u] of types) {
    if (u === 0) continue;
    typeWordIds[u] = vocab.id(w);
    const cs = charNgramIds(w, cfg.charBuckets, K);
    cs.forEach((c, j) => {
      typeCharIds[u * K + j] = c;
      typeCharMask[u * K + j] = 1;
    });
    typeCharCount[u] = Math.max(1, cs.length);
  }
  const levels: TaggerBatch['levels'] = {};
  const rationale: TaggerBatch['rationale'] = {};
  const rationaleWeight: TaggerBatch['rationaleWeight'] = {};
  for (const m of mechanisms) {
    const lv = new Int32Array(B).fill(-1);
    const ra = new Float32Array(B * T);
    const rw = new Float32Array(B * T);
    exs.forEach((e, b) => {
      const level = e.levels[m];
      if (level === undefined) return;
      lv[b] = level;
      if (level > 0) {
        e.rationale[m]!.forEach((y, t) => {
          ra[b * T + t] = y;
          rw[b * T + t] = 1;
        });
      }
    });
    levels[m] = lv;
    rationale[m] = ra;
    rationaleWeight[m] = rw;
  }
  // Only the rationale head's segment pooling reads these (empty otherwise).
  const clauseAvg = new Float32Array(cfg.segmentPooling ? B * T * T : 0);
  const sentenceAvg = new Float32Array(cfg.segmentPooling ? B * T * T : 0);
  if (cfg.segmentPooling) exs.forEach((e, b) => {
    const seg = e.response.segments ?? segmentTokens('', e.response.tokens);
    segmentAverages(seg.clause, b, T, clauseAvg);
    segmentAverages(seg.sentence, b, T, sentenceAvg);
  });
  return { B, T, K, U, typeWordIds, typeCharIds, typeCharMask, typeCharCount, tokType, unreverse, mask, levels, rationale, rationaleWeight, clauseAvg, sentenceAvg };
}

/** Fill row b of a [B, T, T] averaging matrix from per-token segment ids (segments are contiguous). */
function segmentAverages(ids: Int32Array, b: number, T: number, out: Float32Array): void {
  const n = ids.length;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && ids[j] === ids[i]) j++;
    const w = 1 / (j - i);
    for (let r = i; r < j; r++) for (let c = i; c < j; c++) out[(b * T + r) * T + c] = w;
    i = j;
  }
}

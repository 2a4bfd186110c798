// TF-IDF features of the linear baseline: word 1–2-grams + char 2–5-grams within word boundaries,
// with scikit-learn's TfidfVectorizer semantics (lowercase, sublinear tf, smooth idf, L2 norm).
import { readablePrefix } from '../../../dataset/postLength';
import { csrFromRows, type Csr } from './sparse';

export interface TfidfConfig {
  /** Word n-gram range over tokens of ≥ 2 word characters (sklearn's default token_pattern). */
  wordNgrams: [number, number]; // [1, 2]
  /** Char n-gram range within space-padded words (sklearn's analyzer='char_wb'). */
  charNgrams: [number, number]; // [2, 5]
  /** Minimum document frequency of a word n-gram. */
  wordMinDf: number; // 2 (1 gave the same grouped-CV macro-F1 with 45k more features)
  /** Minimum document frequency of a char n-gram. */
  charMinDf: number; // 2
  /** tf → 1 + ln(tf). */
  sublinearTf: boolean; // true
}

export const defaultTfidfConfig: TfidfConfig = {
  wordNgrams: [1, 2],
  charNgrams: [2, 5],
  wordMinDf: 2,
  charMinDf: 2,
  sublinearTf: true,
};

const TOKEN_RE = /[\p{L}\p{M}\p{N}_]+/gu;

/** Word n-grams ("w:" prefix) of a lowercased text: tokens of ≥ 2 word characters, joined by spaces. */
export function wordNgrams(text: string, [lo, hi]: [number, number]): string[] {
  const toks = (readablePrefix(text).toLowerCase().match(TOKEN_RE) ?? []).filter((t) => t.length >= 2);
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= toks.length; i++) out.push('w:' + toks.slice(i, i + n).join(' '));
  }
  return out;
}

/** Char n-grams ("c:" prefix) within space-padded whitespace-separated words (sklearn char_wb). */
export function charWbNgrams(text: string, [lo, hi]: [number, number]): string[] {
  const out: string[] = [];
  for (const word of readablePrefix(text).toLowerCase().split(/\s+/)) {
    if (word === '') continue;
    const padded = ' ' + word + ' ';
    // Code points, like Python str indexing; a word without surrogate pairs slices as the string itself.
    const w: string | string[] = /[\uD800-\uDFFF]/.test(padded) ? [...padded] : padded;
    const gram = typeof w === 'string' ? (a: number, b: number) => w.slice(a, b) : (a: number, b: number) => w.slice(a, b).join('');
    for (let n = lo; n <= hi; n++) {
      let offset = 0;
      out.push('c:' + gram(offset, offset + n));
      while (offset + n < w.length) {
        offset++;
        out.push('c:' + gram(offset, offset + n));
      }
      if (offset === 0) break; // a word shorter than n is counted once, as sklearn does
    }
  }
  return out;
}

/** A fitted vectoriser: vocabulary (feature names) and idf, as two L2-normalised blocks joined. */
export class TfidfVectorizer {
  private readonly index: Map<string, number>;

  constructor(
    readonly cfg: TfidfConfig,
    /** Feature names, "w:…" then "c:…"; a feature's column is its position here. */
    readonly features: string[],
    /** idf per feature: ln((1 + n) / (1 + df)) + 1. */
    readonly idf: Float32Array,
    /** Columns [0, wordCount) are word n-grams, the rest char n-grams. */
    readonly wordCount: number,
  ) {
    this.index = new Map(features.map((f, i) => [f, i]));
  }

  static fit(texts: readonly string[], cfg: TfidfConfig = defaultTfidfConfig): TfidfVectorizer {
    const wordDf = new Map<string, number>();
    const charDf = new Map<string, number>();
    for (const t of texts) {
      for (const g of new Set(wordNgrams(t, cfg.wordNgrams))) wordDf.set(g, (wordDf.get(g) ?? 0) + 1);
      for (const g of new Set(charWbNgrams(t, cfg.charNgrams))) charDf.set(g, (charDf.get(g) ?? 0) + 1);
    }
    // Sorted vocabulary (like sklearn) so a fit is independent of document order.
    const words = [...wordDf].filter(([, d]) => d >= cfg.wordMinDf).map(([g]) => g).sort();
    const chars = [...charDf].filter(([, d]) => d >= cfg.charMinDf).map(([g]) => g).sort();
    const features = [...words, ...chars];
    const n = texts.length;
    const idf = new Float32Array(features.length);
    features.forEach((f, i) => {
      const df = (i < words.length ? wordDf : charDf).get(f)!;
      idf[i] = Math.log((1 + n) / (1 + df)) + 1;
    });
    return new TfidfVectorizer(cfg, features, idf, words.length);
  }

  get size(): number {
    return this.features.length;
  }

  /** Documents → CSR; each block (word, char) L2-normalised, then the row scaled by 1/√2 (unit norm). */
  transform(texts: readonly string[]): Csr {
    const rows = texts.map((t) => {
      const word = this.block(wordNgrams(t, this.cfg.wordNgrams));
      const char = this.block(charWbNgrams(t, this.cfg.charNgrams));
      const row = new Map<number, number>();
      for (const b of [word, char]) {
        let ss = 0;
        for (const v of b.values()) ss += v * v;
        // Two unit blocks → a unit row when both are non-empty (sklearn's FeatureUnion skips this).
        const scale = ss > 0 ? 1 / Math.sqrt(ss) / (word.size > 0 && char.size > 0 ? Math.SQRT2 : 1) : 0;
        for (const [c, v] of b) row.set(c, v * scale);
      }
      return row;
    });
    return csrFromRows(rows, this.size);
  }

  /** Column index of a feature name ("w:i feel", "c:sor"), or undefined. */
  column(feature: string): number | undefined {
    return this.index.get(feature);
  }

  private block(grams: string[]): Map<number, number> {
    const tf = new Map<number, number>();
    for (const g of grams) {
      const c = this.index.get(g);
      if (c !== undefined) tf.set(c, (tf.get(c) ?? 0) + 1);
    }
    for (const [c, n] of tf) tf.set(c, (this.cfg.sublinearTf ? 1 + Math.log(n) : n) * this.idf[c]);
    return tf;
  }
}

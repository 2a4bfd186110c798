// Deterministic byte-level BPE training (GPT-2/RoBERTa style) from raw texts: count pre-token words, then
// repeatedly merge the most frequent adjacent pair (ties → lowest ids), updating only affected words.
import { BYTE_TO_CHAR, preTokenize } from './byteLevel';
import { BpeTokenizer, SPECIAL_TOKENS } from './bpe';

export interface TrainTokenizerOptions {
  /** Final vocabulary size, specials and the 256 byte tokens included (e.g. 8000). */
  vocabSize: number;
  /** A pair must occur at least this often to be merged (default 2). */
  minFrequency?: number;
}

/** Max-heap of (count, pair) with lazy deletion: stale entries are skipped when popped. */
class PairHeap {
  private readonly items: Array<[number, number, number]> = []; // [count, left, right]
  private static better(x: [number, number, number], y: [number, number, number]): boolean {
    return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
  }
  push(item: [number, number, number]): void {
    const h = this.items;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!PairHeap.better(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): [number, number, number] | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && PairHeap.better(h[l], h[m])) m = l;
        if (r < h.length && PairHeap.better(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const key = (a: number, b: number) => a * 0x200000 + b;

export function trainTokenizer(texts: readonly string[], opts: TrainTokenizerOptions): BpeTokenizer {
  const base = SPECIAL_TOKENS.length + 256;
  if (!(opts.vocabSize >= base)) throw new Error(`vocabSize must be ≥ ${base} (4 specials + 256 bytes), got ${opts.vocabSize}`);
  const minFrequency = opts.minFrequency ?? 2;
  const vocab: string[] = [...SPECIAL_TOKENS, ...BYTE_TO_CHAR];
  const idOf = new Map(vocab.map((t, i) => [t, i]));

  // Word frequencies, in first-seen order (deterministic for the same texts).
  const freq = new Map<string, number>();
  for (const t of texts) for (const p of preTokenize(t)) freq.set(p.byteChars, (freq.get(p.byteChars) ?? 0) + 1);
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [w, c] of freq) { words.push(Array.from(w, (ch) => idOf.get(ch)!)); counts.push(c); }

  // Pair counts and, per pair, the words that contain it.
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWord = (wi: number, sign: 1 | -1, touched: Set<number>) => {
    const w = words[wi];
    for (let i = 0; i + 1 < w.length; i++) {
      const k = key(w[i], w[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * counts[wi]);
      if (sign > 0) {
        let s = pairWords.get(k);
        if (!s) pairWords.set(k, (s = new Set()));
        s.add(wi);
      }
      touched.add(k);
    }
  };
  const initial = new Set<number>();
  words.forEach((_, wi) => addWord(wi, 1, initial));
  const heap = new PairHeap();
  for (const k of initial) heap.push([pairCount.get(k)!, Math.floor(k / 0x200000), k % 0x200000]);

  const merges: Array<[string, string]> = [];
  while (vocab.length < opts.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const [c, a, b] = top;
    const k = key(a, b);
    if (pairCount.get(k) !== c) continue; // stale
    if (c < minFrequency) break;
    const merged = vocab[a] + vocab[b];
    let id = idOf.get(merged);
    if (id === undefined) { id = vocab.length; vocab.push(merged); idOf.set(merged, id); }
    merges.push([vocab[a], vocab[b]]);
    const touched = new Set<number>();
    const affected = [...(pairWords.get(k) ?? [])].sort((x, y) => x - y);
    for (const wi of affected) {
      addWord(wi, -1, touched);
      const w = words[wi];
      const next: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) { next.push(id); i++; }
        else next.push(w[i]);
      }
      words[wi] = next;
      addWord(wi, 1, touched);
    }
    pairWords.delete(k);
    pairCount.delete(k);
    for (const t of touched) {
      const n = pairCount.get(t);
      if (n !== undefined && n > 0 && t !== k) heap.push([n, Math.floor(t / 0x200000), t % 0x200000]);
    }
  }
  return new BpeTokenizer(vocab, merges);
}

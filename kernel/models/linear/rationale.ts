// The linear family's rationale model: per mechanism, a binary logistic regression over the TF-IDF of
// each sentence (or clause) of a response, trained on the sentences of level > 0 responses. A sentence
// is a rationale when at least `minShare` of its word tokens are gold rationale tokens; at prediction
// every token of a sentence gets the sentence's probability. EPITOME rationales are mostly whole
// sentences or clauses, and on ~2.4k labelled pairs this sparse model marks them about as well as the
// neural tagger (the ensemble averages the two: ensemble/combine.ts).
import type { LabeledPair, Mechanism } from '../../engine';
import { goldTokenLabels } from '../evaluate';
import { segmentTokens } from '../text/segments';
import { wordTokens, type WordToken } from '../../../dataset/wordTokenizer';
import { fitLogReg, predictProba, type LogRegParams } from './logreg';
import type { TfidfVectorizer } from './tfidf';
import type { Csr } from './sparse';

export type RationaleUnit = 'sentence' | 'clause';

/** A response cut into word tokens (≤ maxLen) and contiguous segments [from, to) of those tokens. */
export interface SegmentedResponse {
  tokens: WordToken[];
  truncated: boolean;
  segments: Array<{ from: number; to: number; text: string }>;
}

export function segmentResponse(text: string, maxLen: number, unit: RationaleUnit): SegmentedResponse {
  const { tokens, truncated } = wordTokens(text, maxLen);
  const ids = segmentTokens(text, tokens)[unit];
  const segments: SegmentedResponse['segments'] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && ids[j] === ids[i]) j++;
    segments.push({ from: i, to: j, text: text.slice(tokens[i].start, tokens[j - 1].end) });
    i = j;
  }
  return { tokens, truncated, segments };
}

export interface RationaleHeadFit {
  head?: LogRegParams; // k = 2; undefined when the training data cannot fit one (see `reason`)
  sentences: number;
  positives: number;
  reason?: string;
}

/** Fit mechanism `m`'s sentence classifier on the level > 0 rows of `pairs` (vectoriser already fitted). */
export function fitRationaleHead(vectorizer: TfidfVectorizer, pairs: readonly LabeledPair[], m: Mechanism, opts: { unit: RationaleUnit; C: number; minShare: number; maxLen: number; maxIter: number; tol: number }): RationaleHeadFit {
  const texts: string[] = [];
  const y: number[] = [];
  for (const p of pairs) {
    const l = p.labels[m];
    if (!l || l.level === 0) continue;
    const seg = segmentResponse(p.responsePost, opts.maxLen, opts.unit);
    const gold = goldTokenLabels(l, seg.tokens.map((t) => [t.start, t.end] as [number, number]));
    for (const s of seg.segments) {
      let on = 0;
      for (let t = s.from; t < s.to; t++) on += gold[t];
      texts.push(s.text);
      y.push(on / (s.to - s.from) >= opts.minShare ? 1 : 0);
    }
  }
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === y.length) {
    return { sentences: y.length, positives, reason: `${m}: ${y.length} sentences of level > 0 responses, ${positives} rationale ones — nothing to learn from` };
  }
  const fit = fitLogReg(vectorizer.transform(texts), Int32Array.from(y), 2, { C: opts.C, classWeight: 'none', maxIter: opts.maxIter, tol: opts.tol });
  return { head: { k: 2, d: fit.d, W: Float64Array.from(new Float32Array(fit.W)), b: Float64Array.from(new Float32Array(fit.b)) }, sentences: y.length, positives };
}

/** TF-IDF rows of every segment of the responses, in order (one transform shared by every mechanism's head). */
export function segmentFeatures(vectorizer: TfidfVectorizer, responses: readonly SegmentedResponse[]): Csr {
  return vectorizer.transform(responses.flatMap((r) => r.segments.map((s) => s.text)));
}

/** P(rationale) of every token of each response (the probability of its segment); `x` = segmentFeatures(…). */
export function rationaleTokenProbs(x: Csr, head: LogRegParams, responses: readonly SegmentedResponse[]): number[][] {
  const p = x.rows ? predictProba(x, head) : new Float64Array(0);
  let k = 0;
  return responses.map((r) => {
    const out = new Array<number>(r.tokens.length).fill(0);
    for (const s of r.segments) {
      const q = p[2 * k++ + 1];
      for (let t = s.from; t < s.to; t++) out[t] = q;
    }
    return out;
  });
}

// Pairs → model inputs: tokenise both sides once (`<s> … </s>`, max_len per side), derive level and
// rationale-token labels, and collate padded EncodedBatches (row-major [B*T] typed arrays).
import { tokenLabels } from '../../../dataset/align';
import type { EncodedBatch } from './biEncoder';
import type { Tokenizer, LabeledPair, Mechanism, Pair } from '../../engine';
import { MECHANISMS } from '../../../dataset/schema';

export interface EncodeOptions {
  /** Tokens per side including `<s>`/`</s>` (the original's max_len, 64). */
  maxLen: number;
  /** Mechanisms whose labels to derive (labelled pairs only). */
  mechanisms?: readonly Mechanism[];
  /**
   * The original process_data's labels: a row without rationale gets EVERY response token (specials
   * included) labelled 1. Default false: such rows get all-zero labels (see epitome-science.md, quirk 1).
   */
  paperFaithful?: boolean;
}

/** One pair, tokenised once, labels aligned to its response tokens. */
export interface EncodedExample {
  index: number;
  spIds: number[];
  rpIds: number[];
  /** Offsets of the response tokens into responsePost ([0,0] for the specials). */
  rpOffsets: Array<[number, number]>;
  rpTruncated: boolean;
  spTruncated: boolean;
  /** Gold level per mechanism; -1 = not labelled for that mechanism. */
  levels: Partial<Record<Mechanism, number>>;
  /** Per response token (same length as rpIds): 1 = rationale. */
  rationale: Partial<Record<Mechanism, number[]>>;
  /** False when the row's rationale is unknown (level > 0 but nothing located): left out of the rationale loss. */
  rationaleKnown: Partial<Record<Mechanism, boolean>>;
}

export interface EncodeStats {
  /** Rationale substrings that could not be located in their response. */
  missedRationales: number;
  /** Rows with level > 0 whose rationale could not be located at all (excluded from the rationale loss). */
  unknownRationaleRows: number;
  truncatedResponses: number;
  truncatedSeekers: number;
}

export function encodePairs(pairs: readonly (Pair | LabeledPair)[], tok: Tokenizer, opts: EncodeOptions): { examples: EncodedExample[]; stats: EncodeStats } {
  const stats: EncodeStats = { missedRationales: 0, unknownRationaleRows: 0, truncatedResponses: 0, truncatedSeekers: 0 };
  const mechanisms = opts.mechanisms ?? [];
  const examples = pairs.map((p, index) => {
    const sp = tok.encode(p.seekerPost, opts.maxLen);
    const rp = tok.encode(p.responsePost, opts.maxLen);
    if (sp.truncated) stats.truncatedSeekers++;
    if (rp.truncated) stats.truncatedResponses++;
    const ex: EncodedExample = {
      index, spIds: sp.ids, rpIds: rp.ids, rpOffsets: rp.offsets, rpTruncated: rp.truncated, spTruncated: sp.truncated,
      levels: {}, rationale: {}, rationaleKnown: {},
    };
    const labels = (p as LabeledPair).labels;
    for (const m of mechanisms) {
      const lab = labels?.[m];
      if (!lab) { // unlabelled for this mechanism: ignored by both losses (level -1, rationale weight 0)
        ex.levels[m] = -1;
        ex.rationale[m] = rp.ids.map(() => 0);
        ex.rationaleKnown[m] = false;
        continue;
      }
      ex.levels[m] = lab.level;
      const { spans, missed } = lab; // located when the pair was read
      stats.missedRationales += missed.length;
      const hasRationale = lab.rationales.some((r) => r.trim() !== '');
      if (!hasRationale && opts.paperFaithful) {
        ex.rationale[m] = rp.ids.map(() => 1);
        ex.rationaleKnown[m] = true;
      } else {
        ex.rationale[m] = tokenLabels(spans, rp.offsets);
        const unknown = lab.level > 0 && spans.length === 0 && !opts.paperFaithful;
        if (unknown) stats.unknownRationaleRows++;
        ex.rationaleKnown[m] = !unknown;
      }
    }
    return ex;
  });
  return { examples, stats };
}

/** Pad a list of examples to `seqLen` (the original always pads to max_len) into one batch. */
export function collate(examples: readonly EncodedExample[], seqLen: number, padId: number, mechanisms: readonly Mechanism[] = []): EncodedBatch {
  const B = examples.length, T = seqLen;
  const idsSP = new Int32Array(B * T).fill(padId), maskSP = new Int32Array(B * T);
  const idsRP = new Int32Array(B * T).fill(padId), maskRP = new Int32Array(B * T);
  const levels: Partial<Record<Mechanism, Int32Array>> = {};
  const rationales: Partial<Record<Mechanism, Int32Array>> = {};
  const rationaleWeights: Partial<Record<Mechanism, Float32Array>> = {};
  for (const m of mechanisms) {
    levels[m] = new Int32Array(B);
    rationales[m] = new Int32Array(B * T);
    rationaleWeights[m] = new Float32Array(B * T);
  }
  examples.forEach((ex, b) => {
    if (ex.spIds.length > T || ex.rpIds.length > T) throw new Error(`example ${ex.index} longer than seqLen ${T}`);
    ex.spIds.forEach((id, t) => { idsSP[b * T + t] = id; maskSP[b * T + t] = 1; });
    ex.rpIds.forEach((id, t) => { idsRP[b * T + t] = id; maskRP[b * T + t] = 1; });
    for (const m of mechanisms) {
      const lvl = ex.levels[m];
      const lab = ex.rationale[m];
      if (lvl === undefined || !lab) throw new Error(`example ${ex.index} has no ${m} labels`);
      levels[m]![b] = lvl;
      const w = ex.rationaleKnown[m] ? 1 : 0;
      lab.forEach((y, t) => { rationales[m]![b * T + t] = y; rationaleWeights[m]![b * T + t] = w; });
    }
  });
  const batch: EncodedBatch = { batch: B, seqLen: T, idsSP, maskSP, idsRP, maskRP };
  if (mechanisms.length > 0) Object.assign(batch, { levels, rationales, rationaleWeights });
  return batch;
}

/** Mechanisms labelled on at least one pair (a joint model trains one head pair per mechanism), in ER, IP, EX order. */
export function mechanismsInData(pairs: readonly LabeledPair[]): Mechanism[] {
  return MECHANISMS.filter((m) => pairs.some((p) => p.labels[m] !== undefined));
}

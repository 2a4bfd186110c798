// The tagger's inference through onnxruntime: the network exported once (onnxExport.ts, in memory) into one
// session; a TaggerBatch's arrays fed in, logits back as plain arrays. Used by predictRaw for a tagger
// loaded from a checkpoint (alone or inside the offline-default ensemble) when onnxruntime-node loads.
import type { TaggerNetwork } from './network';
import type { TaggerBatch } from './vocab';
import { exportTaggerOnnx, taggerInputNames, type TaggerInputName } from './onnxExport';
import { type Feed, type InferenceInfo, OnnxSession, type Mechanism } from '../../engine';

/** Logits of one batch: level per mechanism [B*3]; rationale [B*T*M] (column j = mechanisms[j]). */
export interface TaggerLogits {
  level: Partial<Record<Mechanism, Float32Array>>;
  rationale: Float32Array;
}

const i64 = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));

export class TaggerOnnx {
  private constructor(private readonly net: TaggerNetwork, private readonly session: OnnxSession, private readonly inputs: TaggerInputName[]) {}

  static async create(net: TaggerNetwork, info: Extract<InferenceInfo, { engine: 'onnxruntime' }>): Promise<TaggerOnnx> {
    return new TaggerOnnx(net, await OnnxSession.create(await exportTaggerOnnx(net), info), taggerInputNames(net));
  }

  async forward(b: TaggerBatch): Promise<TaggerLogits> {
    const { B, T, K, U } = b;
    const R = 2 * B;
    const all: Record<TaggerInputName, Feed> = {
      type_word_ids: { type: 'int64', data: i64(b.typeWordIds), dims: [U] },
      type_char_ids: { type: 'int64', data: i64(b.typeCharIds), dims: [U, K] },
      type_char_mask: { type: 'float32', data: b.typeCharMask, dims: [U, K] },
      type_char_count: { type: 'float32', data: b.typeCharCount, dims: [U, 1] },
      tok_type: { type: 'int64', data: i64(b.tokType), dims: [2, R, T] },
      unreverse: { type: 'int64', data: i64(b.unreverse), dims: [R * T] },
      mask: { type: 'float32', data: b.mask, dims: [R, T] },
      clause_avg: { type: 'float32', data: b.clauseAvg, dims: [B, T, T] },
      sentence_avg: { type: 'float32', data: b.sentenceAvg, dims: [B, T, T] },
    };
    const feeds: Record<string, Feed> = {};
    for (const n of this.inputs) feeds[n] = all[n];
    const out = await this.session.run(feeds);
    const level: TaggerLogits['level'] = {};
    for (const m of this.net.shape.mechanisms) level[m] = out[`level_${m}`].data;
    return { level, rationale: out.rationale.data };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

// The bi-encoder's inference through onnxruntime: the network exported once (onnxExport.ts, in memory) into
// one session, batches fed as int64 [B, T], logits back as plain arrays. Used by predict/evaluate for a
// model loaded from a checkpoint when onnxruntime-node loads (kernel/engine/onnx/runtime.ts decides).
import type { EncodedBatch } from './biEncoder';
import type { BiEncoderConfig } from './config';
import { exportBiEncoderOnnx, levelOutput, type OnnxWeightSource, rationaleOutput } from './onnxExport';
import { checkEncoderInputs } from './roberta';
import { type Feed, type InferenceInfo, OnnxSession, type Mechanism } from '../../engine';

/** Logits of one batch per mechanism, row-major: level [B*3], rationale [B*T*2]. */
export interface BatchLogits {
  level: Partial<Record<Mechanism, Float32Array>>;
  rationale: Partial<Record<Mechanism, Float32Array>>;
}

function int64(a: Int32Array): BigInt64Array {
  const out = new BigInt64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = BigInt(a[i]);
  return out;
}

export class BiEncoderOnnx {
  private constructor(private readonly cfg: BiEncoderConfig, private readonly session: OnnxSession) {}

  /**
   * Export `net` (its current weights) and open a session on it. `external` (default: by the model's size,
   * onnxExport.ts) keeps the weights out of the model bytes; when their temporary file cannot be written
   * (disk full, …) the model is exported again with the weights inline.
   */
  static async create(net: OnnxWeightSource, info: Extract<InferenceInfo, { engine: 'onnxruntime' }>, opts: { external?: boolean } = {}): Promise<BiEncoderOnnx> {
    const model = await exportBiEncoderOnnx(net, opts);
    try {
      return new BiEncoderOnnx(net.cfg, await OnnxSession.create(model, info));
    } catch (e) {
      if (model instanceof Uint8Array || !/could not write the model for onnxruntime/.test((e as Error).message)) throw e;
      return new BiEncoderOnnx(net.cfg, await OnnxSession.create(await exportBiEncoderOnnx(net, { external: false }), info));
    }
  }

  get info(): Extract<InferenceInfo, { engine: 'onnxruntime' }> {
    return this.session.info;
  }

  /** Whether onnxruntime holds the weights in its memory or maps them from the exported weights file. */
  get weights(): 'inline' | 'mapped' {
    return this.session.weights;
  }

  /** The eval forward of one batch (the same checks as the tfjs forward first). */
  async forward(b: EncodedBatch): Promise<BatchLogits> {
    const { batch: B, seqLen: T } = b;
    const enc = this.cfg.encoder;
    checkEncoderInputs(enc, b.idsSP, b.maskSP, B, T);
    checkEncoderInputs(enc, b.idsRP, b.maskRP, B, T);
    const dims = [B, T];
    const feeds: Record<string, Feed> = {
      ids_SP: { type: 'int64', data: int64(b.idsSP), dims },
      mask_SP: { type: 'int64', data: int64(b.maskSP), dims },
      ids_RP: { type: 'int64', data: int64(b.idsRP), dims },
      mask_RP: { type: 'int64', data: int64(b.maskRP), dims },
    };
    const out = await this.session.run(feeds);
    const r: BatchLogits = { level: {}, rationale: {} };
    for (const m of this.cfg.mechanisms) {
      r.level[m] = out[levelOutput(m)].data; // [B*3]
      r.rationale[m] = out[rationaleOutput(m)].data; // [B*T*2]
    }
    return r;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

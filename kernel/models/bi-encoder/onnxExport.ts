// The bi-encoder's eval forward (biEncoder.ts forward with training off) as an ONNX graph: both RoBERTa
// encoders, the 1-head seeker→responder cross-attention and every mechanism's level and rationale heads,
// op for op as the tfjs code: RoBERTa position ids, (1-mask)·-10000 bias, LayerNorm eps, exact-erf GELU.
// Inputs ids_SP/mask_SP/ids_RP/mask_RP int64 [B, T] (B, T dynamic); outputs level_<M> [B, 3] and
// rationale_<M> [B, T, 2] logits per mechanism. Dropout is absent (eval). The graph is plain ai.onnx
// opset 17; with `fusedAttention` each self-attention is onnxruntime's com.microsoft Attention kernel
// instead (one QKV GEMM, the same (1-mask)·-10000 bias through its mask_filter_value).
import type { BiEncoder } from './biEncoder';
import type { EncoderConfig } from './config';
import { DataType } from '../../engine/onnx/proto';
import { float, int, ints, MS_DOMAIN, OnnxGraph } from '../../engine/onnx/graph';
import type { Mechanism } from '../../engine/types';

/** Graph input and output names. */
export const ONNX_INPUTS = ['ids_SP', 'mask_SP', 'ids_RP', 'mask_RP'] as const;
export const levelOutput = (m: Mechanism) => `level_${m}`;
export const rationaleOutput = (m: Mechanism) => `rationale_${m}`;

export interface OnnxExportOptions {
  /**
   * Self-attention as onnxruntime's contrib Attention op (onnxruntime only). Default false: at the small
   * preset (B32 T64, 1 thread) it measured no faster than the plain graph, whose MatMuls ORT already fuses.
   */
  fusedAttention?: boolean;
}

/** Weights read from the model by original name (plain arrays with their shapes). */
type Weights = Map<string, { data: Float32Array; shape: number[] }>;

async function readWeights(net: BiEncoder): Promise<Weights> {
  const w: Weights = new Map();
  for (const [k, v] of net.params) w.set(k, { data: (await v.data()) as Float32Array, shape: [...v.shape] });
  return w;
}

/** PyTorch's Linear weight [out, in] transposed to [in, out], the MatMul layout. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c];
  return t;
}

class Exporter {
  constructor(readonly g: OnnxGraph, readonly w: Weights, readonly fused: boolean) {}

  private get(name: string) {
    const e = this.w.get(name);
    if (!e) throw new Error(`ONNX export: missing parameter ${name}`);
    return e;
  }

  /** An initializer holding parameter `name` as stored. */
  param(name: string): string {
    const e = this.get(name);
    return this.g.floats(name, e.data, e.shape);
  }

  /** nn.Linear on the last axis: x [..., in] @ Wᵀ [in, out] + b -> [..., out]. */
  dense(x: string, base: string): string {
    const e = this.get(`${base}.weight`);
    const [out, inn] = e.shape;
    const wt = this.g.floats(`${base}.weight_T`, transposed(e.data, out, inn), [inn, out]);
    return this.g.op('Add', [this.g.op('MatMul', [x, wt]), this.param(`${base}.bias`)]);
  }

  layerNorm(x: string, base: string, eps: number): string {
    return this.g.op('LayerNormalization', [x, this.param(`${base}.weight`), this.param(`${base}.bias`)], { axis: int(-1), epsilon: float(eps) });
  }

  /**
   * Exact GELU 0.5·x·(1 + erf(x/√2)) (ops.ts geluErf), in the Div → Erf → Add → Mul → Mul order onnxruntime
   * fuses into one Gelu (BiasGelu with the dense's bias) kernel.
   */
  gelu(x: string, c: Consts): string {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Div', [x, c.sqrt2])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, c.one])]), c.half]);
  }

  /** Query, key and value weights side by side, [H, 3H] (transposed, q|k|v columns), and biases [3H]. */
  qkv(base: string, H: number): [string, string] {
    const w = new Float32Array(H * 3 * H), b = new Float32Array(3 * H);
    ['query', 'key', 'value'].forEach((n, j) => {
      const e = this.get(`${base}${n}.weight`).data; // [out H, in H]
      for (let o = 0; o < H; o++) for (let i = 0; i < H; i++) w[i * 3 * H + j * H + o] = e[o * H + i];
      b.set(this.get(`${base}${n}.bias`).data, j * H);
    });
    return [this.g.floats(`${base}qkv.weight_T`, w, [H, 3 * H]), this.g.floats(`${base}qkv.bias`, b, [3 * H])];
  }

  /** After the attention context [B, T, H]: output dense + residual + LayerNorm, then the GELU FFN block. */
  ffn(p: string, ctx: string, h: string, cfg: EncoderConfig, c: Consts): string {
    const g = this.g;
    const a = this.layerNorm(g.op('Add', [this.dense(ctx, `${p}attention.output.dense`), h]), `${p}attention.output.LayerNorm`, cfg.layerNormEps); // [B, T, H]
    const inter = this.gelu(this.dense(a, `${p}intermediate.dense`), c); // [B, T, I]
    return this.layerNorm(g.op('Add', [this.dense(inter, `${p}output.dense`), a]), `${p}output.LayerNorm`, cfg.layerNormEps); // [B, T, H]
  }

  /** One RoBERTa encoder (prefix `…roberta.`): ids/mask int64 [B, T] -> last hidden state [B, T, H]. */
  encoder(prefix: string, ids: string, mask: string, cfg: EncoderConfig, c: Consts): string {
    const g = this.g;
    const H = cfg.hidden, nh = cfg.heads, dh = H / nh;
    // Position ids: cumsum(id != pad)·(id != pad) + pad (roberta.ts robertaPositionIds).
    const notPad = g.op('Cast', [g.op('Not', [g.op('Equal', [ids, c.padI64])])], { to: int(DataType.INT64) }); // [B, T]
    const pos = g.op('Add', [g.op('Mul', [g.op('CumSum', [notPad, c.axis1]), notPad]), c.padI64]); // [B, T]
    const word = g.op('Gather', [this.param(`${prefix}embeddings.word_embeddings.weight`), ids], { axis: int(0) }); // [B, T, H]
    const posE = g.op('Gather', [this.param(`${prefix}embeddings.position_embeddings.weight`), pos], { axis: int(0) }); // [B, T, H]
    const tt = this.get(`${prefix}embeddings.token_type_embeddings.weight`);
    const type0 = g.floats(`${prefix}embeddings.token_type_row0`, tt.data.slice(0, H), [H]); // [H]
    let h = this.layerNorm(g.op('Add', [g.op('Add', [word, posE]), type0]), `${prefix}embeddings.LayerNorm`, cfg.layerNormEps); // [B, T, H]

    if (this.fused) {
      // com.microsoft Attention: softmax(q·kᵀ/√dh + (mask ? 0 : -10000))·v over nh heads, q/k/v from one GEMM.
      const mask32 = g.op('Cast', [mask], { to: int(DataType.INT32) }); // [B, T]
      for (let l = 0; l < cfg.layers; l++) {
        const p = `${prefix}encoder.layer.${l}.`;
        const [wqkv, bqkv] = this.qkv(`${p}attention.self.`, H);
        const ctx = g.opIn(MS_DOMAIN, 'Attention', [h, wqkv, bqkv, mask32], { num_heads: int(nh), mask_filter_value: float(-10000) }); // [B, T, H]
        h = this.ffn(p, ctx, h, cfg, c);
      }
      return h;
    }
    // Attention bias (1 - mask)·-10000 as [B, 1, 1, T].
    const maskF = g.op('Cast', [mask], { to: int(DataType.FLOAT) }); // [B, T]
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [c.one, maskF]), c.negBig]), c.axes12]); // [B, 1, 1, T]
    const headsShape = g.int64s(g.fresh(`${prefix}heads_shape`), [0, 0, nh, dh]);
    const mergedShape = g.int64s(g.fresh(`${prefix}merged_shape`), [0, 0, H]);
    const scale = g.scalar(g.fresh(`${prefix}scale`), 1 / Math.sqrt(dh));
    for (let l = 0; l < cfg.layers; l++) {
      const p = `${prefix}encoder.layer.${l}.`;
      const split = (x: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [x, headsShape])], { perm: ints(perm) });
      const q = split(this.dense(h, `${p}attention.self.query`), [0, 2, 1, 3]); // [B, nh, T, dh]
      const kT = split(this.dense(h, `${p}attention.self.key`), [0, 2, 3, 1]); // [B, nh, dh, T]
      const v = split(this.dense(h, `${p}attention.self.value`), [0, 2, 1, 3]); // [B, nh, T, dh]
      const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), bias]); // [B, nh, T, T]
      const probs = g.op('Softmax', [scores], { axis: int(-1) }); // [B, nh, T, T]
      const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: ints([0, 2, 1, 3]) }), mergedShape]); // [B, T, H]
      h = this.ffn(p, ctx, h, cfg, c);
    }
    return h;
  }
}

interface Consts { one: string; half: string; sqrt2: string; negBig: string; padI64: string; axis1: string; axes12: string }

/**
 * The network's eval forward as ONNX ModelProto bytes (weights as initializers, read asynchronously so
 * every backend works). The graph is self-contained: nothing is written to disk.
 */
export async function exportBiEncoderOnnx(net: BiEncoder, opts: OnnxExportOptions = {}): Promise<Uint8Array> {
  const cfg = net.cfg;
  const H = cfg.encoder.hidden;
  const g = new OnnxGraph('bi_encoder');
  const ex = new Exporter(g, await readWeights(net), opts.fusedAttention ?? false);
  const [idsSP, maskSP, idsRP, maskRP] = ONNX_INPUTS.map((n) => g.input(n, DataType.INT64, ['B', 'T']));
  const c: Consts = {
    one: g.scalar('one', 1),
    half: g.scalar('half', 0.5),
    sqrt2: g.scalar('sqrt2', Math.SQRT2),
    negBig: g.scalar('mask_bias', -10000),
    padI64: g.int64s('pad_id', [cfg.encoder.padId], []),
    axis1: g.int64s('axis_1', [1], []),
    axes12: g.int64s('axes_1_2', [1, 2]),
  };
  const hSP = ex.encoder('seeker_encoder.roberta.', idsSP, maskSP, cfg.encoder, c); // [B, T, H]
  const hRP = ex.encoder('responder_encoder.roberta.', idsRP, maskRP, cfg.encoder, c); // [B, T, H]

  // Cross-attention, 1 head, d_k = H: q from the responder, k/v from the seeker.
  const q = ex.dense(hRP, 'attn.q_linear'); // [B, T, H]
  const kT = g.op('Transpose', [ex.dense(hSP, 'attn.k_linear')], { perm: ints([0, 2, 1]) }); // [B, H, T]
  const v = ex.dense(hSP, 'attn.v_linear'); // [B, T, H]
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.scalar('cross_scale', 1 / Math.sqrt(H))]); // [B, T_RP, T_SP]
  if (cfg.seekerMask) {
    const maskF = g.op('Cast', [maskSP], { to: int(DataType.FLOAT) }); // [B, T]
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [c.one, maskF]), c.negBig]), c.axis1]); // [B, 1, T]
    scores = g.op('Add', [scores, bias]);
  }
  const probs = g.op('Softmax', [scores], { axis: int(-1) }); // [B, T_RP, T_SP]
  const attnOut = ex.dense(g.op('MatMul', [probs, v]), 'attn.out'); // [B, T, H]
  const h = g.op('Add', [hRP, attnOut]); // [B, T, H]
  const first = g.op('Gather', [h, g.int64s('index_0', [0], [])], { axis: int(1) }); // [B, H]

  const joint = cfg.mechanisms.length > 1;
  for (const m of cfg.mechanisms) {
    const e = joint ? `empathy_classifier.${m}` : 'empathy_classifier';
    const level = ex.dense(g.op('Relu', [ex.dense(first, `${e}.dense`)]), `${e}.out_proj`); // [B, 3]
    g.output(level, levelOutput(m), DataType.FLOAT, ['B', 3]);
    const rationale = ex.dense(h, joint ? `rationale_classifier.${m}` : 'rationale_classifier'); // [B, T, 2]
    g.output(rationale, rationaleOutput(m), DataType.FLOAT, ['B', 'T', 2]);
  }
  return g.toBytes({
    producer: 'empathy-workbench',
    version: '1',
    doc: 'EPITOME bi-encoder (Sharma et al., EMNLP 2020) eval forward, exported from the tfjs weights',
    props: { mechanisms: cfg.mechanisms.join(',') },
  });
}

// The bi-encoder's eval forward (biEncoder.ts forward with training off) as an ONNX graph (opset 17): both
// RoBERTa encoders, the 1-head seeker→responder cross-attention and every mechanism's level and rationale
// heads, op for op as the tfjs code: RoBERTa position ids, (1-mask)·-10000 bias, LayerNorm eps, exact-erf
// GELU. Like the tfjs code, hidden states are 2-D [B·T, H], so every nn.Linear is one Gemm with its bias
// (PyTorch's [out, in] weight as stored, transB): measured interleaved at the small preset, 1 thread, 1.02–1.35×
// the 3-D MatMul + Add form; residual + LayerNorm on 3-D views (which onnxruntime fuses into SkipLayerNorm)
// measured ~0.85× this. Inputs ids_SP/mask_SP/ids_RP/mask_RP int64 [B, T]
// (B, T dynamic); outputs level_<M> [B, 3] and rationale_<M> [B, T, 2] logits per mechanism. The response
// encoder computes its real tokens only (RealRows: the padding is 0 in the rationale logits, never read).
import { BiEncoder } from './biEncoder';
import type { BiEncoderConfig } from './config';
import type { EncoderConfig } from './config';
import { DataType, type ExternalModel, float, int, ints, OnnxGraph, type WeightRead, type Mechanism } from '../../engine';

/** Graph input and output names. */
export const ONNX_INPUTS = ['ids_SP', 'mask_SP', 'ids_RP', 'mask_RP'] as const;
export const levelOutput = (m: Mechanism) => `level_${m}`;
export const rationaleOutput = (m: Mechanism) => `rationale_${m}`;

/**
 * Models with at least this many bytes of weights keep them out of the model bytes (ONNX external data,
 * mapped by onnxruntime from a file: ../../engine/onnx/modelFiles.ts): roberta-base's 1 GB is then held once,
 * not three times (tfjs, model bytes, onnxruntime's initializers). Smaller models stay one in-memory blob.
 */
export const EXTERNAL_WEIGHTS_FROM_BYTES = 64 * 2 ** 20;

/** What the export reads: the config, and each weight by original name with a reader (a BiEncoder, or a checkpoint file). */
export interface OnnxWeightSource {
  readonly cfg: BiEncoderConfig;
  weightReaders(): Map<string, { shape: number[]; read: WeightRead }>;
}

/** A weight by original name: its shape, and its values (copied now) or how to read them later (external). */
type Weights = Map<string, { shape: number[]; data?: Float32Array; read: WeightRead }>;

/**
 * The model's weights (the host-kept seeker too). External ones are only read when their file is written;
 * the token-type table stays inline (the graph keeps its first row only).
 */
async function readWeights(src: OnnxWeightSource, external: boolean): Promise<Weights> {
  const w: Weights = new Map();
  for (const [k, { shape, read }] of src.weightReaders()) {
    const inline = !external || k.endsWith('.token_type_embeddings.weight');
    w.set(k, { shape, read, data: inline ? (await read()).slice() : undefined }); // a copy: a view may not outlive the next await
  }
  return w;
}

/** Shared constants and the dynamic shapes every encoder reshapes with. */
interface Consts {
  one: string; half: string; sqrt2: string; negBig: string; padI64: string; axis1: string; axes12: string;
  /** [-1] and [-1, H]: flatten ids to [B·T], states to [B·T, H]. */
  flat: string; rowsH: string;
  /** Concat(shape(ids) = [B, T], …): [B, T, nh, dh], [B, T, H], [B, T, 2]. */
  btHeads: string; btH: string; bt2: string;
}

/**
 * The response's real tokens as rows of [B·T]: per-token layers (every nn.Linear, LayerNorm, GELU: nearly all
 * of the work) run on the Nr real rows only, and attention scatters them back to [B·T, ·] with zeros at the
 * padding. Padded keys are masked to −10000 (their softmax weight is exactly 0 in float32), so the real
 * tokens' values are those of the padded computation; only the rationale logits AT padding differ (0 here,
 * never read: predictions and the loss take the real tokens only). The seeker keeps its padding: without a
 * seeker mask (the paper's model) the cross-attention attends to its padded positions too.
 */
class RealRows {
  /** [Nr] int64: the flat indexes of mask == 1. */
  private readonly keep: string;
  /** [Nr, 1] int64: the same, as ScatterND indices. */
  private readonly at: string;
  /** [1] int64: B·T. */
  private readonly count: string;
  private readonly zeros = new Map<number, string>();

  constructor(private readonly g: OnnxGraph, ids: string, mask: string, c: Consts) {
    this.keep = g.op('Reshape', [g.op('NonZero', [g.op('Reshape', [mask, c.flat])]), c.flat]); // [Nr]
    this.at = g.op('Unsqueeze', [this.keep, g.int64s('real_rows_axis', [1])]); // [Nr, 1]
    this.count = g.op('Shape', [g.op('Reshape', [ids, c.flat])]); // [1]
  }

  /** x [B·T, W] -> its real rows [Nr, W]. */
  gather(x: string): string {
    return this.g.op('Gather', [x, this.keep], { axis: int(0) });
  }

  /** x [Nr, W] -> [B·T, W], zeros at the padding. */
  scatter(x: string, width: number): string {
    let z = this.zeros.get(width);
    if (!z) {
      const shape = this.g.op('Concat', [this.count, this.g.int64s(`real_rows_width_${width}`, [width])], { axis: int(0) }); // [2]
      z = this.g.op('ConstantOfShape', [shape]); // [B·T, W] float32 zeros
      this.zeros.set(width, z);
    }
    return this.g.op('ScatterND', [z, this.at, x]);
  }
}

class Exporter {
  constructor(readonly g: OnnxGraph, readonly w: Weights) {}

  private get(name: string) {
    const e = this.w.get(name);
    if (!e) throw new Error(`ONNX export: missing parameter ${name}`);
    return e;
  }

  /** An initializer holding parameter `name` as stored (inline, or in the weights file). */
  param(name: string): string {
    const e = this.get(name);
    return e.data ? this.g.floats(name, e.data, e.shape) : this.g.external(name, e.shape, e.read);
  }

  /** nn.Linear on [N, in]: Gemm(x, W [out, in], b, transB) -> [N, out]. */
  dense(x: string, base: string): string {
    return this.g.op('Gemm', [x, this.param(`${base}.weight`), this.param(`${base}.bias`)], { transB: int(1) });
  }

  layerNorm(x: string, base: string, eps: number): string {
    return this.g.op('LayerNormalization', [x, this.param(`${base}.weight`), this.param(`${base}.bias`)], { axis: int(-1), epsilon: float(eps) });
  }

  /**
   * Exact GELU 0.5·x·(1 + erf(x/√2)) (ops.ts geluErf), in the Div → Erf → Add → Mul → Mul order onnxruntime
   * fuses into one Gelu kernel.
   */
  gelu(x: string, c: Consts): string {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Div', [x, c.sqrt2])]);
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [erf, c.one])]), c.half]);
  }

  /**
   * One RoBERTa encoder (prefix `…roberta.`): ids/mask int64 [B, T] -> last hidden state [B·T, H], or with
   * `rows` [Nr, H]: only the real tokens' rows (padding is never computed, only attended over as zeros).
   */
  encoder(prefix: string, ids: string, mask: string, cfg: EncoderConfig, c: Consts, rows?: RealRows): string {
    const g = this.g;
    const H = cfg.hidden, dh = H / cfg.heads;
    // Position ids: cumsum(id != pad)·(id != pad) + pad (roberta.ts robertaPositionIds).
    const notPad = g.op('Cast', [g.op('Not', [g.op('Equal', [ids, c.padI64])])], { to: int(DataType.INT64) }); // [B, T]
    const pos = g.op('Add', [g.op('Mul', [g.op('CumSum', [notPad, c.axis1]), notPad]), c.padI64]); // [B, T]
    const tokens = (x: string) => (rows ? rows.gather(g.op('Reshape', [x, c.flat])) : g.op('Reshape', [x, c.flat])); // [N] or [Nr]
    const word = g.op('Gather', [this.param(`${prefix}embeddings.word_embeddings.weight`), tokens(ids)], { axis: int(0) }); // [N, H]
    const posE = g.op('Gather', [this.param(`${prefix}embeddings.position_embeddings.weight`), tokens(pos)], { axis: int(0) }); // [N, H]
    const tt = this.get(`${prefix}embeddings.token_type_embeddings.weight`).data!; // [types, H], read inline
    const type0 = g.floats(`${prefix}embeddings.token_type_row0`, tt.slice(0, H), [H]); // [H]
    let h = this.layerNorm(g.op('Add', [g.op('Add', [word, posE]), type0]), `${prefix}embeddings.LayerNorm`, cfg.layerNormEps); // [N, H]

    // Attention bias (1 - mask)·-10000 as [B, 1, 1, T].
    const maskF = g.op('Cast', [mask], { to: int(DataType.FLOAT) }); // [B, T]
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [c.one, maskF]), c.negBig]), c.axes12]); // [B, 1, 1, T]
    const scale = g.scalar(g.fresh(`${prefix}scale`), 1 / Math.sqrt(dh));
    for (let l = 0; l < cfg.layers; l++) {
      const p = `${prefix}encoder.layer.${l}.`;
      // Heads: [N, H] (real rows scattered back to [B·T, H]) -> [B, T, nh, dh] -> [B, nh, T, dh]; keys straight to [B, nh, dh, T].
      const split = (x: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [rows ? rows.scatter(x, H) : x, c.btHeads])], { perm: ints(perm) });
      const q = split(this.dense(h, `${p}attention.self.query`), [0, 2, 1, 3]); // [B, nh, T, dh]
      const kT = split(this.dense(h, `${p}attention.self.key`), [0, 2, 3, 1]); // [B, nh, dh, T]
      const v = split(this.dense(h, `${p}attention.self.value`), [0, 2, 1, 3]); // [B, nh, T, dh]
      const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), bias]); // [B, nh, T, T]
      const probs = g.op('Softmax', [scores], { axis: int(-1) }); // [B, nh, T, T]
      const all = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: ints([0, 2, 1, 3]) }), c.rowsH]); // [B·T, H]
      const ctx = rows ? rows.gather(all) : all; // [N, H]
      const a = this.layerNorm(g.op('Add', [this.dense(ctx, `${p}attention.output.dense`), h]), `${p}attention.output.LayerNorm`, cfg.layerNormEps); // [N, H]
      const inter = this.gelu(this.dense(a, `${p}intermediate.dense`), c); // [N, I]
      h = this.layerNorm(g.op('Add', [this.dense(inter, `${p}output.dense`), a]), `${p}output.LayerNorm`, cfg.layerNormEps); // [N, H]
    }
    return h;
  }
}

/**
 * The network's eval forward as ONNX: ModelProto bytes with every weight inline, or (`external`, by default
 * for models of EXTERNAL_WEIGHTS_FROM_BYTES or more) the graph with its large weights read from the model
 * only when OnnxSession writes them to its weights file. Weights are read asynchronously (every backend).
 */
export async function exportBiEncoderOnnx(src: OnnxWeightSource, opts: { external?: boolean } = {}): Promise<Uint8Array | ExternalModel> {
  const cfg = src.cfg;
  const H = cfg.encoder.hidden;
  const g = new OnnxGraph('bi_encoder');
  const external = opts.external ?? BiEncoder.countParameters(cfg).parameters * 4 >= EXTERNAL_WEIGHTS_FROM_BYTES;
  const ex = new Exporter(g, await readWeights(src, external));
  const [idsSP, maskSP, idsRP, maskRP] = ONNX_INPUTS.map((n) => g.input(n, DataType.INT64, ['B', 'T']));
  const bt = g.op('Shape', [idsRP]); // [B, T] (both sides share it)
  const withBT = (name: string, tail: number[]) => g.op('Concat', [bt, g.int64s(`${name}_tail`, tail)], { axis: int(0) }, name);
  const c: Consts = {
    one: g.scalar('one', 1),
    half: g.scalar('half', 0.5),
    sqrt2: g.scalar('sqrt2', Math.SQRT2),
    negBig: g.scalar('mask_bias', -10000),
    padI64: g.int64s('pad_id', [cfg.encoder.padId], []),
    axis1: g.int64s('axis_1', [1], []),
    axes12: g.int64s('axes_1_2', [1, 2]),
    flat: g.int64s('flat', [-1]),
    rowsH: g.int64s('rows_H', [-1, H]),
    btHeads: withBT('shape_heads', [cfg.encoder.heads, H / cfg.encoder.heads]),
    btH: withBT('shape_BTH', [H]),
    bt2: withBT('shape_BT2', [2]),
  };
  const hSP = ex.encoder('seeker_encoder.roberta.', idsSP, maskSP, cfg.encoder, c); // [N, H]
  const rows = new RealRows(g, idsRP, maskRP, c);
  const hRP = ex.encoder('responder_encoder.roberta.', idsRP, maskRP, cfg.encoder, c, rows); // [Nr, H]

  // Cross-attention, 1 head, d_k = H: q from the responder, k/v from the seeker.
  const q = g.op('Reshape', [rows.scatter(ex.dense(hRP, 'attn.q_linear'), H), c.btH]); // [B, T, H]
  const kT = g.op('Transpose', [g.op('Reshape', [ex.dense(hSP, 'attn.k_linear'), c.btH])], { perm: ints([0, 2, 1]) }); // [B, H, T]
  const v = g.op('Reshape', [ex.dense(hSP, 'attn.v_linear'), c.btH]); // [B, T, H]
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.scalar('cross_scale', 1 / Math.sqrt(H))]); // [B, T_RP, T_SP]
  if (cfg.seekerMask) {
    const maskF = g.op('Cast', [maskSP], { to: int(DataType.FLOAT) }); // [B, T]
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [c.one, maskF]), c.negBig]), c.axis1]); // [B, 1, T]
    scores = g.op('Add', [scores, bias]);
  }
  const probs = g.op('Softmax', [scores], { axis: int(-1) }); // [B, T_RP, T_SP]
  const ctx = rows.gather(g.op('Reshape', [g.op('MatMul', [probs, v]), c.rowsH])); // [Nr, H]
  const h = g.op('Add', [hRP, ex.dense(ctx, 'attn.out')]); // [Nr, H]
  const first = g.op('Gather', [g.op('Reshape', [rows.scatter(h, H), c.btH]), g.int64s('index_0', [0], [])], { axis: int(1) }); // [B, H] (<s> is always real)

  const joint = cfg.mechanisms.length > 1;
  for (const m of cfg.mechanisms) {
    const e = joint ? `empathy_classifier.${m}` : 'empathy_classifier';
    const level = ex.dense(g.op('Relu', [ex.dense(first, `${e}.dense`)]), `${e}.out_proj`); // [B, 3]
    g.output(level, levelOutput(m), DataType.FLOAT, ['B', 3]);
    const real = ex.dense(h, joint ? `rationale_classifier.${m}` : 'rationale_classifier'); // [Nr, 2]
    const rationale = g.op('Reshape', [rows.scatter(real, 2), c.bt2]); // [B, T, 2], 0 at padding
    g.output(rationale, rationaleOutput(m), DataType.FLOAT, ['B', 'T', 2]);
  }
  const meta = {
    producer: 'empathy-workbench',
    version: '1',
    doc: 'EPITOME bi-encoder (Sharma et al., EMNLP 2020) eval forward, exported from the tfjs weights',
    props: { mechanisms: cfg.mechanisms.join(',') },
  };
  return external ? g.toExternal(meta) : g.toBytes(meta);
}

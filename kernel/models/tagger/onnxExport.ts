// The tagger network's eval forward (network.ts forward without dropout) as an ONNX graph (opset 17):
// type vectors (word + mean char 3-gram embeddings), the two GRU directions as ONNX GRU ops
// (linear_before_reset = PyTorch's form, gates reordered r|z|n → z|r|h), the response→seeker
// cross-attention, masked mean+max pooled level heads and the (segment-pooled) rationale head.
// Inputs are a TaggerBatch's arrays (names in TAGGER_INPUTS); outputs level_<M> [B, 3] and
// rationale [B, T, M] logits.
import type { TaggerNetwork } from './network';
import { DataType, int, ints, OnnxGraph } from '../../engine';

/** Graph inputs with their element types and (symbolic) dims; R = 2B rows (seekers, then responses). */
export const TAGGER_INPUTS = {
  type_word_ids: { type: 'int64', dims: ['U'] },
  type_char_ids: { type: 'int64', dims: ['U', 'K'] },
  type_char_mask: { type: 'float32', dims: ['U', 'K'] },
  type_char_count: { type: 'float32', dims: ['U', 1] },
  tok_type: { type: 'int64', dims: [2, 'R', 'T'] },
  unreverse: { type: 'int64', dims: ['RT'] },
  mask: { type: 'float32', dims: ['R', 'T'] },
  clause_avg: { type: 'float32', dims: ['B', 'T', 'T'] },
  sentence_avg: { type: 'float32', dims: ['B', 'T', 'T'] },
} as const;
export type TaggerInputName = keyof typeof TAGGER_INPUTS;

async function read(net: TaggerNetwork, name: string): Promise<{ data: Float32Array; shape: number[] }> {
  const v = net.params.get(name);
  if (!v) throw new Error(`tagger ONNX export: no parameter ${name}`);
  return { data: (await v.data()) as Float32Array, shape: [...v.shape] };
}

/** The inputs the graph reads (the segment averages only with segmentPooling). */
export function taggerInputNames(net: TaggerNetwork): TaggerInputName[] {
  return (Object.keys(TAGGER_INPUTS) as TaggerInputName[]).filter((n) => net.cfg.segmentPooling || (n !== 'clause_avg' && n !== 'sentence_avg'));
}

/** ONNX GRU weights of direction d from ours: W [1, 3H, in] (z|r|h rows) from Wx [2, in, 3H] (r|z|n columns). */
function gruWeight(src: Float32Array, d: number, inn: number, H: number): Float32Array {
  const out = new Float32Array(3 * H * inn);
  const ourBlock = [1, 0, 2]; // ONNX gate g (z, r, h) is our column block 1 (z), 0 (r), 2 (n)
  for (let g = 0; g < 3; g++) {
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < inn; i++) out[(g * H + j) * inn + i] = src[d * inn * 3 * H + i * 3 * H + ourBlock[g] * H + j];
    }
  }
  return out;
}

function gruBias(bx: Float32Array, bh: Float32Array, d: number, H: number): Float32Array {
  const out = new Float32Array(6 * H);
  const ourBlock = [1, 0, 2];
  for (let g = 0; g < 3; g++) {
    out.set(bx.subarray(d * 3 * H + ourBlock[g] * H, d * 3 * H + ourBlock[g] * H + H), g * H); // Wb
    out.set(bh.subarray(d * 3 * H + ourBlock[g] * H, d * 3 * H + ourBlock[g] * H + H), 3 * H + g * H); // Rb
  }
  return out;
}

/** The network's eval forward as ONNX ModelProto bytes (weights read asynchronously; nothing on disk). */
export async function exportTaggerOnnx(net: TaggerNetwork): Promise<Uint8Array> {
  const { embedDim: E, hidden: H } = net.cfg;
  const D = 2 * H;
  const mechs = net.shape.mechanisms;
  const g = new OnnxGraph('tagger');
  const w = async (name: string) => {
    const e = await read(net, name);
    return g.floats(name, e.data, e.shape);
  };
  const ins: Partial<Record<TaggerInputName, string>> = {};
  for (const n of taggerInputNames(net)) {
    const spec = TAGGER_INPUTS[n];
    ins[n] = g.input(n, spec.type === 'int64' ? DataType.INT64 : DataType.FLOAT, spec.dims);
  }
  const axes = (name: string, v: number[]) => g.int64s(name, v);
  const one = g.scalar('one', 1);

  // Type vectors: word embedding + mean of the type's char 3-gram embeddings. [U, E]
  const wordE = g.op('Gather', [await w('embed.word'), ins.type_word_ids!], { axis: int(0) }); // [U, E]
  const charE = g.op('Gather', [await w('embed.char'), ins.type_char_ids!], { axis: int(0) }); // [U, K, E]
  const charSum = g.op('ReduceSum', [g.op('Mul', [charE, g.op('Unsqueeze', [ins.type_char_mask!, axes('axis_last', [2])])]), axes('axis_1', [1])], { keepdims: int(0) }); // [U, E]
  const typeVec = g.op('Add', [wordE, g.op('Div', [charSum, ins.type_char_count!])]); // [U, E]
  const x = g.op('Gather', [typeVec, ins.tok_type!], { axis: int(0) }); // [2, R, T, E]
  const xT = g.op('Transpose', [x], { perm: ints([0, 2, 1, 3]) }); // [2, T, R, E]

  // The two directions: separate forward GRUs over their own inputs (the backward one reads each row's
  // real tokens reversed), h0 = 0, PyTorch's n = tanh(x_n + r ⊙ (h·W_hn + b_hn)) (linear_before_reset).
  const [x0, x1] = g.opN('Split', [xT], { axis: int(0) }, 2).map((t) => g.op('Squeeze', [t, axes(g.fresh('axis0'), [0])])); // [T, R, E] each
  const wx = await read(net, 'gru.Wx'), wh = await read(net, 'gru.Wh'), bx = await read(net, 'gru.bx'), bh = await read(net, 'gru.bh');
  const dirOut = [x0, x1].map((xd, d) => {
    const W = g.floats(`gru.W.${d}`, gruWeight(wx.data, d, E, H), [1, 3 * H, E]);
    const Rw = g.floats(`gru.R.${d}`, gruWeight(wh.data, d, H, H), [1, 3 * H, H]);
    const Bb = g.floats(`gru.B.${d}`, gruBias(bx.data, bh.data, d, H), [1, 6 * H]);
    const [Y] = g.opN('GRU', [xd, W, Rw, Bb], { hidden_size: int(H), linear_before_reset: int(1) }, 1); // [T, 1, R, H]
    return g.op('Transpose', [g.op('Squeeze', [Y, axes(g.fresh('axis1'), [1])])], { perm: ints([1, 0, 2]) }); // [R, T, H]
  });
  const fw = dirOut[0];
  const fwShape = g.op('Shape', [fw]); // [R, T, H]
  const bwFlat = g.op('Reshape', [dirOut[1], g.int64s('rows_H', [-1, H])]); // [R·T, H] (reversed order)
  const bw = g.op('Reshape', [g.op('Gather', [bwFlat, ins.unreverse!], { axis: int(0) }), fwShape]); // [R, T, H] forward order
  const enc = g.op('Concat', [fw, bw], { axis: int(2) }); // [R, T, D]
  const [S, Rr] = g.opN('Split', [enc], { axis: int(0) }, 2); // seekers, responses: [B, T, D] each
  const [maskS, maskR2] = g.opN('Split', [ins.mask!], { axis: int(0) }, 2); // [B, T] each

  // Cross-attention, one head: response tokens attend to seeker tokens.
  const q = g.op('MatMul', [Rr, await w('attn.q')]); // [B, T, D]
  const k = g.op('MatMul', [S, await w('attn.k')]); // [B, T, D]
  const v = g.op('MatMul', [S, await w('attn.v')]); // [B, T, D]
  let scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: ints([0, 2, 1]) })]), g.scalar('attn_scale', 1 / Math.sqrt(D))]); // [B, T, T]
  if (net.cfg.seekerMask) {
    const bias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [one, maskS]), g.scalar('mask_bias', -1e4)]), axes('axis_1b', [1])]); // [B, 1, T]
    scores = g.op('Add', [scores, bias]);
  }
  const hR = g.op('Add', [Rr, g.op('MatMul', [g.op('Softmax', [scores], { axis: int(-1) }), v])]); // [B, T, D]

  // Level heads on masked mean + max pooling over response tokens.
  const maskR = g.op('Unsqueeze', [maskR2, axes('axis_2', [2])]); // [B, T, 1]
  const count = g.op('Max', [g.op('ReduceSum', [maskR, axes('axis_1c', [1])], { keepdims: int(0) }), one]); // [B, 1]
  const mean = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [hR, maskR]), axes('axis_1d', [1])], { keepdims: int(0) }), count]); // [B, D]
  const max = g.op('ReduceMax', [g.op('Add', [hR, g.op('Mul', [g.op('Sub', [maskR, one]), g.scalar('pool_bias', 1e4)])])], { axes: ints([1]), keepdims: int(0) }); // [B, D]
  const pooled = g.op('Concat', [mean, max], { axis: int(1) }); // [B, 2D]
  for (const m of mechs) {
    const z1 = g.op('Relu', [g.op('Add', [g.op('MatMul', [pooled, await w(`level.${m}.w1`)]), await w(`level.${m}.b1`)])]); // [B, Hh]
    g.output(g.op('Add', [g.op('MatMul', [z1, await w(`level.${m}.w2`)]), await w(`level.${m}.b2`)]), `level_${m}`, DataType.FLOAT, ['B', 3]); // [B, 3]
  }
  let tokIn = hR; // [B, T, D]
  if (net.cfg.segmentPooling) {
    const clause = g.op('MatMul', [ins.clause_avg!, hR]); // [B, T, D]
    const sentence = g.op('MatMul', [ins.sentence_avg!, hR]); // [B, T, D]
    tokIn = g.op('Concat', [hR, clause, sentence], { axis: int(2) }); // [B, T, 3D]
  }
  const rat = g.op('Add', [g.op('MatMul', [tokIn, await w('rationale.w')]), await w('rationale.b')]); // [B, T, M]
  g.output(rat, 'rationale', DataType.FLOAT, ['B', 'T', mechs.length]);
  return g.toBytes({ producer: 'empathy-workbench', version: '1', doc: 'BiGRU rationale tagger eval forward, exported from the tfjs weights', props: { mechanisms: mechs.join(',') } });
}

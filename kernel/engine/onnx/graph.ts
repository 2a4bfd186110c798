// A small typed ONNX graph builder: named inputs/outputs with symbolic dims, initializers from typed
// arrays (inline) or read later into an external weights file, nodes with typed attributes, serialised to
// ModelProto bytes (opset 17, IR 8) via ./proto.
import { AttributeType, DataType, type AttributeMsg, type DataTypeCode, encodeModel, type NodeMsg, type TensorMsg, type ValueInfoMsg } from './proto';

/** ai.onnx opset the graphs use (LayerNormalization needs 17). */
export const OPSET = 17;
/** IR version that goes with opset 17. */
export const IR_VERSION = 8;
/** The weights file's name beside the model file (external initializers). */
export const EXTERNAL_LOCATION = 'weights.bin';

/** What the model bytes say about themselves. */
export interface ModelMeta { producer: string; version: string; doc?: string; props?: Record<string, string> }

/** An attribute value: ints and floats are told apart explicitly (ONNX types them). */
export type Attr =
  | { int: number }
  | { ints: readonly number[] }
  | { float: number }
  | { floats: readonly number[] };

export const int = (v: number): Attr => ({ int: v });
export const ints = (v: readonly number[]): Attr => ({ ints: v });
export const float = (v: number): Attr => ({ float: v });

/** A dimension: a fixed size or a symbolic name (dynamic, e.g. 'B', 'T'). */
export type Dim = number | string;

function valueInfo(name: string, elemType: DataTypeCode, dims: readonly Dim[]): ValueInfoMsg {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

function attribute(name: string, a: Attr): AttributeMsg {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  return { name, type: AttributeType.FLOATS, floats: [...a.floats] };
}

function bytesOf(data: Float32Array | BigInt64Array | Int32Array): Uint8Array {
  // raw_data is little-endian; typed arrays are in host order, little-endian on every platform Node ships for.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Reads a weight's float32 values when the weights file is written (a view of live storage is fine). */
export type WeightRead = () => Promise<Float32Array>;

/** One external initializer: its bytes at `offset` of the weights file. */
export interface ExternalPart {
  name: string;
  offset: number;
  byteLength: number;
  read: WeightRead;
}

/** A model whose large weights live in a separate file (ONNX external data), beside the graph's bytes. */
export interface ExternalModel {
  /** ModelProto bytes: the graph, small initializers inline, the others pointing into the weights file. */
  graph: Uint8Array;
  /** The weights file's name, as the graph's initializers give it (relative to the model file). */
  location: string;
  /** The weights file's size in bytes. */
  size: number;
  parts: ExternalPart[];
}

/** Offsets of external weights are multiples of this (a page: onnxruntime maps each one from the file). */
const EXTERNAL_ALIGN = 4096;

export class OnnxGraph {
  private readonly nodes: NodeMsg[] = [];
  private readonly parts: ExternalPart[] = [];
  private externalEnd = 0;
  private readonly inits: TensorMsg[] = [];
  private readonly inputs: ValueInfoMsg[] = [];
  private readonly outputs: ValueInfoMsg[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.name}: the name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  /** A fresh value name with a readable stem. */
  fresh(stem: string): string {
    let n: string;
    do n = `${stem}_${this.counter++}`; while (this.names.has(n));
    return n;
  }

  /** Declare a graph input. */
  input(name: string, elemType: DataTypeCode, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims));
    return name;
  }

  /** Mark `value` as a graph output named `name` (an Identity node when the names differ). */
  output(value: string, name: string, elemType: DataTypeCode, dims: readonly Dim[]): string {
    if (value !== name) this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** A float32 initializer (weights, constants). */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    return this.tensor(name, DataType.FLOAT, data, dims);
  }

  /**
   * A float32 initializer kept out of the model bytes: recorded at the next page-aligned offset of the
   * weights file (`location`) and read only when that file is written (toExternal, then writeExternalWeights).
   */
  external(name: string, dims: readonly number[], read: WeightRead): string {
    const byteLength = dims.reduce((a, d) => a * d, 1) * 4;
    const offset = Math.ceil(this.externalEnd / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    this.externalEnd = offset + byteLength;
    this.parts.push({ name: this.claim(name), offset, byteLength, read });
    const externalData = [{ key: 'location', value: EXTERNAL_LOCATION }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(byteLength) }];
    this.inits.push({ name, dims: [...dims], dataType: DataType.FLOAT, dataLocation: 1, externalData });
    return name;
  }

  /** An int64 initializer (shapes, indices, axes). */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.tensor(name, DataType.INT64, BigInt64Array.from(values, (v) => BigInt(v)), dims);
  }

  /** A float32 scalar constant. */
  scalar(name: string, v: number): string {
    return this.floats(name, Float32Array.of(v), []);
  }

  private tensor(name: string, dataType: DataTypeCode, data: Float32Array | BigInt64Array, dims: readonly number[]): string {
    const n = dims.reduce((a, d) => a * d, 1);
    if (data.length !== n) throw new Error(`ONNX initializer ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
    this.inits.push({ name: this.claim(name), dims: [...dims], dataType, rawData: bytesOf(data) });
    return name;
  }

  /** Add an ai.onnx node with one output; returns the output's name (`out` or a fresh one). */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string): string {
    return this.node(opType, inputs, attrs, [this.claim(out ?? this.fresh(opType.toLowerCase()))])[0];
  }

  /** Add an ai.onnx node with `n` outputs (Split, GRU, …); returns their names. An input '' is an omitted optional one. */
  opN(opType: string, inputs: readonly string[], attrs: Record<string, Attr>, n: number): string[] {
    return this.node(opType, inputs, attrs, Array.from({ length: n }, () => this.claim(this.fresh(opType.toLowerCase()))));
  }

  private node(opType: string, inputs: readonly string[], attrs: Record<string, Attr>, outputs: string[]): string[] {
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** The model bytes (ModelProto) with this graph, ai.onnx opset OPSET (every initializer inline). */
  toBytes(meta: ModelMeta): Uint8Array {
    if (this.parts.length) throw new Error(`ONNX graph ${this.name}: ${this.parts.length} initializers are external; use toExternal()`);
    return this.encode(meta);
  }

  /** The graph's bytes and where its external initializers go in the weights file. */
  toExternal(meta: ModelMeta): ExternalModel {
    return { graph: this.encode(meta), location: EXTERNAL_LOCATION, size: this.externalEnd, parts: [...this.parts] };
  }

  private encode(meta: ModelMeta): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      producerName: meta.producer,
      producerVersion: meta.version,
      docString: meta.doc,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.props ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
  }
}

// The subset of onnx.proto (ONNX IR, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) this engine
// writes, as protobufjs reflection types with the spec's field numbers: ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto.
import * as protobuf from 'protobufjs';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

// Field numbers as in onnx.proto (proto2); repeated numeric fields are written packed, which every
// protobuf parser accepts for proto2 too.
const ONNX_JSON: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
            // Weights kept outside the model bytes: location / offset / length (onnxruntime reads them from
            // the buffers given as the session's externalData, without a copy of the model's weights).
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: { type: 'string', id: 6 } },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } } },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
      },
    },
  },
};

let root: protobuf.Root | undefined;

/** The message type `onnx.<name>` (built once). */
export function onnxType(name: 'ModelProto' | 'GraphProto' | 'NodeProto' | 'TensorProto' | 'ValueInfoProto' | 'AttributeProto'): protobuf.Type {
  root ??= protobuf.Root.fromJSON(ONNX_JSON);
  return root.lookupType(`onnx.${name}`);
}

/** Plain-object shapes of the messages (camelCase field names, as protobufjs takes them). */
export interface TensorMsg {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  /** The values inline (absent when they are external). */
  rawData?: Uint8Array;
  /** Where external values are: location (a name the session maps to a buffer), offset, length in bytes. */
  externalData?: Array<{ key: string; value: string }>;
  /** 1 = EXTERNAL (TensorProto.DataLocation). */
  dataLocation?: number;
}
export interface ValueInfoMsg { name: string; type: { tensorType: { elemType: DataTypeCode; shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } } }
export interface AttributeMsg { name: string; type: number; f?: number; i?: number; s?: Uint8Array; t?: TensorMsg; floats?: number[]; ints?: number[] }
export interface NodeMsg { name: string; opType: string; domain?: string; input: string[]; output: string[]; attribute: AttributeMsg[] }
export interface GraphMsg { name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[]; docString?: string }
export interface ModelMsg {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphMsg;
  opsetImport: Array<{ domain: string; version: number }>;
  metadataProps?: Array<{ key: string; value: string }>;
}

/** Serialise a ModelProto (throws naming the field protobufjs rejects). */
export function encodeModel(m: ModelMsg): Uint8Array {
  const T = onnxType('ModelProto');
  const err = T.verify(m);
  if (err) throw new Error(`ONNX ModelProto: ${err}`);
  return T.encode(T.fromObject(m)).finish();
}

/** Parse a ModelProto back (tests, inspection); int64 fields come back as numbers. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const T = onnxType('ModelProto');
  return T.toObject(T.decode(bytes), { longs: Number }) as ModelMsg;
}

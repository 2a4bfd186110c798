// A copy-free read path for the wasm backend's Slice and Unpack kernels. tfjs-backend-wasm 4.22 reads
// the WHOLE input out of the wasm heap (HEAPU8.slice) on every Slice, and Unpack is T Slices, so
// unstacking a [T, …] tensor costs O(T · size): 100–400 ms per forward of the tagger's unrolled GRU.
// These kernels read a view of the heap instead (taken after the output is allocated, as allocation
// may grow and move the heap) and copy only the requested rows. Same results, registered once.
import * as tf from '@tensorflow/tfjs';

type WasmBackend = {
  makeOutput(shape: number[], dtype: tf.DataType): { dataId: object; shape: number[]; dtype: tf.DataType };
  typedArrayFromHeap(t: { shape: number[]; dtype: tf.DataType; dataId: object }): Float32Array | Int32Array | Uint8Array;
};
type Info = { dataId: object; shape: number[]; dtype: tf.DataType };

function sliceInto(backend: WasmBackend, x: Info, begin: number[], size: number[]): Info {
  const out = backend.makeOutput(size, x.dtype);
  const xv = backend.typedArrayFromHeap(x); // after makeOutput: the heap may have grown
  const ov = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const off = tf.slice_util.computeFlatOffset(begin, strides);
    ov.set(xv.subarray(off, off + ov.length));
    return out;
  }
  // Copy rows of the last axis, iterating over the outer indices like an odometer.
  const row = size[rank - 1];
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  for (;;) {
    let off = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) off += (begin[d] + idx[d]) * strides[d];
    ov.set(xv.subarray(off, off + row), o);
    o += row;
    let d = rank - 2;
    while (d >= 0 && ++idx[d] === size[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return out;
}

let installed = false;

/** Replace the wasm Slice and Unpack kernels by the copy-free ones (idempotent; no-op off wasm). */
export function installFastWasmSlice(): void {
  if (installed || !tf.getKernel('Slice', 'wasm')) return;
  const slice: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const x = inputs.x as unknown as Info;
    if (x.dtype === 'string') throw new Error('fast wasm Slice: string tensors are not supported');
    const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo, attrs!.begin as number[], attrs!.size as number[]);
    return sliceInto(backend as unknown as WasmBackend, x, b, s) as unknown as tf.TensorInfo;
  };
  const unpack: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const x = inputs.value as unknown as Info;
    let axis = attrs!.axis as number;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = x.shape.slice();
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]; i++) {
      begin[axis] = i;
      const o = sliceInto(backend as unknown as WasmBackend, x, begin, size);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape } as unknown as tf.TensorInfo);
    }
    return outs;
  };
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: slice });
  tf.unregisterKernel('Unpack', 'wasm');
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: unpack });
  installed = true;
}

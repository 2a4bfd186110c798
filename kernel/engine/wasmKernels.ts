// Kernel overrides for the wasm backend, installed once it is active: Identity shares its input's buffer
// (as the cpu backend's does) instead of copying it.
import * as tf from '@tensorflow/tfjs';

/** The slice of the wasm backend this file needs (its buffers are reference-counted, like Reshape uses). */
interface RefCountingBackend { incRef(dataId: object): void }

/**
 * tfjs clones every tensor it saves for the backward pass through the Identity kernel (engine.clone), and
 * the wasm backend's Identity copies the buffer: a training step of the `small` bi-encoder copied 846 MB
 * that way (bench/results/profile-before.md). Tensors are immutable (Variable.assign swaps buffers), so a
 * shared, reference-counted buffer is the same value, bit for bit, at no memory cost.
 */
function sharedIdentity(args: { inputs: tf.NamedTensorMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as unknown as tf.TensorInfo;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let installed = false;

/** Replace the wasm Identity kernel (idempotent; a no-op until the wasm backend has registered its kernels). */
export function installWasmKernelOverrides(): void {
  if (installed) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  const copyFunc = original.kernelFunc;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    // String tensors live outside the wasm heap: keep the original (copying) path for them.
    kernelFunc: ((args: { inputs: tf.NamedTensorMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
      ((args.inputs.x as unknown as tf.TensorInfo).dtype === 'string' ? copyFunc(args as never) : sharedIdentity(args))) as unknown as tf.KernelFunc,
  });
  installed = true;
}

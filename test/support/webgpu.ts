// The webgpu backend in tests: whether an adapter exists here (Mesa's software one counts), and the
// tolerances its f32 results are held to against the PyTorch fixtures.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernel/engine/backend';

let probed: Promise<string | undefined> | undefined;

/** undefined when a forced `webgpu` starts here; otherwise why not (no Dawn, no adapter…). Probed once. */
export function webgpuUnavailable(): Promise<string | undefined> {
  probed ??= (async () => {
    const prev = tf.getBackend();
    try {
      await initBackend('webgpu', 'flag');
      return undefined;
    } catch (e) {
      return (e as Error).message;
    } finally {
      if (prev) await tf.setBackend(prev);
    }
  })();
  return probed;
}

/**
 * webgpu vs the PyTorch (CPU, f32) fixtures. Measured through Mesa llvmpipe (EMPATHY_PARITY_REPORT=1): worst
 * relative error 1.1e-6 (forward) / 1.6e-6 (gradients), weights after 5 steps within 2.6e-6 absolute. The
 * activations and gradients keep cpu/wasm's rtol 1e-4 / atol 1e-6: a GPU sums in workgroup trees instead
 * of left to right (error ~log2(n)·ε instead of n·ε, never worse) but WGSL allows exp/log/division a few
 * ULP off and lets drivers fuse multiply-adds, so real GPUs differ from llvmpipe by some 1e-6 relative,
 * still 100× inside 1e-4. Weights after 5 AdamW steps: 2e-5 absolute (cpu/wasm 1e-5), because Adam's
 * first steps move every weight by ≈lr whatever the gradient's size, so a 1e-6 relative gradient
 * difference near zero can flip m/√v by up to lr = 1e-5 in a weight. Key-bias gradients (analytically
 * zero; float noise on every backend) within 1e-7 absolute, the looser of cpu's two.
 */
export const WEBGPU_TOL = { rtol: 1e-4, atol: 1e-6, weightAtol: 2e-5, keyBiasWeightAtol: 1e-4, keyBiasGradAtol: 1e-7 };

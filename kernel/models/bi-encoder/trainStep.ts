// One optimiser step of the bi-encoder over its micro-batches: forward + backward of each, gradients summed
// with their share of the step, global-norm clip, AdamW. On the host backends (wasm, cpu) the frozen seeker,
// the gradients and the AdamW moments live in JavaScript arrays, outside the backend's memory; elsewhere
// (GPU backends) in backend tensors. The trainer, the bench and the parity tests all step through here.
import * as tf from '@tensorflow/tfjs';
import { type AdamW, clipGlobalNormAsync, clipGlobalNormHost, HostGradients, hostBackend } from '../../engine';
import type { BiEncoder, EncodedBatch, ForwardOptions, LossOptions } from './biEncoder';

/** One forward/backward pass of a step: its batch, its share of the step's mean loss, its dropout options. */
export interface MicroBatch {
  batch: EncodedBatch;
  /** Pairs in this micro-batch / pairs in the step. */
  weight: number;
  fwd: ForwardOptions;
}

export interface StepResult {
  loss: number;
  lossLevel: number;
  lossRationale: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export class BiEncoderStepper {
  /** Whether gradients and (with AdamW's 'host' storage) moments live in JavaScript arrays. */
  readonly host: boolean;
  /** Bytes of the frozen seeker moved out of the backend (0 when it stays). */
  readonly seekerHostBytes: number;
  private readonly grads = new HostGradients();

  /** `host` defaults to the backend being wasm or cpu; then the frozen seeker leaves the backend too. */
  constructor(readonly net: BiEncoder, readonly optimizer: AdamW, opts: { host?: boolean } = {}) {
    this.host = opts.host ?? hostBackend();
    this.seekerHostBytes = this.host ? net.moveFrozenSeekerToHost() : 0;
  }

  /** Bytes of this step's gradient arrays (host path; 0 before the first step). */
  gradientHostBytes(): number {
    return this.grads.bytes();
  }

  /**
   * Run the step; undefined when `signal` aborted between micro-batches (nothing updated then).
   * Micro-batch losses are combined with their weights, as the step's mean.
   */
  async step(micro: readonly MicroBatch[], lossOpts: LossOptions, lr: number, maxGradNorm: number, signal?: AbortSignal): Promise<StepResult | undefined> {
    try {
      return await (this.host ? this.stepHost(micro, lossOpts, lr, maxGradNorm, signal) : this.stepDevice(micro, lossOpts, lr, maxGradNorm, signal));
    } catch (e) {
      // wasm32's heap overflowing surfaces as a bare trap: say what it means and what to change.
      if (e instanceof Error && /memory access out of bounds|Aborted\(\)/.test(e.message)) {
        const pairs = Math.max(...micro.map((m) => m.batch.batch));
        throw new Error(`training step: the wasm heap (4 GB at most) overflowed with micro-batches of ${pairs} pairs (${e.message.split('\n')[0]}): raise --grad_accum or lower --batch_size/--max_len`);
      }
      throw e;
    }
  }

  private async stepHost(micro: readonly MicroBatch[], lossOpts: LossOptions, lr: number, maxGradNorm: number, signal?: AbortSignal): Promise<StepResult | undefined> {
    const sum = { loss: 0, lossLevel: 0, lossRationale: 0 };
    this.grads.begin();
    for (const mb of micro) {
      if (signal?.aborted) return undefined;
      const r = await this.net.lossAndGradsInto(mb.batch, mb.fwd, lossOpts, (n, g) => this.grads.add(n, g, mb.weight));
      sum.loss += mb.weight * r.loss; sum.lossLevel += mb.weight * r.lossLevel; sum.lossRationale += mb.weight * r.lossRationale;
      await yieldToLoop();
    }
    if (signal?.aborted) return undefined;
    const grads = this.grads.grads(this.net.trainableNames());
    const gradNorm = clipGlobalNormHost(grads, maxGradNorm);
    this.optimizer.step(this.net.params, grads, lr);
    return { ...sum, gradNorm };
  }

  private async stepDevice(micro: readonly MicroBatch[], lossOpts: LossOptions, lr: number, maxGradNorm: number, signal?: AbortSignal): Promise<StepResult | undefined> {
    const sum = { loss: 0, lossLevel: 0, lossRationale: 0 };
    let acc: Map<string, tf.Tensor> | undefined;
    try {
      for (const mb of micro) {
        if (signal?.aborted) return undefined;
        const w = mb.weight;
        const r = await this.net.lossAndGradsAsync(mb.batch, mb.fwd, lossOpts);
        sum.loss += w * r.loss; sum.lossLevel += w * r.lossLevel; sum.lossRationale += w * r.lossRationale;
        if (!acc) {
          acc = new Map();
          for (const [n, g] of r.grads) { acc.set(n, w === 1 ? g : tf.mul(g, w)); if (w !== 1) g.dispose(); }
        } else {
          for (const [n, g] of r.grads) {
            const prev = acc.get(n);
            acc.set(n, prev ? tf.tidy(() => tf.add(prev, tf.mul(g, w))) : tf.mul(g, w));
            prev?.dispose();
            g.dispose();
          }
        }
        await yieldToLoop();
      }
      if (signal?.aborted || !acc) return undefined;
      const clipped = await clipGlobalNormAsync(acc, maxGradNorm);
      try {
        this.optimizer.step(this.net.params, clipped.grads, lr);
      } finally {
        for (const g of clipped.grads.values()) g.dispose();
      }
      return { ...sum, gradNorm: clipped.norm };
    } finally {
      if (acc) for (const g of acc.values()) g.dispose();
    }
  }

  /** Free the gradient arrays (the network and optimiser belong to the caller). */
  dispose(): void {
    this.grads.clear();
  }
}

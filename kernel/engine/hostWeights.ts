// Frozen weights kept in JavaScript arrays, outside the backend's memory (the wasm heap is capped at 4 GB):
// uploaded as a tensor only where used (one encoder layer at a time), embedding rows gathered here.
import * as tf from '@tensorflow/tfjs';

export interface HostWeight {
  shape: number[];
  data: Float32Array;
}

export class HostWeights {
  private readonly byName = new Map<string, HostWeight>();

  set(name: string, w: HostWeight): void {
    if (w.data.length !== w.shape.reduce((a, b) => a * b, 1)) throw new Error(`HostWeights: '${name}' has ${w.data.length} values for shape [${w.shape}]`);
    this.byName.set(name, w);
  }

  get(name: string): HostWeight | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Bytes held (float32). */
  bytes(): number {
    let n = 0;
    for (const w of this.byName.values()) n += w.data.byteLength;
    return n;
  }

  /** A tensor of the weight, in the current scope (a tidy frees it): the backend's copy lives only that long. */
  tensor(name: string): tf.Tensor {
    const w = this.need(name);
    return tf.tensor(w.data, w.shape, 'float32');
  }

  /** Rows `ids` of a [V, H] table as a [N, H] tensor (tf.gather's values, without uploading the table). */
  rows(name: string, ids: Int32Array): tf.Tensor2D {
    const w = this.need(name);
    const [V, H] = w.shape;
    const out = new Float32Array(ids.length * H);
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i];
      if (!(r >= 0 && r < V)) throw new Error(`HostWeights.rows: id ${r} at ${i} outside '${name}' [${V}, ${H}]`);
      out.set(w.data.subarray(r * H, (r + 1) * H), i * H);
    }
    return tf.tensor2d(out, [ids.length, H], 'float32');
  }

  clear(): void {
    this.byName.clear();
  }

  private need(name: string): HostWeight {
    const w = this.byName.get(name);
    if (!w) throw new Error(`missing host weight ${name}`);
    return w;
  }
}

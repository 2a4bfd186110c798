// The models the kernel holds for its hosts' queries, by handle: the one owner of their tensors. A model
// leaves the table only through `unload` (or `replace`, or `disposeAll` at shutdown), which disposes it.
import type { EmpathyModel } from '../engine';

export class ModelTable {
  private readonly models = new Map<string, { model: EmpathyModel; path: string }>();
  private next = 0;

  /** Take ownership of `model` (loaded from `path`); returns its new handle. */
  add(model: EmpathyModel, path: string): string {
    const handle = `model-${++this.next}`;
    this.models.set(handle, { model, path });
    return handle;
  }

  /** The model under `handle`, or undefined when none is loaded there. */
  get(handle: string): EmpathyModel | undefined {
    return this.models.get(handle)?.model;
  }

  has(handle: string): boolean {
    return this.models.has(handle);
  }

  /** Dispose the model under `handle`; false when there was none. */
  unload(handle: string): boolean {
    const entry = this.models.get(handle);
    if (!entry) return false;
    this.models.delete(handle);
    entry.model.dispose();
    return true;
  }

  get size(): number {
    return this.models.size;
  }

  /** Dispose every model (the kernel shuts down). */
  disposeAll(): void {
    for (const handle of [...this.models.keys()]) this.unload(handle);
  }
}

// A model with external weights (graph.ts toExternal) written to a private temporary folder for onnxruntime
// to open, and removed as soon as the session holds it. onnxruntime maps each external weight from the file
// and keeps one copy of it (measured on a 944 MB Gemm chain: ≈ +1 GB, where model bytes with the weights
// inline cost the bytes, their parsed copy and the initializers; weights handed over from memory as
// `externalData` are copied too), so roberta-base's 1 GB is held once by onnxruntime. A mapped file stays
// readable after its unlink (POSIX); where removal fails while mapped (Windows), the folder goes at exit.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExternalModel } from './graph';

/** The model file's name in the folder (the weights file sits beside it, as model.location names it). */
const MODEL_FILE = 'model.onnx';

/** Folders not yet removed (removal failed while mapped), removed at exit. */
const pending = new Set<string>();
let exitHook = false;

function removeAtExit(dir: string): void {
  pending.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const d of pending) fs.rmSync(d, { recursive: true, force: true });
  });
}

/** Write all of `bytes` at `position` (a short write continues where it stopped). */
function writeAllAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** The weights file: every part at its offset (the gaps between parts stay holes, read as zeros). */
async function writeWeights(file: string, model: ExternalModel): Promise<void> {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    for (const part of model.parts) {
      const values = await part.read();
      // Read and written with no await between: a view of the wasm heap is valid until the next allocation.
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      if (bytes.length !== part.byteLength) throw new Error(`ONNX export: weight ${part.name} has ${bytes.length} bytes, the graph expects ${part.byteLength}`);
      writeAllAt(fd, bytes, part.offset);
    }
    fs.ftruncateSync(fd, model.size);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Write `model` to a fresh private folder under the system's temporary folder, run `open` on the model
 * file's path (onnxruntime reads it, and maps the weights), then remove the folder. A failed write (disk
 * full, …) throws one line naming the folder and leaves nothing behind.
 */
export async function withModelFiles<T>(model: ExternalModel, open: (modelPath: string) => Promise<T>): Promise<T> {
  let dir: string | undefined;
  try {
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-onnx-'));
      removeAtExit(dir); // until removed below: a Ctrl-C during the write leaves nothing
      await writeWeights(path.join(dir, model.location), model);
      fs.writeFileSync(path.join(dir, MODEL_FILE), model.graph, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`ONNX export: could not write the model for onnxruntime to ${dir ?? os.tmpdir()} (${err.code ?? err.message.split('\n')[0]}; ${(model.size / 2 ** 20).toFixed(0)} MiB of weights)`);
    }
    return await open(path.join(dir, MODEL_FILE));
  } finally {
    try {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      if (dir) pending.delete(dir);
    } catch {
      // Still mapped where the system refuses to remove such files: the exit hook removes it.
    }
  }
}

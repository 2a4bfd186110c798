// Gradients of a scalar with respect to variables, as tf.variableGrads computes them (same tape, same
// gradient functions, same accumulation order: bit-identical), but freeing memory as the backward pass goes.
import * as tf from '@tensorflow/tfjs';

/** A node of tfjs's gradient tape (tfjs-core engine internals, stable across 4.x). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

/** The slice of tfjs's Engine this file drives. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/**
 * The tape's nodes on a path from `xs` to `y`, in order, each with only the inputs reachable from `xs`
 * (what tfjs's own filter keeps).
 */
function pathFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodesToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[k] = t;
    path.push({ ...node, inputs });
  }
  return path;
}

/**
 * Receives a variable's gradient the moment it is complete (no node left to add to it) and must be done
 * with it before returning: the tensor is disposed right after (copy it out, e.g. into a host array).
 */
export type GradSink = (v: tf.Variable, g: tf.Tensor) => void;

/**
 * tf.variableGrads(f, vars) with a smaller peak: tfjs keeps every tensor the tape saved and the gradient of
 * every intermediate tensor until the whole backward pass ends (a `small` bi-encoder step: ~1 GB on wasm).
 * Here the nodes off the x→y path free what they saved before the backward starts, and each node frees its
 * saved tensors and its outputs' gradients as soon as its own gradient is computed, so the backward holds
 * the forward's saved tensors still to be used plus a frontier of gradients. Inside another gradient
 * computation (higher order) it falls back to tf.variableGrads.
 * With a `sink`, each variable's gradient goes there as soon as it is complete and is freed (the returned
 * map is then empty): the backend never holds all the gradients at once.
 */
export function variableGradsLowMemory(f: () => tf.Scalar, vars: tf.Variable[], sink?: GradSink): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth > 0 || typeof engine.scopedRun !== 'function') {
    if (!sink) return tf.variableGrads(f, vars);
    const r = tf.variableGrads(f, vars);
    for (const v of vars) { const g = r.grads[v.name]; if (g) { sink(v, g); g.dispose(); } }
    return { value: r.value, grads: {} };
  }
  const xs = vars.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error(`variableGradsLowMemory: none of the ${vars.length} variables is trainable`);
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  const tape = engine.state.activeTape ?? [];
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error('variableGradsLowMemory: f must return a scalar tensor');
    const path = pathFromXsToY(tape, xs, y);
    const onPath = new Set(path.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) for (const t of node.saved ?? []) t.dispose();
    // For the sink: the variables whose gradient is complete once the backward has passed path[i] (their
    // first use in the forward), so it can leave right then.
    const doneAt = new Map<number, tf.Variable[]>();
    let sent = 0;
    if (sink) {
      const byId = new Map(xs.map((v) => [v.id, v]));
      for (let i = 0; i < path.length; i++) {
        for (const t of Object.values(path[i].inputs)) {
          const v = byId.get(t.id);
          if (!v) continue;
          byId.delete(t.id);
          doneAt.set(i, [...(doneAt.get(i) ?? []), v]);
        }
      }
    }

    const grads = engine.tidy('backward', () => {
      // Gradient by tensor id; `uses` counts ids sharing one tensor object (a gradient function may return
      // its dy itself), so a gradient is disposed only when no id still holds it.
      const acc = new Map<number, tf.Tensor>();
      const uses = new Map<tf.Tensor, number>();
      const put = (id: number, t: tf.Tensor) => { acc.set(id, t); uses.set(t, (uses.get(t) ?? 0) + 1); };
      const drop = (id: number) => {
        const t = acc.get(id);
        if (!t) return;
        acc.delete(id);
        const n = (uses.get(t) ?? 1) - 1;
        if (n > 0) uses.set(t, n); else { uses.delete(t); t.dispose(); }
      };
      put(y.id, tf.onesLike(y));
      for (let i = path.length - 1; i >= 0; i--) {
        const node = path[i];
        if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const gradient = node.gradient;
        const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
        // One tidy per node: gradients of inputs off the path (and zero dys) are freed right here.
        const dxs = engine.tidy(node.kernelName, () => {
          const fns = gradient(dys);
          const out: Record<string, tf.Tensor> = {};
          for (const name of Object.keys(node.inputs)) {
            if (!(name in fns)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(fns)}.`);
            out[name] = fns[name]();
          }
          return out;
        });
        for (const [name, dx] of Object.entries(dxs)) {
          const x = node.inputs[name];
          if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input ${name} has dtype ${dx.dtype}, not float32`);
          if (dx.shape.join(',') !== x.shape.join(',')) throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input '${name}' has shape [${dx.shape}], the input [${x.shape}]`);
          const cur = acc.get(x.id);
          if (cur === undefined) put(x.id, dx);
          else {
            const sum = tf.add(cur, dx);
            drop(x.id);
            if (!uses.has(dx)) dx.dispose();
            put(x.id, sum);
          }
        }
        // Nothing later reads this node's outputs' gradients or what it saved.
        for (const o of node.outputs) drop(o.id);
        for (const t of node.saved ?? []) t.dispose();
        for (const v of doneAt.get(i) ?? []) {
          const g = acc.get(v.id);
          if (!g) continue;
          sink!(v, g);
          sent++;
          drop(v.id);
        }
      }
      const named: tf.NamedTensorMap = {};
      for (const v of xs) {
        const g = acc.get(v.id);
        if (g) named[v.name] = g;
      }
      return named;
    });
    if (Object.keys(grads).length === 0 && sent === 0) throw new Error('Cannot find a connection between any variable and the result of the loss function y=f(x).');
    return { value: y, grads };
  } catch (e) {
    y.dispose();
    throw e;
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
}

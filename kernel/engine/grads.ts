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
 * The backward pass's gradients by tensor id. `uses` counts the ids sharing one tensor object (a gradient
 * function may return its dy itself), so a gradient is disposed only when no id still holds it. Lives
 * inside the backward's tidy: the sums it makes belong to that scope.
 */
class GradientFrontier {
  private readonly acc = new Map<number, tf.Tensor>();
  private readonly uses = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.acc.get(id);
  }

  put(id: number, t: tf.Tensor): void {
    this.acc.set(id, t);
    this.uses.set(t, (this.uses.get(t) ?? 0) + 1);
  }

  /** Forgets id's gradient, disposing the tensor once no other id holds it. */
  drop(id: number): void {
    const t = this.acc.get(id);
    if (!t) return;
    this.acc.delete(id);
    const n = (this.uses.get(t) ?? 1) - 1;
    if (n > 0) this.uses.set(t, n); else { this.uses.delete(t); t.dispose(); }
  }

  /** Adds dx to id's gradient as tfjs does (tf.add(current, dx)), freeing both addends when no id holds them. */
  accumulate(id: number, dx: tf.Tensor): void {
    const cur = this.acc.get(id);
    if (cur === undefined) { this.put(id, dx); return; }
    const sum = tf.add(cur, dx);
    this.drop(id);
    if (!this.uses.has(dx)) dx.dispose();
    this.put(id, sum);
  }
}

/**
 * For the sink: the variables whose gradient is complete once the backward has passed path[i] (their
 * first use in the forward), so each can leave right then.
 */
function sinkSchedule(path: TapeNode[], xs: tf.Variable[]): Map<number, tf.Variable[]> {
  const doneAt = new Map<number, tf.Variable[]>();
  const byId = new Map(xs.map((v) => [v.id, v]));
  for (let i = 0; i < path.length; i++) {
    for (const t of Object.values(path[i].inputs)) {
      const v = byId.get(t.id);
      if (!v) continue;
      byId.delete(t.id);
      doneAt.set(i, [...(doneAt.get(i) ?? []), v]);
    }
  }
  return doneAt;
}

/**
 * One node's input gradients from its outputs' gradients `dys`, in one tidy per node: gradients of inputs
 * off the path (and zero dys) are freed right here.
 */
function nodeInputGrads(engine: EngineInternals, node: TapeNode, dys: Array<tf.Tensor | null>): Record<string, tf.Tensor> {
  if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
  const gradient = node.gradient;
  return engine.tidy(node.kernelName, () => {
    const fns = gradient(dys);
    const out: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(node.inputs)) {
      if (!(name in fns)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(fns)}.`);
      out[name] = fns[name]();
    }
    return out;
  });
}

/** tfjs's checks on a gradient: float32 and the input's shape. */
function checkInputGrad(node: TapeNode, name: string, dx: tf.Tensor, x: tf.Tensor): void {
  if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input ${name} has dtype ${dx.dtype}, not float32`);
  if (dx.shape.join(',') !== x.shape.join(',')) throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input '${name}' has shape [${dx.shape}], the input [${x.shape}]`);
}

/**
 * The backward pass along `path` (reverse tape order, as tfjs), freeing each node's saved tensors and its
 * outputs' gradients once its own gradient is computed and handing finished variables to `sink`.
 * Returns the gradients of `xs` still held (none of those sent) and how many went to the sink.
 */
function backward(engine: EngineInternals, path: TapeNode[], y: tf.Scalar, xs: tf.Variable[], sink?: GradSink): { grads: tf.NamedTensorMap; sent: number } {
  const doneAt = sink ? sinkSchedule(path, xs) : new Map<number, tf.Variable[]>();
  let sent = 0;
  const grads = engine.tidy('backward', () => {
    const frontier = new GradientFrontier();
    frontier.put(y.id, tf.onesLike(y));
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i];
      const dys = node.outputs.map((o) => frontier.get(o.id) ?? null);
      const dxs = nodeInputGrads(engine, node, dys);
      for (const [name, dx] of Object.entries(dxs)) {
        const x = node.inputs[name];
        checkInputGrad(node, name, dx, x);
        frontier.accumulate(x.id, dx);
      }
      // Nothing later reads this node's outputs' gradients or what it saved.
      for (const o of node.outputs) frontier.drop(o.id);
      for (const t of node.saved ?? []) t.dispose();
      for (const v of doneAt.get(i) ?? []) {
        const g = frontier.get(v.id);
        if (!g) continue;
        sink!(v, g);
        sent++;
        frontier.drop(v.id);
      }
    }
    const named: tf.NamedTensorMap = {};
    for (const v of xs) {
      const g = frontier.get(v.id);
      if (g) named[v.name] = g;
    }
    return named;
  });
  return { grads, sent };
}

/**
 * Inside another gradient computation (or on an engine without scopedRun): tf.variableGrads itself, each
 * gradient then sent to `sink` when there is one.
 */
function variableGradsByTfjs(f: () => tf.Scalar, vars: tf.Variable[], sink?: GradSink): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  if (!sink) return tf.variableGrads(f, vars);
  const r = tf.variableGrads(f, vars);
  for (const v of vars) { const g = r.grads[v.name]; if (g) { sink(v, g); g.dispose(); } }
  return { value: r.value, grads: {} };
}

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
  if (engine.state.gradientDepth > 0 || typeof engine.scopedRun !== 'function') return variableGradsByTfjs(f, vars, sink);
  const xs = vars.filter((v) => v.trainable);
  if (xs.length === 0) throw new Error(`variableGradsLowMemory: none of the ${vars.length} variables is trainable`);
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  const tape = engine.state.activeTape ?? [];
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error('variableGradsLowMemory: f must return a scalar tensor');
    const path = pathFromXsToY(tape, xs, y);
    const onPath = new Set(path.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) for (const t of node.saved ?? []) t.dispose();
    const { grads, sent } = backward(engine, path, y, xs, sink);
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

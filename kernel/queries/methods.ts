// What each kernel query does (kernel/protocol/query.ts names them and types their args and results):
// load the examples, load and unload models in the handle table, score one pair (levels, probabilities,
// token probabilities, spans; salience per mechanism when asked), predict levels for a dataset, show a
// variable of the notebook's cells as a table (read from the session's scope, never by running code).
// Plain data in and out; every model is owned by the ModelTable or disposed here.
import { loadLabeledFiles } from '../../dataset/labeledFiles';
import { rationalesPayload } from '../payloads/rationales';
import { tableFromValue } from '../payloads/table';
import type { EmpathyModel } from '../engine';
import { predictionHealth } from '../metrics/health';
import { datasetPayload } from '../payloads/dataset';
import type { Mechanism, RationalesPayload } from '../protocol/mime';
import type { RowPredictions } from '../protocol/panels';
import type { QueryArgs, QueryMethod, QueryResult, SalienceByMechanism } from '../protocol/query';
import { typeName } from '../session/inspect';
import { QueryFault } from './fault';
import type { ModelTable } from './modelTable';

export interface QueryContext {
  table: ModelTable;
  /** Aborted by `cancel-query` (and at shutdown): checked between steps, passed to predict. */
  signal: AbortSignal;
  /** Loads a checkpoint (kernel/models/families.ts loadModel; tests pass their own). */
  loadModel: (path: string) => Promise<EmpathyModel>;
  /** Where relative data paths resolve (the kernel's working directory). */
  cwd: string;
  /** The variables the notebook's cells declared (the kernel's Session); absent where no session runs. */
  variables?: VariableScope;
}

/** Read access to the cells' variables: what `variableTable` needs of the Session (session.ts `variable`). */
export interface VariableScope {
  /** The variable a cell declared as `name` (its current value), or undefined when none did. */
  variable(name: string): { value: unknown } | undefined;
}

type Method<M extends QueryMethod> = (args: QueryArgs<M>, ctx: QueryContext) => Promise<QueryResult<M>>;
type Item = RationalesPayload['items'][number];

/** Errors that name the checkpoint: an engine error that does not already say which file is prefixed with it. */
async function loadNamed(ctx: QueryContext, path: string): Promise<EmpathyModel> {
  let model: EmpathyModel;
  try {
    model = await ctx.loadModel(path);
  } catch (e) {
    const message = String((e as Error)?.message ?? e);
    throw new Error(message.includes(path) ? message : `${path}: ${message}`);
  }
  if (ctx.signal.aborted) {
    model.dispose();
    ctx.signal.throwIfAborted();
  }
  return model;
}

async function pairsOf(files: string[], cwd: string) {
  // As the notebook API's loadPairs (quiet): several files are one joint set, merged by pair.
  return (await loadLabeledFiles('data', [...files], { joint: files.length > 1, cwd, voice: 'api' })).pairs;
}

/** Token salience into a copy of the item, per mechanism whose vector matches its tokens one to one. */
export function withSalience(item: Item, salience: SalienceByMechanism): Item {
  const mechanisms: Item['mechanisms'] = {};
  for (const [m, mp] of Object.entries(item.mechanisms) as Array<[Mechanism, NonNullable<Item['mechanisms'][Mechanism]>]>) {
    const s = salience[m];
    mechanisms[m] = s && s.length === mp.tokens.length ? { ...mp, tokens: mp.tokens.map((t, i) => ({ ...t, salience: s[i] })) } : mp;
  }
  return { ...item, mechanisms };
}

function loaded(table: ModelTable, handle: string): EmpathyModel {
  const model = table.get(handle);
  if (!model) throw new QueryFault('unknown-handle', `no model is loaded under handle ${JSON.stringify(handle)} (unloaded, or the kernel restarted): load it again`);
  return model;
}

export const methods: { [M in QueryMethod]: Method<M> } = {
  async loadPairs({ files, name, limit }, ctx) {
    const pairs = await pairsOf(files, ctx.cwd);
    return datasetPayload(pairs, { ...(name !== undefined ? { name } : {}), ...(limit !== undefined ? { limit } : {}) });
  },

  async loadModel({ path, replaces }, ctx) {
    const model = await loadNamed(ctx, path);
    // The replaced model goes only once its successor is in: a failed load leaves the panel's model usable.
    if (replaces) ctx.table.unload(replaces);
    const handle = ctx.table.add(model, path);
    return { handle, path, family: model.family, mechanisms: [...model.mechanisms], maxLen: model.maxLen, salience: typeof model.salience === 'function' };
  },

  async unloadModel({ handle }, ctx) {
    return { unloaded: ctx.table.unload(handle) };
  },

  async score({ handle, pair, salience }, ctx) {
    const model = loaded(ctx.table, handle);
    const preds = await model.predict([pair], { signal: ctx.signal });
    const item = rationalesPayload(preds, { maxLen: model.maxLen }).items[0];
    if (!item) throw new Error(`the ${model.family} model returned no prediction for pair ${JSON.stringify(pair.id)}`);
    const health = predictionHealth(preds);
    const out: QueryResult<'score'> = { item, maxLen: model.maxLen, ...(health.learned ? {} : { healthNote: health.message }) };
    if (!salience) return out;
    if (typeof model.salience !== 'function') return { ...out, salienceNote: `the ${model.family} model offers no salience` };
    const byMechanism: SalienceByMechanism = {};
    try {
      for (const m of model.mechanisms) {
        ctx.signal.throwIfAborted();
        byMechanism[m] = await model.salience(pair, m);
      }
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      return { ...out, salienceNote: `salience failed: ${String((e as Error)?.message ?? e)}` };
    }
    return { ...out, item: withSalience(item, byMechanism) };
  },

  async predictLevels({ modelPath, files }, ctx) {
    const model = await loadNamed(ctx, modelPath);
    try {
      const preds = await model.predict(await pairsOf(files, ctx.cwd), { signal: ctx.signal });
      const out: RowPredictions = {};
      for (const p of preds) {
        out[p.id] = {};
        for (const [m, v] of Object.entries(p.mechanisms) as Array<[Mechanism, { level: 0 | 1 | 2 } | undefined]>) if (v) out[p.id][m] = v.level;
      }
      return out;
    } finally {
      model.dispose();
    }
  },

  async variableTable({ name, maxRows }, ctx) {
    if (!ctx.variables) throw new Error(`no notebook session runs here to hold ${JSON.stringify(name)}`);
    const found = ctx.variables.variable(name);
    if (!found) throw new QueryFault('unknown-variable', `no variable ${JSON.stringify(name)} is declared in this kernel (run the cell that declares it; a restart forgets every variable)`);
    // Non-strict, as display.table: rows of arrays count too.
    const table = tableFromValue(found.value, { maxRows });
    if (!table) throw new QueryFault('not-a-table', `${name} (${typeName(found.value)}) has no table form: expected a DataFrame, a Series, an array of records or an array of rows`);
    return table.payload;
  },
};

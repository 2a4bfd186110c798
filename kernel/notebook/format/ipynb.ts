// Import from / export to Jupyter `.ipynb` (nbformat 4): code cells as TypeScript, markdown as
// markdown, outputs kept where Jupyter can represent them (streams, display data, execute results,
// errors; JSON payloads stay JSON). Our execution status/time and display ids ride in metadata.
import { childPath, JsonSyntaxError, parseJsonWithPositions, type PositionedJson } from './jsonPositions';
import { NotebookFormatError, validateNotebook, toLines, type CellOutput, type Notebook, type NotebookCell } from './notebook';
import type { MimeBundle } from '../../protocol/mime';

type Obj = Record<string, unknown>;

/** The kernelspec an exported notebook names: the Jupyter kernel (`empathy jupyter install`) installs under it. */
export const KERNELSPEC = { name: 'empathy-typescript', display_name: 'TypeScript (Empathy Workbench)', language: 'typescript' };

function bundleToData(b: MimeBundle): Obj {
  const data: Obj = {};
  for (const [mime, v] of Object.entries(b)) {
    // Jupyter stores text as line arrays and JSON types as JSON.
    data[mime] = typeof v === 'string' && !/json$/.test(mime) ? toLines(v) : v;
  }
  return data;
}

function dataToBundle(data: Obj, where: string, file?: string, metadata?: unknown): MimeBundle {
  const out: Obj = {};
  // Renderings our export added for Jupyter and GitHub (named in the output's metadata) are not kept.
  const added = (metadata as { empathy?: { fallback?: unknown } } | undefined)?.empathy?.fallback;
  const drop = new Set(Array.isArray(added) ? added : []);
  for (const [mime, v] of Object.entries(data)) if (!drop.has(mime)) out[mime] = Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('') : v;
  if (typeof out['text/plain'] !== 'string') {
    // Jupyter does not require text/plain; ours does: derive a fallback.
    const first = Object.keys(out)[0];
    out['text/plain'] = first ? `<${first} output>` : '';
    if (!first) throw new NotebookFormatError('output has no data', file, where, undefined, undefined);
  }
  return out as MimeBundle;
}

export interface IpynbExportOptions {
  /** Adds to each rich bundle what Jupyter and GitHub can show (kernel/report/fallback's withStaticFallback). */
  enrich?: (bundle: MimeBundle) => MimeBundle;
}

/** Export to an nbformat 4.5 notebook object (JSON.stringify it to write). */
export function toIpynb(nb: Notebook, opts: IpynbExportOptions = {}): Obj {
  // The MIME types enrich added are named in the output's metadata, so an import drops them again.
  const output = (b: MimeBundle): { data: Obj; metadata: Obj } => {
    const rich = opts.enrich ? opts.enrich(b) : b;
    const added = Object.keys(rich).filter((m) => !(m in b));
    return { data: bundleToData(rich), metadata: added.length ? { empathy: { fallback: added } } : {} };
  };
  return {
    cells: nb.cells.map((c, i) => {
      const empathy: Obj = {};
      if (c.execution) empathy.execution = { status: c.execution.status, durationMs: c.execution.durationMs, ...(c.execution.startedAt ? { startedAt: c.execution.startedAt } : {}) };
      if (c.kind === 'code' && c.language !== 'typescript') empathy.language = c.language;
      const displayIds = c.outputs.map((o) => (o.kind === 'display' ? o.displayId ?? null : null));
      if (displayIds.some((d) => d !== null)) empathy.displayIds = displayIds;
      const metadata: Obj = { ...(c.metadata ?? {}), ...(Object.keys(empathy).length ? { empathy } : {}) };
      const id = c.id ?? `cell-${i}`;
      if (c.kind === 'markdown') return { cell_type: 'markdown', id, metadata, source: toLines(c.source) };
      return {
        cell_type: 'code', id, metadata, source: toLines(c.source),
        execution_count: c.execution?.count ?? null,
        outputs: c.outputs.map((o): Obj => {
          switch (o.kind) {
            case 'stream': return { output_type: 'stream', name: o.name, text: toLines(o.text) };
            case 'display': return { output_type: 'display_data', ...output(o.bundle) };
            case 'result': return { output_type: 'execute_result', execution_count: c.execution?.count ?? null, ...output(o.bundle) };
            case 'error': return { output_type: 'error', ename: o.name, evalue: o.message, traceback: o.stack.split('\n') };
          }
        }),
      };
    }),
    metadata: {
      kernelspec: KERNELSPEC,
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
      ...(Object.keys(nb.metadata).length ? { empathy: nb.metadata } : {}),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

export function serializeIpynb(nb: Notebook, opts: IpynbExportOptions = {}): string {
  return JSON.stringify(toIpynb(nb, opts), null, 1) + '\n';
}

/** Import `.ipynb` text. Throws NotebookFormatError with file, JSON path and line on bad input. */
export function parseIpynb(text: string, file?: string): Notebook {
  const parsed = parseJson(text, file);
  const r = readerFor(parsed, file);
  const root = parsed.value as Obj;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) r.fail('$', 'not a Jupyter notebook (expected an object)');
  if (root.nbformat !== 4) r.fail('$.nbformat', `unsupported nbformat ${JSON.stringify(root.nbformat)} (nbformat 4 is read)`);
  if (!Array.isArray(root.cells)) r.fail('$.cells', 'missing "cells" array');
  const meta = (root.metadata ?? {}) as Obj;
  const codeLanguage = notebookLanguage(meta);
  const cells = (root.cells as unknown[]).map((raw, i) => readCell(raw, `$.cells[${i}]`, codeLanguage, r));
  const metadata = (meta.empathy && typeof meta.empathy === 'object' ? meta.empathy : {}) as Obj;
  dropRepeatedIds(cells);
  return validateNotebook({ format: 'empathy-notebook', version: 1, metadata, cells });
}

/** What reading a parsed file needs at every step: failing with the file, JSON path and line of the place. */
interface IpynbReader {
  file?: string;
  fail(path: string, reason: string): never;
  /** Jupyter's multiline text (a string or an array of strings) as one string. */
  joinText(v: unknown, path: string): string;
}

function parseJson(text: string, file: string | undefined): PositionedJson {
  try {
    return parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new NotebookFormatError(`invalid JSON: ${e.message}`, file, '$', e.position.line, e.position.column, 'syntax');
    throw e;
  }
}

function readerFor(parsed: PositionedJson, file: string | undefined): IpynbReader {
  const fail = (p: string, reason: string): never => {
    const at = parsed.positions.get(p);
    throw new NotebookFormatError(reason, file, p, at?.line, at?.column);
  };
  const joinText = (v: unknown, p: string): string => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('');
    return fail(p, 'expected a string or an array of strings');
  };
  return { file, fail, joinText };
}

/** The language of the notebook's code cells (JavaScript and TypeScript kernels both read as TypeScript). */
function notebookLanguage(meta: Obj): string {
  const lang = String(((meta.kernelspec as Obj | undefined)?.language ?? (meta.language_info as Obj | undefined)?.name ?? 'typescript')).toLowerCase();
  return lang === 'javascript' || lang === 'typescript' || lang === 'ts' ? 'typescript' : lang;
}

/** One cell at JSON path `p`; our own metadata (metadata.empathy) is read, not kept in the cell's metadata. */
function readCell(raw: unknown, p: string, codeLanguage: string, r: IpynbReader): NotebookCell {
  if (typeof raw !== 'object' || raw === null) r.fail(p, 'a cell must be an object');
  const c = raw as Obj;
  const cm = { ...((c.metadata ?? {}) as Obj) };
  const empathy = (cm.empathy ?? {}) as Obj;
  delete cm.empathy;
  const source = r.joinText(c.source ?? '', childPath(p, 'source'));
  const id = typeof c.id === 'string' ? c.id : undefined;
  const base = { ...(id ? { id } : {}), ...(Object.keys(cm).length ? { metadata: cm } : {}) };
  if (c.cell_type === 'markdown' || c.cell_type === 'raw') {
    return { ...base, kind: 'markdown', language: 'markdown', source, outputs: [], execution: null } as NotebookCell;
  }
  if (c.cell_type !== 'code') r.fail(childPath(p, 'cell_type'), `unknown cell_type ${JSON.stringify(c.cell_type)}`);
  const displayIds = Array.isArray(empathy.displayIds) ? (empathy.displayIds as Array<string | null>) : [];
  const outputsRaw = c.outputs ?? [];
  if (!Array.isArray(outputsRaw)) r.fail(childPath(p, 'outputs'), '"outputs" must be an array');
  const outputs = (outputsRaw as Obj[]).map((o, k) => readOutput(o, `${childPath(p, 'outputs')}[${k}]`, displayIds[k], id, r));
  const execution = readExecution(c, empathy, outputs);
  const language = typeof empathy.language === 'string' ? empathy.language : codeLanguage;
  return { ...base, kind: 'code', language, source, outputs, execution } as NotebookCell;
}

/** One output at JSON path `op`; `displayId` is what our export kept for it, `cellId` the cell's own id. */
function readOutput(o: Obj, op: string, displayId: string | null | undefined, cellId: string | undefined, r: IpynbReader): CellOutput {
  switch (o?.output_type) {
    case 'stream': return { kind: 'stream', name: o.name === 'stderr' ? 'stderr' : 'stdout', text: r.joinText(o.text, childPath(op, 'text')) };
    case 'display_data':
      return { kind: 'display', ...(typeof displayId === 'string' ? { displayId } : {}), bundle: dataToBundle((o.data ?? {}) as Obj, op, r.file, o.metadata) };
    case 'execute_result': return { kind: 'result', bundle: dataToBundle((o.data ?? {}) as Obj, op, r.file, o.metadata) };
    case 'error': return readError(o, cellId);
    default: return r.fail(childPath(op, 'output_type'), `unknown output_type ${JSON.stringify(o?.output_type)}`);
  }
}

/** An error output, with the cell line/column its traceback names where it names one. */
function readError(o: Obj, cellId: string | undefined): CellOutput {
  const stack = Array.isArray(o.traceback) ? (o.traceback as string[]).join('\n') : `${o.ename}: ${o.evalue}`;
  // Positions come back from our own stacks (`cell-<id>.ts:LINE:COL`).
  // eslint-disable-next-line no-control-regex
  const plain = stack.replace(/\u001b\[[0-9;]*m/g, '');
  const own = cellId ? new RegExp(`cell-${cellId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.ts:(\\d+):(\\d+)`).exec(plain) : null;
  const m = own ?? /cell-[^\s:()]*\.ts:(\d+):(\d+)/.exec(plain);
  return {
    kind: 'error', name: String(o.ename ?? 'Error'), message: String(o.evalue ?? ''), stack,
    ...(m ? { line: Number(m[1]), column: Number(m[2]) } : {}),
  };
}

/** The cell's execution: Jupyter's count, our status/time from metadata (else derived from its outputs). */
function readExecution(c: Obj, empathy: Obj, outputs: CellOutput[]): NotebookCell['execution'] {
  const count = typeof c.execution_count === 'number' ? c.execution_count : null;
  const ex = empathy.execution as { status?: 'ok' | 'error' | 'interrupted'; durationMs?: number; startedAt?: string } | undefined;
  return count !== null || ex
    ? { count, status: ex?.status ?? (outputs.some((o) => o.kind === 'error') ? 'error' : 'ok'), durationMs: ex?.durationMs ?? 0, ...(ex?.startedAt ? { startedAt: ex.startedAt } : {}) } as const
    : null;
}

/** Jupyter ids may repeat in hand-edited files; ours must not: a repeat loses its id. */
function dropRepeatedIds(cells: NotebookCell[]): void {
  const seen = new Set<string>();
  for (const c of cells) {
    if (c.id && seen.has(c.id)) delete c.id;
    if (c.id) seen.add(c.id);
  }
}

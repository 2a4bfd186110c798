// The `.empathy` notebook format: types, parse + validate (errors name file, JSON path and line),
// and a stable, pretty-printed serializer whose rich-output payloads stay compact (one line each).
// A corrupt or newer-version file THROWS; it is never turned into an empty notebook.
import type { MimeBundle } from '../../protocol/mime';
import { childPath, JsonSyntaxError, parseJsonWithPositions, type JsonPosition } from './jsonPositions';

export const NOTEBOOK_FORMAT = 'empathy-notebook' as const;
export const NOTEBOOK_VERSION = 1 as const;

export interface NotebookMetadata {
  /** Shown as the report title. */
  title?: string;
  /** Anything else a tool wants to keep (kept verbatim). */
  [key: string]: unknown;
}

export type CellOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  /** A display.* output; `displayId` ties live updates together. */
  | { kind: 'display'; bundle: MimeBundle; displayId?: string }
  /** The value of the cell's last expression. */
  | { kind: 'result'; bundle: MimeBundle }
  | { kind: 'error'; name: string; message: string; stack: string; line?: number; column?: number };

export interface CellExecution {
  /** Execution order number (null when it never ran, e.g. cancelled). */
  count: number | null;
  status: 'ok' | 'error' | 'interrupted';
  durationMs: number;
  /** ISO time the execution started. */
  startedAt?: string;
}

export interface NotebookCell {
  /** Stable id (kept across saves; generated when absent in an older file). */
  id?: string;
  kind: 'markdown' | 'code';
  /** 'typescript' for code cells, 'markdown' for markdown cells (others are kept but not run). */
  language: string;
  source: string;
  metadata?: Record<string, unknown>;
  outputs: CellOutput[];
  execution: CellExecution | null;
}

export interface Notebook {
  format: typeof NOTEBOOK_FORMAT;
  version: typeof NOTEBOOK_VERSION;
  metadata: NotebookMetadata;
  cells: NotebookCell[];
}

/** Why a notebook file could not be read: with the file, JSON path and 1-based line/column. */
export class NotebookFormatError extends Error {
  constructor(
    readonly reason: string,
    readonly file: string | undefined,
    readonly jsonPath: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    /** 'newer-version' lets hosts say "update the workbench" instead of "corrupt". */
    readonly kind: 'syntax' | 'invalid' | 'newer-version' = 'invalid',
  ) {
    const where = `${file ?? '<notebook>'}${line !== undefined ? `:${line}:${column}` : ''}`;
    super(`${where}: ${reason} (at ${jsonPath})`);
    this.name = 'NotebookFormatError';
  }
}

export function emptyNotebook(metadata: NotebookMetadata = {}): Notebook {
  return { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, metadata, cells: [] };
}

export function codeCell(source: string, id?: string): NotebookCell {
  return { ...(id ? { id } : {}), kind: 'code', language: 'typescript', source, outputs: [], execution: null };
}

export function markdownCell(source: string, id?: string): NotebookCell {
  return { ...(id ? { id } : {}), kind: 'markdown', language: 'markdown', source, outputs: [], execution: null };
}

// ───────────────────────────── parse + validate ─────────────────────────────

type Obj = Record<string, unknown>;

class Validator {
  constructor(readonly file: string | undefined, readonly positions: Map<string, JsonPosition>) {}

  fail(path: string, reason: string, kind: 'invalid' | 'newer-version' = 'invalid'): never {
    // Report the nearest recorded ancestor when the path itself is missing (e.g. a missing key).
    let p = path;
    let at = this.positions.get(p);
    while (!at && p !== '$') {
      p = p.replace(/(\.[A-Za-z_$][\w$]*|\[[^\]]*\])$/, '');
      at = this.positions.get(p);
    }
    throw new NotebookFormatError(reason, this.file, path, at?.line, at?.column, kind);
  }

  object(v: unknown, path: string, what: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `${what} must be an object`);
    return v as Obj;
  }

  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(childPath(path, k), `unknown key ${JSON.stringify(k)} (allowed: ${allowed.join(', ')})`);
  }

  string(o: Obj, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') this.fail(childPath(path, key), v === undefined ? `missing "${key}" (a string)` : `"${key}" must be a string`);
    return v as string;
  }

  number(o: Obj, key: string, path: string, optional = false): number | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(childPath(path, key), v === undefined ? `missing "${key}" (a number)` : `"${key}" must be a number`);
    return v as number;
  }

  /** Source text: a string, or an array of lines (joined as they are, like .ipynb). */
  source(o: Obj, path: string): string {
    const v = o.source;
    const p = childPath(path, 'source');
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) {
      v.forEach((line, i) => { if (typeof line !== 'string') this.fail(childPath(p, i), 'source lines must be strings'); });
      return (v as string[]).join('');
    }
    return this.fail(p, v === undefined ? 'missing "source"' : '"source" must be a string or an array of lines');
  }

  bundle(v: unknown, path: string): MimeBundle {
    const b = this.object(v, path, 'a MIME bundle');
    if (typeof b['text/plain'] !== 'string') this.fail(childPath(path, 'text/plain'), 'every MIME bundle needs a "text/plain" string fallback');
    for (const [mime, val] of Object.entries(b)) {
      if (!/^[\w.+-]+\/[\w.+-]+$/.test(mime)) this.fail(childPath(path, mime), `not a MIME type: ${JSON.stringify(mime)}`);
      if (val === undefined) this.fail(childPath(path, mime), 'missing value');
    }
    return b as MimeBundle;
  }

  output(v: unknown, path: string): CellOutput {
    const o = this.object(v, path, 'an output');
    const kind = o.kind;
    switch (kind) {
      case 'stream': {
        this.keys(o, path, ['kind', 'name', 'text']);
        const name = this.string(o, 'name', path);
        if (name !== 'stdout' && name !== 'stderr') this.fail(childPath(path, 'name'), 'stream name must be "stdout" or "stderr"');
        return { kind, name, text: this.textOrLines(o, 'text', path) };
      }
      case 'display': {
        this.keys(o, path, ['kind', 'displayId', 'bundle']);
        const displayId = this.string(o, 'displayId', path, true);
        return { kind, ...(displayId !== undefined ? { displayId } : {}), bundle: this.bundle(o.bundle, childPath(path, 'bundle')) };
      }
      case 'result':
        this.keys(o, path, ['kind', 'bundle']);
        return { kind, bundle: this.bundle(o.bundle, childPath(path, 'bundle')) };
      case 'error': {
        this.keys(o, path, ['kind', 'name', 'message', 'stack', 'line', 'column']);
        const line = this.number(o, 'line', path, true);
        const column = this.number(o, 'column', path, true);
        return {
          kind, name: this.string(o, 'name', path)!, message: this.string(o, 'message', path)!, stack: this.textOrLines(o, 'stack', path),
          ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}),
        };
      }
      default:
        return this.fail(childPath(path, 'kind'), `unknown output kind ${JSON.stringify(kind)} (stream, display, result, error)`);
    }
  }

  textOrLines(o: Obj, key: string, path: string): string {
    const v = o[key];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('');
    return this.string(o, key, path)!;
  }

  execution(v: unknown, path: string): CellExecution | null {
    if (v === null || v === undefined) return null;
    const o = this.object(v, path, '"execution"');
    this.keys(o, path, ['count', 'status', 'durationMs', 'startedAt']);
    const count = o.count === null ? null : this.number(o, 'count', path)!;
    const status = this.string(o, 'status', path);
    if (status !== 'ok' && status !== 'error' && status !== 'interrupted') this.fail(childPath(path, 'status'), 'status must be ok, error or interrupted');
    const startedAt = this.string(o, 'startedAt', path, true);
    return { count, status, durationMs: this.number(o, 'durationMs', path)!, ...(startedAt !== undefined ? { startedAt } : {}) };
  }

  cell(v: unknown, path: string): NotebookCell {
    const o = this.object(v, path, 'a cell');
    this.keys(o, path, ['id', 'kind', 'language', 'source', 'metadata', 'outputs', 'execution']);
    const kind = o.kind;
    if (kind !== 'markdown' && kind !== 'code') this.fail(childPath(path, 'kind'), `cell kind must be "markdown" or "code", got ${JSON.stringify(kind)}`);
    const id = this.string(o, 'id', path, true);
    const language = this.string(o, 'language', path, true) ?? (kind === 'code' ? 'typescript' : 'markdown');
    const source = this.source(o, path);
    const metadata = o.metadata === undefined ? undefined : this.object(o.metadata, childPath(path, 'metadata'), '"metadata"');
    const outputsPath = childPath(path, 'outputs');
    const rawOutputs = o.outputs ?? [];
    if (!Array.isArray(rawOutputs)) this.fail(outputsPath, '"outputs" must be an array');
    const outputs = (rawOutputs as unknown[]).map((x, i) => this.output(x, childPath(outputsPath, i)));
    if (kind === 'markdown' && outputs.length > 0) this.fail(outputsPath, 'markdown cells have no outputs');
    return {
      ...(id !== undefined ? { id } : {}), kind, language, source, ...(metadata ? { metadata } : {}),
      outputs, execution: this.execution(o.execution, childPath(path, 'execution')),
    };
  }

  notebook(v: unknown): Notebook {
    const o = this.object(v, '$', 'the notebook');
    if (o.format !== NOTEBOOK_FORMAT) this.fail('$.format', `not an Empathy notebook: "format" must be "${NOTEBOOK_FORMAT}"`);
    const version = o.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) this.fail('$.version', '"version" must be a positive integer');
    if ((version as number) > NOTEBOOK_VERSION) {
      this.fail('$.version', `written by a newer Empathy Workbench (format version ${version}); this one reads version ${NOTEBOOK_VERSION}. Update the workbench; the file was left untouched`, 'newer-version');
    }
    this.keys(o, '$', ['format', 'version', 'metadata', 'cells']);
    const metadata = o.metadata === undefined ? {} : this.object(o.metadata, '$.metadata', '"metadata"');
    if (!Array.isArray(o.cells)) this.fail('$.cells', o.cells === undefined ? 'missing "cells" (an array)' : '"cells" must be an array');
    const cells = (o.cells as unknown[]).map((c, i) => this.cell(c, `$.cells[${i}]`));
    const seen = new Set<string>();
    cells.forEach((c, i) => {
      if (c.id === undefined) return;
      if (seen.has(c.id)) this.fail(`$.cells[${i}].id`, `duplicate cell id ${JSON.stringify(c.id)}`);
      seen.add(c.id);
    });
    return { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, metadata: metadata as NotebookMetadata, cells };
  }
}

/** Parse and validate `.empathy` text. Throws NotebookFormatError (never returns an empty notebook for bad input). */
export function parseNotebook(text: string, file?: string): Notebook {
  if (text.trim() === '') throw new NotebookFormatError('the file is empty (not an Empathy notebook)', file, '$', 1, 1, 'syntax');
  let parsed;
  try {
    parsed = parseJsonWithPositions(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new NotebookFormatError(`invalid JSON: ${e.message}`, file, '$', e.position.line, e.position.column, 'syntax');
    throw e;
  }
  return new Validator(file, parsed.positions).notebook(parsed.value);
}

/** Validate an in-memory notebook (e.g. built by a host) with the same rules as parseNotebook. */
export function validateNotebook(nb: unknown): Notebook {
  return new Validator(undefined, new Map()).notebook(JSON.parse(JSON.stringify(nb)));
}

// ───────────────────────────── serialize ─────────────────────────────

/** Split text into lines that keep their '\n' (the .ipynb convention; readable diffs). */
export function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

function orderedOutput(o: CellOutput): Obj {
  switch (o.kind) {
    case 'stream': return { kind: o.kind, name: o.name, text: o.text };
    case 'display': return { kind: o.kind, ...(o.displayId !== undefined ? { displayId: o.displayId } : {}), bundle: orderedBundle(o.bundle) };
    case 'result': return { kind: o.kind, bundle: orderedBundle(o.bundle) };
    case 'error': return {
      kind: o.kind, name: o.name, message: o.message, stack: o.stack,
      ...(o.line !== undefined ? { line: o.line } : {}), ...(o.column !== undefined ? { column: o.column } : {}),
    };
  }
}

/** text/plain first, then the other MIME types sorted, so files diff stably. */
function orderedBundle(b: MimeBundle): Obj {
  const out: Obj = { 'text/plain': b['text/plain'] };
  for (const k of Object.keys(b).filter((k) => k !== 'text/plain').sort()) if (b[k] !== undefined) out[k] = b[k];
  return out;
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep((v as Obj)[k]);
    return out;
  }
  return v;
}

/** Pretty JSON, except that MIME bundle values (payloads) stay on one line each ("compact"). */
function write(v: unknown, indent: string, inBundle: boolean): string {
  if (inBundle || v === null || typeof v !== 'object') return JSON.stringify(v);
  const next = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    // Arrays of short strings (source lines) one per line; everything else recursively.
    return `[\n${v.map((x) => next + write(x, next, false)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => {
    // The bundle object itself is pretty (one MIME per line); its values are compact.
    const body = k === 'bundle' ? writeBundle(x as Obj, next) : write(x, next, false);
    return `${next}${JSON.stringify(k)}: ${body}`;
  }).join(',\n')}\n${indent}}`;
}

function writeBundle(b: Obj, indent: string): string {
  const next = indent + '  ';
  return `{\n${Object.entries(b).map(([k, x]) => `${next}${JSON.stringify(k)}: ${write(x, next, true)}`).join(',\n')}\n${indent}}`;
}

/** Serialize with a stable key order, 2-space indentation, sources as line arrays, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  const doc: Obj = {
    format: NOTEBOOK_FORMAT,
    version: NOTEBOOK_VERSION,
    metadata: sortKeysDeep(nb.metadata ?? {}),
    cells: nb.cells.map((c) => ({
      ...(c.id !== undefined ? { id: c.id } : {}),
      kind: c.kind,
      language: c.language,
      source: toLines(c.source),
      ...(c.metadata && Object.keys(c.metadata).length > 0 ? { metadata: sortKeysDeep(c.metadata) } : {}),
      outputs: c.kind === 'code' ? c.outputs.map(orderedOutput) : [],
      execution: c.execution ? {
        count: c.execution.count, status: c.execution.status, durationMs: Math.round(c.execution.durationMs),
        ...(c.execution.startedAt ? { startedAt: c.execution.startedAt } : {}),
      } : null,
    })),
  };
  return write(doc, '', false) + '\n';
}

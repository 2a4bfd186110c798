// `empathy run NOTEBOOK`: execute a notebook headless in a kernel process (as nbconvert --execute /
// papermill do for Jupyter), write the executed notebook and a self-contained HTML report.
// Exits non-zero at the first failing cell unless --allow-errors; never overwrites the input with less.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTextAtomic } from '../../../dataset/csv';
import { assertOutputsClear } from '../../../dataset/outputGuard';
import { defaultHeadlessLimits, executeNotebook, type ExecuteNotebookOptions, type ExecuteNotebookResult } from '../../notebook/execute';
import { parseNotebook, serializeNotebook, type Notebook } from '../../notebook/format/notebook';
import { parseIpynb, serializeIpynb } from '../../notebook/format/ipynb';
import { KernelClient } from '../../process/client';
import { writeHtmlReport } from '../../report/html';
import { withStaticFallback } from '../../report/fallback/index';
import { UsageError, type OptionSpec, type ParsedArgs } from '../args';
import { shippedModelInput } from '../fileOptions';
import type { CliContext, Command } from '../command';

const OPTIONS: OptionSpec[] = [
  { name: 'out', short: 'o', type: 'string', metavar: 'EXECUTED.empathy', help: 'write the executed notebook here (.empathy or .ipynb)' },
  { name: 'html', type: 'string', metavar: 'REPORT.html', help: 'write a self-contained HTML report' },
  { name: 'timeout', type: 'number', metavar: 'S', help: `per-cell time limit in seconds, the cell is interrupted (default ${defaultHeadlessLimits.cellTimeoutMs / 1000}; 0: none)` },
  { name: 'max-output-kb', type: 'number', metavar: 'KB', help: `per-cell cap on stored output, then a "truncated" marker (default ${defaultHeadlessLimits.maxOutputBytes / 1024}; 0: none)` },
  { name: 'allow-errors', type: 'boolean', help: 'keep running after a failing cell (exit 0)' },
  { name: 'strict-types', type: 'boolean', help: 'do not run a cell that has TypeScript errors' },
  { name: 'typecheck', type: 'boolean', default: true, help: 'type-check cells, type errors on stderr (--no-typecheck: skip)' },
  { name: 'cwd', type: 'string', metavar: 'DIR', help: "kernel working directory (default: the notebook's folder, as Jupyter)" },
  { name: 'quiet', short: 'q', type: 'boolean', help: "do not echo the cells' output" },
];

function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return file.toLowerCase().endsWith('.ipynb') ? parseIpynb(text, file) : parseNotebook(text, file);
}

/** How a notebook is run: what the progress lines say and the limits and switches it runs under. */
interface RunSettings {
  /** The notebook as the progress lines name it. */
  label: string;
  codeCells: number;
  kernelCwd: string;
  typecheck: boolean;
  /** Per-cell limits: seconds and KiB (0: none). */
  timeout: number;
  maxOutputKb: number;
  allowErrors: boolean;
  strictTypes: boolean;
  quiet: boolean;
}

/**
 * --out and --html, resolved and checked before any work: --out may be the notebook itself (executed in
 * place, written only when the run completes); --html never. The shipped model is read by any notebook
 * that asks for it: never an output.
 */
function outputPaths(args: ParsedArgs, cwd: string, inputPath: string): { outPath: string | undefined; htmlPath: string | undefined } {
  const outPath = typeof args.opts.out === 'string' ? path.resolve(cwd, args.opts.out) : undefined;
  const htmlPath = typeof args.opts.html === 'string' ? path.resolve(cwd, args.opts.html) : undefined;
  if (htmlPath === inputPath) throw new UsageError('run: --html would overwrite the notebook');
  // The flags as given (resolve() would drop a trailing /, which names a folder).
  const given = (flag: 'out' | 'html') => ({ flag, path: typeof args.opts[flag] === 'string' ? (args.opts[flag] as string) : undefined });
  assertOutputsClear([given('html')], [{ flag: 'NOTEBOOK', path: inputPath }, shippedModelInput()], cwd);
  assertOutputsClear([given('out'), given('html')], [shippedModelInput()], cwd);
  return { outPath, htmlPath };
}

/** The per-cell limits (--timeout in seconds, --max-output-kb in KiB; 0: none), checked before any work. */
function cellLimits(opts: ParsedArgs['opts']): { timeout: number; maxOutputKb: number } {
  const timeout = (opts.timeout as number | undefined) ?? defaultHeadlessLimits.cellTimeoutMs / 1000;
  if (!(timeout >= 0)) throw new UsageError('run: --timeout must be a number of seconds (0: no limit)');
  const maxOutputKb = (opts['max-output-kb'] as number | undefined) ?? defaultHeadlessLimits.maxOutputBytes / 1024;
  if (!(maxOutputKb >= 0)) throw new UsageError('run: --max-output-kb must be a number of KiB (0: no cap)');
  return { timeout, maxOutputKb };
}

/** What the run shows as it goes: a line per cell and its outcome, type errors (stderr) and, unless --quiet, the cells' output. */
function echoHooks(ctx: CliContext, codeCells: number, quiet: boolean): Pick<ExecuteNotebookOptions, 'onCellStart' | 'onEvent' | 'onDiagnostics' | 'onCellDone'> {
  let n = 0;
  return {
    onCellStart: (i, cell) => {
      n++;
      const first = cell.source.split('\n').find((l) => l.trim() !== '') ?? '';
      ctx.err.write(`[${n}/${codeCells}] cell ${cell.id} (#${i + 1}) ${first.length > 60 ? first.slice(0, 59) + '…' : first}\n`);
    },
    onEvent: (_i, e) => {
      if (quiet) return;
      if (e.type === 'stream') (e.name === 'stderr' ? ctx.err : ctx.out).write(e.text);
      else if ((e.type === 'result' || (e.type === 'display' && !e.update))) ctx.out.write(e.bundle['text/plain'].replace(/\n?$/, '\n'));
      else if (e.type === 'error') ctx.err.write(`${e.stack}\n`);
    },
    onDiagnostics: (_i, cell, diags) => {
      for (const d of diags.filter((x) => x.severity === 'error')) ctx.err.write(`cell-${cell.id}.ts:${d.line}:${d.column} - type error TS${d.code}: ${d.message}\n`);
    },
    onCellDone: (_i, cell, done) => {
      ctx.err.write(`      ${done.status} in ${(done.durationMs / 1000).toFixed(2)} s${done.executionCount !== null ? ` [${done.executionCount}]` : ''}\n`);
      if (ctx.signal.aborted) ctx.err.write('      (stopping: interrupted)\n');
    },
  };
}

/** Execute the notebook in a fresh kernel process (Ctrl-C interrupts the running cell); the kernel is gone when this returns. */
async function executeInKernel(nb: Notebook, ctx: CliContext, s: RunSettings): Promise<ExecuteNotebookResult> {
  const client = new KernelClient({ cwd: s.kernelCwd, defaults: { typecheck: s.typecheck } });
  const onAbort = () => void client.interrupt();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const hello = await client.start();
    ctx.err.write(`empathy run: ${s.label}: ${s.codeCells} code cell${s.codeCells === 1 ? '' : 's'} · kernel pid ${hello.pid}, Node ${hello.versions.node}, TypeScript ${hello.versions.typescript}\n`);
    ctx.err.write(`empathy run: per cell: time limit ${s.timeout > 0 ? `${s.timeout} s` : 'none'} (--timeout), output cap ${s.maxOutputKb > 0 ? `${s.maxOutputKb} KiB` : 'none'} (--max-output-kb)\n`);
    return await executeNotebook(nb, client, {
      cellTimeoutMs: s.timeout * 1000,
      maxOutputBytes: Math.round(s.maxOutputKb * 1024),
      allowErrors: s.allowErrors || ctx.signal.aborted,
      blockOnTypeErrors: s.strictTypes,
      typecheck: s.typecheck,
      ...echoHooks(ctx, s.codeCells, s.quiet),
    });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await client.dispose();
  }
}

/** Write the executed notebook (never over the input when the run did not complete) and the HTML report. */
function writeOutputs(executed: Notebook, complete: boolean, paths: { input: string; inputPath: string; outPath?: string; htmlPath?: string }, ctx: CliContext): void {
  const { input, inputPath, outPath, htmlPath } = paths;
  if (outPath) {
    if (outPath === inputPath && !complete) {
      ctx.err.write(`empathy run: not writing over the input ${input}: the run did not complete (use --out with another file)\n`);
    } else {
      writeTextAtomic(outPath, outPath.toLowerCase().endsWith('.ipynb') ? serializeIpynb(executed, { enrich: withStaticFallback }) : serializeNotebook(executed));
      ctx.err.write(`wrote ${path.relative(ctx.cwd, outPath)}\n`);
    }
  }
  if (htmlPath) {
    writeHtmlReport(htmlPath, executed, { source: path.basename(inputPath) });
    ctx.err.write(`wrote ${path.relative(ctx.cwd, htmlPath)}\n`);
  }
}

/** The last line (the failing cell, or all ok) and the exit code: 0, 1 at a failing cell, 130 when interrupted. */
function reportEnd(result: ExecuteNotebookResult, allowErrors: boolean, secs: string, ctx: CliContext): number {
  if (result.status !== 'ok') {
    const i = result.failedCell!;
    const c = result.notebook.cells[i];
    const status = c.execution?.status ?? 'error';
    ctx.err.write(`empathy run: cell ${c.id} (#${i + 1}) ended with ${status}${allowErrors ? ' (--allow-errors: continued)' : '; later cells were not run'} · ${result.executed} cell(s) in ${secs} s\n`);
    return allowErrors && !ctx.signal.aborted ? 0 : ctx.signal.aborted ? 130 : 1;
  }
  ctx.err.write(`empathy run: ${result.executed} cell(s) ok in ${secs} s\n`);
  return 0;
}

export const run: Command = {
  name: 'run',
  summary: 'execute a notebook headless and write the executed notebook and an HTML report',
  usage: 'usage: empathy run NOTEBOOK.empathy [--out EXECUTED.empathy] [--html REPORT.html] [--timeout S] [--max-output-kb KB] [--allow-errors]',
  options: OPTIONS,
  async run(args, ctx) {
    const [input, ...extra] = args.positionals;
    if (!input) throw new UsageError('run: which notebook? (empathy run NOTEBOOK.empathy)');
    if (extra.length > 0) throw new UsageError(`run: one notebook at a time (got ${args.positionals.length})`);
    const inputPath = path.resolve(ctx.cwd, input);
    const { outPath, htmlPath } = outputPaths(args, ctx.cwd, inputPath);
    const { timeout, maxOutputKb } = cellLimits(args.opts);
    const quiet = args.opts.quiet === true;
    const nb = readNotebook(inputPath);
    const allowErrors = args.opts['allow-errors'] === true;
    const settings: RunSettings = {
      label: path.relative(ctx.cwd, inputPath) || input,
      codeCells: nb.cells.filter((c) => c.kind === 'code' && c.language === 'typescript').length,
      kernelCwd: typeof args.opts.cwd === 'string' ? path.resolve(ctx.cwd, args.opts.cwd) : path.dirname(inputPath),
      typecheck: args.opts.typecheck !== false,
      timeout, maxOutputKb, allowErrors, quiet,
      strictTypes: args.opts['strict-types'] === true,
    };
    const t0 = Date.now();
    const result = await executeInKernel(nb, ctx, settings);
    writeOutputs(result.notebook, result.status === 'ok' && !ctx.signal.aborted, { input, inputPath, outPath, htmlPath }, ctx);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    return reportEnd(result, allowErrors, secs, ctx);
  },
};

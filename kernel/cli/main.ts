// The `empathy` command line: pick the command, parse its flags, run it with a context that carries
// a Ctrl-C abort signal, and map every failure onto ONE fatal-error path: `empathy: <message>` on
// stderr, exit code 2 for usage errors, 130 when interrupted, 1 otherwise.
import { formatOptions, parseArgs, UsageError } from './args';
import { FileListError } from '../../dataset/labeledFiles';
import type { CliContext, Command } from './command';
import { commands } from './commands';

const VERSION = (() => {
  try {
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return 'dev';
  }
})();

function generalHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'empathy — EPITOME empathy models from the terminal (Sharma et al., EMNLP 2020)',
    '',
    'usage: empathy <command> [options]     empathy <command> --help',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Data: EPITOME (c) 2019-2020 University of Washington, Behavioral Data Science Group; cite Sharma et al., EMNLP 2020.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return `${c.usage}\n\noptions:\n${formatOptions(c.options)}\n  -h, --help${' '.repeat(4)}show this help`;
}

/** A one-line message for the fatal-error path (first line; debugging detail with EMPATHY_DEBUG=1). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

export interface MainIO {
  out?: CliContext['out'];
  err?: CliContext['err'];
  cwd?: string;
  signal?: AbortSignal;
  tty?: boolean;
}

/** Run one CLI invocation; resolves to the exit code (never throws). */
export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  const [name, ...rest] = argv;
  const controller = new AbortController();
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints === 1) {
      err.write('\nempathy: interrupted — stopping after the current batch (Ctrl-C again to quit now)\n');
      controller.abort(new Error('interrupted'));
    } else {
      process.exit(130);
    }
  };
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
      out.write((topic ? commandHelp(topic) : generalHelp()) + '\n');
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      out.write(`empathy ${VERSION}\n`);
      return 0;
    }
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})`);
    const args = parseArgs(rest, cmd.options, cmd.name);
    if (args.help) {
      out.write(commandHelp(cmd) + '\n');
      return 0;
    }
    if (!io.signal) process.on('SIGINT', onSigint);
    io.signal?.addEventListener('abort', () => controller.abort(io.signal!.reason), { once: true });
    const ctx: CliContext = {
      out,
      err,
      signal: controller.signal,
      cwd: io.cwd ?? process.cwd(),
      tty: io.tty ?? (!!(err as { isTTY?: boolean }).isTTY && !process.env.NO_COLOR),
    };
    const code = await cmd.run(args, ctx);
    return code ?? 0;
  } catch (e) {
    if (process.env.EMPATHY_DEBUG && e instanceof Error) err.write(`${e.stack}\n`);
    if (e instanceof UsageError || e instanceof FileListError) {
      err.write(`empathy: ${oneLine(e)}\n`);
      return 2;
    }
    if (controller.signal.aborted) {
      err.write(`empathy: interrupted (${oneLine(e)})\n`);
      return 130;
    }
    err.write(`empathy: ${oneLine(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

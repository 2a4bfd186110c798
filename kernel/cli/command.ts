// What a CLI command is: a name, a one-line summary, typed option specs, and `run` mapping the
// parsed options onto library calls. Commands print through the context (testable, TTY-aware).
import type { OptionSpec, ParsedArgs } from './args';

export interface CliContext {
  /** Results (tables, JSON). */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Progress, warnings, notes. */
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on the first Ctrl-C: stop between batches, save what is needed, say where. */
  signal: AbortSignal;
  /** Working directory for relative paths. */
  cwd: string;
  /** Colour/progress bars allowed (stderr is a TTY and NO_COLOR is unset). */
  tty: boolean;
}

export interface Command {
  name: string;
  /** One line for `empathy --help`. */
  summary: string;
  /** Usage line(s) and notes for `empathy <name> --help`. */
  usage: string;
  options: readonly OptionSpec[];
  /** Returns the exit code (0 when omitted). Throw UsageError (exit 2) or any Error (exit 1). */
  run(args: ParsedArgs, ctx: CliContext): Promise<number | void>;
}

// A tiny typed argument parser for the CLI (no dependencies): `--flag value`, `--flag=value`,
// boolean switches (`--do_test`, `--no-color`, `--flag=false`), repeatable list options, positionals.
// Unknown or malformed options are UsageErrors (exit code 2).

export type OptionType = 'string' | 'number' | 'boolean' | 'list';
export type OptionValue = string | number | boolean | string[] | undefined;

export interface OptionSpec {
  /** Flag name without dashes, spelled like the original scripts (`save_model_path`, `lambda_EI`). */
  name: string;
  type: OptionType;
  /** Shown in --help and applied when the flag is absent. */
  default?: string | number | boolean;
  help: string;
  /** Placeholder in --help (`PATH`, `N`). */
  metavar?: string;
  /** One-letter alias (`-o`). */
  short?: string;
  /** For string options: the allowed values. */
  choices?: readonly string[];
}

export interface ParsedArgs {
  /** Values by option name; defaults filled in. */
  opts: Record<string, OptionValue>;
  positionals: string[];
  /** Names of options given explicitly on the command line (config files yield to these only). */
  given: Set<string>;
  help: boolean;
}

/** A wrong invocation: unknown flag, missing value, bad number. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parse argv (after the command name) against the option specs. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  // Accept dashes for underscores and vice versa (`--save-model-path` = `--save_model_path`).
  const lookup = (raw: string): OptionSpec | undefined => byName.get(raw) ?? byName.get(raw.replace(/-/g, '_')) ?? specs.find((s) => s.name.replace(/_/g, '-') === raw);
  const opts: Record<string, OptionValue> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const convert = (spec: OptionSpec, v: string, shown: string): OptionValue => {
    switch (spec.type) {
      case 'number': {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${shown} expects a number, got ${JSON.stringify(v)}`);
        return n;
      }
      case 'boolean':
        if (/^(true|1|yes)$/i.test(v)) return true;
        if (/^(false|0|no)$/i.test(v)) return false;
        throw new UsageError(`${shown} is a switch (true/false), got ${JSON.stringify(v)}`);
      case 'list':
        return [...((opts[spec.name] as string[] | undefined) ?? []), v];
      default:
        if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`${shown} must be one of ${spec.choices.join(', ')}; got ${JSON.stringify(v)}`);
        return v;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let shown = a;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      shown = `--${name}`;
      spec = lookup(name);
      if (!spec && name.startsWith('no-') && inline === undefined) {
        const neg = lookup(name.slice(3));
        if (neg?.type === 'boolean') {
          opts[neg.name] = false;
          given.add(neg.name);
          continue;
        }
      }
      if (!spec) throw new UsageError(`unknown option ${shown} for '${command}' (see: empathy ${command} --help)`);
    } else if (/^-[A-Za-z]$/.test(a)) {
      spec = specs.find((s) => s.short === a.slice(1));
      if (!spec) throw new UsageError(`unknown option ${a} for '${command}' (see: empathy ${command} --help)`);
    } else {
      positionals.push(a);
      continue;
    }
    let value: string;
    if (spec.type === 'boolean' && inline === undefined) {
      value = 'true';
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${shown} needs a value${spec.metavar ? ` (${spec.metavar})` : ''}`);
      value = next;
      i++;
    }
    opts[spec.name] = convert(spec, value, shown);
    given.add(spec.name);
  }
  for (const s of specs) {
    if (opts[s.name] === undefined) opts[s.name] = s.type === 'list' ? (s.default !== undefined ? [String(s.default)] : []) : s.type === 'boolean' ? (s.default ?? false) : s.default;
  }
  return { opts, positionals, given, help };
}

/** --help text for a command's options. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : ''}--${s.name}${s.type === 'boolean' ? '' : ` ${s.metavar ?? (s.type === 'number' ? 'N' : s.choices ? s.choices.join('|') : 'VALUE')}`}`;
    const def = s.default !== undefined && s.default !== false ? ` (default: ${s.default})` : '';
    return [flag, s.help + def + (s.type === 'list' ? ' (repeatable)' : '')];
  });
  const w = Math.min(34, Math.max(...rows.map((r) => r[0].length), 0) + 2);
  return rows.map(([f, h]) => `  ${f.padEnd(w)}${f.length >= w ? `\n  ${' '.repeat(w)}` : ''}${h}`).join('\n');
}

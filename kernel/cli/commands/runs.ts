// `empathy runs list|show|compare`: read the runs folder (every training is a run) from the terminal.
import { UsageError } from '../args';
import type { Command } from '../command';
import { RunStore } from '../../runs/store';
import { comparisonText } from '../../payloads/runs';
import { configDiff, configDiffText } from '../../runs/configDiff';
import { locateRunsDir } from '../../runs/location';
import { statusText, type RunRecord } from '../../runs/run';

function fmt(n: number | undefined): string {
  return n === undefined ? '—' : n.toFixed(3);
}

/** The headline metric of a run: mean dev (else test) macro-F1 over its mechanisms. */
function headline(r: RunRecord): string {
  const keys = Object.keys(r.metrics).filter(k => /^(dev|test)\.[A-Z]{2}\.macroF1$/.test(k));
  const dev = keys.filter(k => k.startsWith('dev.'));
  const use = dev.length ? dev : keys;
  if (!use.length) return '—';
  return use.map(k => `${k.split('.')[1]} ${fmt(r.metrics[k])}`).join(' ');
}

export const runs: Command = {
  name: 'runs',
  summary: 'list, show and compare recorded training runs',
  usage: [
    'usage: empathy runs list [--runs_dir DIR] [--json]',
    '       empathy runs show RUN [--json]',
    '       empathy runs compare RUN RUN… [--metric SUBSTRING] [--json]',
    '',
    'RUN is a run id, a unique prefix of one, or a run folder. Every `empathy train`, notebook training',
    'and extension training writes a run (config, code version, data hashes, seed, backend, per-step and',
    'per-epoch metrics, final metrics, checkpoint path) into the workspace\'s runs folder: EMPATHY_RUNS_DIR, else',
    'the nearest folder upwards holding recorded runs in runs/, a .vscode/settings.json with empathy.runsFolder,',
    'a package.json, .git or .vscode/ (its runs/, or the folder that setting names), else ./runs.',
    '`compare` shows the config keys that differ between the runs, then their metrics.',
  ].join('\n'),
  options: [
    { name: 'runs_dir', type: 'string', metavar: 'DIR', help: 'runs folder (default: $EMPATHY_RUNS_DIR, else the workspace\'s runs folder, found upwards from here)' },
    { name: 'metric', type: 'string', metavar: 'SUBSTRING', help: 'compare: only metrics whose name contains this' },
    { name: 'json', type: 'boolean', help: 'machine-readable output' },
  ],
  async run(args, ctx) {
    const [verb, ...refs] = args.positionals;
    const where = typeof args.opts.runs_dir === 'string' ? undefined : locateRunsDir(ctx.cwd);
    const store = new RunStore(where?.dir ?? (args.opts.runs_dir as string));
    const json = args.opts.json === true;
    switch (verb) {
      case 'list': {
        const { runs: all, problems } = store.list();
        for (const p of problems) ctx.err.write(`empathy: warning: ${p}\n`);
        if (json) { ctx.out.write(JSON.stringify(all, null, 2) + '\n'); return 0; }
        if (all.length === 0) { ctx.out.write(`no runs in ${store.root}${where ? ` (${where.reason})` : ''}\n`); return 0; }
        const rows = all.map(r => [r.id, r.family, statusText(r), String(r.steps), r.backend?.name ?? '—', headline(r)]);
        const header = ['run', 'family', 'status', 'steps', 'backend', 'macro-F1'];
        const w = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
        const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
        ctx.out.write([line(header), ...rows.map(line)].join('\n') + '\n');
        return 0;
      }
      case 'show': {
        if (refs.length !== 1) throw new UsageError('runs show needs exactly one RUN');
        const r = store.get(refs[0]);
        if (json) { ctx.out.write(JSON.stringify(r, null, 2) + '\n'); return 0; }
        const lines = [
          `run       ${r.id} (${r.label})`,
          `status    ${statusText(r)}, ${r.steps} steps, created ${r.createdAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}`,
          `family    ${r.family}, seed ${r.seed}`,
          `backend   ${r.backend ? `${r.backend.name} (${r.backend.detail})` : '—'}`,
          `code      ${r.code.package} ${r.code.version}${r.code.gitCommit ? ` @ ${r.code.gitCommit.slice(0, 12)}${r.code.gitDirty ? ' (dirty)' : ''}` : ''}`,
          ...r.data.map(d => `data      ${d.role.padEnd(5)} ${d.path}  sha256 ${d.sha256.slice(0, 16)}…${d.rows !== undefined ? `  ${d.rows} rows` : ''}`),
          `checkpoint ${r.checkpointPath ?? '—'}`,
          `config    ${JSON.stringify(r.config)}`,
          ...(r.error ? [`error     ${r.error}`] : []),
          'metrics',
          ...Object.entries(r.metrics).sort().map(([k, v]) => `  ${k.padEnd(36)} ${v.toFixed(4)}`),
        ];
        ctx.out.write(lines.join('\n') + '\n');
        return 0;
      }
      case 'compare': {
        if (refs.length < 2) throw new UsageError('runs compare needs two or more RUNs');
        const rs = refs.map(ref => store.get(ref));
        const sub = args.opts.metric as string | undefined;
        const filter = sub ? (n: string) => n.includes(sub) : undefined;
        if (json) {
          const diff = configDiff(rs).differences.map(d => ({ key: d.key, values: d.values }));
          ctx.out.write(JSON.stringify(rs.map((r, i) => ({ id: r.id, config: r.config, configDiff: Object.fromEntries(diff.map(d => [d.key, d.values[i] ?? null])), metrics: r.metrics })), null, 2) + '\n');
          return 0;
        }
        ctx.out.write(configDiffText(rs) + '\n\n' + comparisonText(rs, filter) + '\n');
        return 0;
      }
      default:
        throw new UsageError(`runs needs a verb: list, show or compare${verb ? ` (got '${verb}')` : ''}`);
    }
  },
};

// `empathy jupyter install|uninstall|list`: the Jupyter kernelspec (kernel/jupyter/kernelspec.ts), so
// JupyterLab, a remote Jupyter server, VS Code's Jupyter and nbclient/papermill run notebooks on this kernel.
import * as path from 'node:path';
import { UsageError } from '../args';
import type { Command } from '../command';
import { DEFAULT_KERNEL_NAME, installKernelspec, kernelsDir, listKernelspecs, searchPath, uninstallKernelspec, type Location } from '../../jupyter/kernelspec';

function location(opts: Record<string, unknown>, cwd: string): Location | undefined {
  const picked = [opts.user === true && 'user', opts['sys-prefix'] === true && 'sys-prefix', typeof opts.prefix === 'string' && 'prefix'].filter(Boolean);
  if (picked.length > 1) throw new UsageError(`jupyter: choose one of --user, --sys-prefix, --prefix (got ${picked.map((p) => `--${p}`).join(', ')})`);
  if (typeof opts.prefix === 'string') return { kind: 'prefix', dir: path.resolve(cwd, opts.prefix) };
  if (opts['sys-prefix'] === true) return { kind: 'sys-prefix' };
  if (opts.user === true) return { kind: 'user' };
  return undefined;
}

function workbenchVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../../package.json') as { version: string }).version;
}

export const jupyter: Command = {
  name: 'jupyter',
  summary: 'install, list or remove the Jupyter kernelspec (JupyterLab, remote servers, nbclient/papermill)',
  usage: [
    'usage: empathy jupyter install [--user | --sys-prefix | --prefix DIR] [--name NAME]',
    '       empathy jupyter uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]',
    '       empathy jupyter list',
    '',
    `install writes kernels/NAME (default ${DEFAULT_KERNEL_NAME}, the kernelspec an exported .ipynb names) with kernel.json`,
    '(this Node and this kernel, absolute paths; interrupt_mode signal) and logos: --user (the default) into the',
    'Jupyter user data folder, --sys-prefix into the active Python environment, --prefix DIR into DIR/share/jupyter.',
    'uninstall removes only kernelspecs this workbench wrote; without a location, every one of that name Jupyter finds.',
  ].join('\n'),
  options: [
    { name: 'user', type: 'boolean', help: 'the Jupyter user data folder (default)' },
    { name: 'sys-prefix', type: 'boolean', help: "the active Python environment's share/jupyter" },
    { name: 'prefix', type: 'string', metavar: 'DIR', help: 'DIR/share/jupyter/kernels (point JUPYTER_PATH at DIR/share/jupyter, or use it as a Python prefix)' },
    { name: 'name', type: 'string', metavar: 'NAME', help: `kernel name (default ${DEFAULT_KERNEL_NAME})` },
  ],
  async run(args, ctx) {
    const [verb, ...extra] = args.positionals;
    if (extra.length > 0) throw new UsageError(`jupyter ${verb}: unexpected ${extra.join(' ')}`);
    const name = typeof args.opts.name === 'string' ? args.opts.name : DEFAULT_KERNEL_NAME;
    const loc = location(args.opts, ctx.cwd);
    switch (verb) {
      case 'install': {
        const dir = installKernelspec(loc ?? { kind: 'user' }, name, workbenchVersion());
        ctx.out.write(`installed kernelspec ${name} in ${dir}\n`);
        return 0;
      }
      case 'uninstall': {
        const removed = uninstallKernelspec(name, loc ? [kernelsDir(loc)] : searchPath());
        if (removed.length === 0) {
          ctx.err.write(`jupyter uninstall: no ${name} kernelspec of this workbench in ${loc ? kernelsDir(loc) : searchPath().join(', ')}\n`);
          return 1;
        }
        for (const d of removed) ctx.out.write(`removed ${d}\n`);
        return 0;
      }
      case 'list': {
        const found = listKernelspecs(searchPath());
        if (found.length === 0) ctx.out.write(`no Empathy kernelspecs in ${searchPath().join(', ')}\n`);
        for (const k of found) ctx.out.write(`${k.name}  ${k.dir}  (node ${k.spec.argv[0]})${k.problems.length ? `  BROKEN: ${k.problems.join(', ')}` : ''}\n`);
        return 0;
      }
      default:
        throw new UsageError(`jupyter: install, uninstall or list? (got ${verb === undefined ? 'nothing' : JSON.stringify(verb)})`);
    }
  },
};

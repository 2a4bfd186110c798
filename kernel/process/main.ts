// The kernel child process: hosts one Session (and with it the engine) and speaks the kernel
// protocol over Node IPC. Started by KernelClient (kernel/process/client.ts) with a real Node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeBackend, type BackendInfo } from '../engine';
import * as v8 from 'node:v8';
import { checkRequest, KERNEL_PROTOCOL_VERSION, type ExecuteOptions, type KernelEvent, type KernelRequest, type VersionInfo } from '../protocol/kernel';
import { isQueryMessage, QUERY_PROTOCOL_VERSION } from '../protocol/query';
import { QueryHandler } from '../queries/handler';
import { Session } from '../session/session';
import { installStrayErrorHandlers } from './strayErrors';

function send(e: KernelEvent): void {
  if (!process.connected || !process.send) return;
  process.send(e);
}

function packageVersion(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function versions(): VersionInfo {
  let tfjs: string | undefined;
  try {
    tfjs = packageVersion(require.resolve('@tensorflow/tfjs/package.json'));
  } catch {
    tfjs = undefined;
  }
  return {
    node: process.version,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    typescript: (require('typescript') as { version: string }).version,
    ...(tfjs ? { tfjs } : {}),
    workbench: packageVersion(path.resolve(__dirname, '../../../package.json')) ?? '0.0.0',
  };
}

function main(): void {
  const defaults = process.env.EMPATHY_KERNEL_DEFAULTS ? (JSON.parse(process.env.EMPATHY_KERNEL_DEFAULTS) as ExecuteOptions) : {};
  // Stray errors of background work must not kill the kernel: show them once in the last cell's output
  // (the session captures process.stderr). See strayErrors.ts for why this is not a plain listener.
  const strays = installStrayErrorHandlers((text) => process.stderr.write(text));
  const session = new Session({ cwd: process.cwd(), captureProcessOutput: true, defaults, warmTypecheck: defaults.typecheck !== false });
  // The hosts' queries (load a model, score a pair, a variable's table…): answered by the kernel directly,
  // models held by handle, variables read from the session's scope.
  const queries = new QueryHandler({ cwd: process.cwd(), variables: session });
  let backendSent: string | undefined;
  /** After each cell or query: the engine's backend, when one has loaded the engine (never loads it itself). */
  const reportBackend = () => {
    const b = activeBackend();
    const key = b ? JSON.stringify(b) : undefined;
    if (b && key !== backendSent) {
      backendSent = key;
      send({ type: 'backend', v: 1, backend: b });
    }
  };
  // The client sends SIGINT with every interrupt: it breaks a synchronous loop in a cell's first
  // synchronous stretch (vm breakOnSigint); otherwise it arrives here and interrupts like the message.
  process.on('SIGINT', () => session.interrupt());
  process.on('disconnect', () => process.exit(0));

  process.on('message', (raw: unknown) => {
    if (isQueryMessage(raw)) {
      void queries.receive(raw, send).then(reportBackend).catch((e: unknown) => strays.report('Kernel bookkeeping after a query failed', e));
      return;
    }
    const problem = checkRequest(raw);
    if (problem) {
      send({ type: 'protocol-error', v: 1, ...(typeof (raw as { id?: unknown })?.id === 'string' ? { id: (raw as { id: string }).id } : {}), message: problem });
      return;
    }
    const req = raw as KernelRequest;
    switch (req.type) {
      case 'execute':
        void session.run(req, send).then(reportBackend).catch((e: unknown) => strays.report('Kernel bookkeeping after a cell failed', e));
        break;
      case 'interrupt':
        session.interrupt();
        send({ type: 'ack', v: 1, id: req.id, request: 'interrupt' });
        break;
      case 'variables':
        send({ type: 'variables', v: 1, id: req.id, variables: session.variables() });
        break;
      case 'complete':
        void session.complete(req.code, req.offset)
          .catch(() => ({ items: [], from: req.offset, to: req.offset }))
          .then((res) => send({ type: 'completions', v: 1, id: req.id, ...res }));
        break;
      case 'shutdown':
        queries.dispose();
        session.dispose();
        if (process.send) process.send({ type: 'ack', v: 1, id: req.id, request: 'shutdown' } satisfies KernelEvent, () => process.exit(0));
        else process.exit(0);
        break;
    }
  });

  send({ type: 'hello', v: 1, protocol: KERNEL_PROTOCOL_VERSION, pid: process.pid, versions: versions(), heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20), queryProtocol: QUERY_PROTOCOL_VERSION });
}

main();

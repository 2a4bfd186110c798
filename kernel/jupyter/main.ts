// The Jupyter kernel's entry point (kernel.json argv: NODE out/kernel/jupyter/main.js -f CONNECTION_FILE):
// binds the five channels of the connection file and serves them with one Session in a kernel process.
// SIGINT (interrupt_mode: signal) interrupts the running cell; SIGTERM and shutdown_request end it cleanly.
import { randomUUID } from 'node:crypto';
import { KernelClient } from '../process/client';
import { Channels } from './channels';
import { readConnection } from './connection';
import { JupyterKernel } from './kernel';

const log = (line: string) => process.stderr.write(`[empathy-jupyter] ${line}\n`);

function connectionFileArg(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '-f' || a === '--connection-file');
  const file = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--connection-file='))?.slice('--connection-file='.length);
  if (!file) throw new Error('usage: main.js -f CONNECTION_FILE (the Jupyter client writes it and passes its path)');
  return file;
}

/** Jupyter clients name themselves in JPY_PARENT_PID: a kernel whose client died without a shutdown ends too. */
function watchParent(pid: string | undefined, exit: () => Promise<void>): void {
  const parent = Number(pid);
  if (!Number.isInteger(parent) || parent <= 1) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      log(`the client (pid ${parent}) is gone: shutting down`);
      void exit();
    }
  }, 2000).unref();
}

async function main(): Promise<void> {
  const conn = readConnection(connectionFileArg(process.argv.slice(2)));
  const channels = new Channels(conn, log);
  await channels.bind();
  const client = new KernelClient({ cwd: process.cwd() });
  const ready = client.start();
  ready.catch((e: unknown) => log(`the kernel process did not start: ${(e as Error).message}`));
  let exiting: Promise<void> | undefined;
  const exit = () => (exiting ??= (async () => {
    await client.dispose();
    await channels.close();
    process.exit(0);
  })());
  const kernel = new JupyterKernel(channels, client, randomUUID(), async () => {
    const hello = await client.start();
    return { workbench: hello.versions.workbench, typescript: hello.versions.typescript, node: hello.versions.node };
  }, exit);
  channels.listen((ch, msg) => kernel.receive(ch, msg));
  process.on('SIGINT', () => { void client.interrupt(); });
  process.on('SIGTERM', () => { void exit(); });
  watchParent(process.env.JPY_PARENT_PID, exit);
  log(`listening (${conn.transport}://${conn.ip}, shell ${conn.ports.shell}${conn.key ? ', signed' : ', UNSIGNED: no key in the connection file'})`);
}

main().catch((e: unknown) => {
  log((e as Error).message);
  process.exit(1);
});

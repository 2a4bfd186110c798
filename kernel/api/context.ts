// The link between workbench API calls made inside a cell and the running kernel session: where
// display outputs go and which AbortSignal interrupts the cell. The session installs it; outside a
// session (plain Node, the CLI) displays print their text/plain fallback and nothing is aborted.
import type { MimeBundle } from '../protocol/mime';

export interface DisplayOptions {
  /** Tie outputs together so later ones can replace this one in place. */
  displayId?: string;
  /** Replace the output previously shown with `displayId` instead of adding one. */
  update?: boolean;
}

export interface KernelContext {
  publish(bundle: MimeBundle, opts: DisplayOptions): void;
  /** The running cell's signal (aborted on interrupt), if a cell is running. */
  signal(): AbortSignal | undefined;
}

let installed: KernelContext | undefined;

/** Install `ctx` (undefined: none); returns the one it replaced, to restore later. */
export function installKernelContext(ctx: KernelContext | undefined): KernelContext | undefined {
  const previous = installed;
  installed = ctx;
  return previous;
}

export function publishDisplay(bundle: MimeBundle, opts: DisplayOptions = {}): void {
  if (installed) installed.publish(bundle, opts);
  else if (!opts.update) process.stdout.write(bundle['text/plain'].endsWith('\n') ? bundle['text/plain'] : bundle['text/plain'] + '\n');
}

/** The signal API calls use by default: the running cell's (so interrupt stops training). */
export function currentSignal(): AbortSignal | undefined {
  return installed?.signal();
}

let nextDisplay = 0;
/** A fresh display id (unique within the process). */
export function newDisplayId(prefix = 'display'): string {
  nextDisplay++;
  return `${prefix}-${process.pid}-${nextDisplay}`;
}

// Errors of background work in the kernel process (a promise nobody awaits, a throwing timer, the
// kernel's own bookkeeping between cells): each is reported once, as text (the kernel sends it to the
// running or last cell's stderr), and never ends the process.
//
// Why not just an 'uncaughtException' listener: Node calls EVERY listener of that event, and a listener
// that throws makes Node exit with code 7 ("internal exception handler run-time failure").
// tfjs-backend-wasm's Emscripten glue adds such listeners as the wasm backend starts: one rethrows every
// uncaught exception that is not its own ExitStatus, one rethrows every unhandled rejection. So the
// first stray error after the engine had loaded killed the kernel, whatever our own listener did.
// process.setUncaughtExceptionCaptureCallback replaces the 'uncaughtException' event altogether (no
// listener runs), and a rejection rethrown by someone's 'unhandledRejection' listener arrives there too.
// So a cell's own 'uncaughtException' listener never runs in the kernel ('unhandledRejection' ones do).
import { inspect } from 'node:util';

export interface StrayErrorHandlers {
  /** Report an error of the kernel's own background work (never throws). */
  report(what: string, err: unknown): void;
}

/** The error as text: its stack, else its message, else what String/inspect make of it (never throws). */
function describe(err: unknown): string {
  try {
    if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
    return inspect(err, { depth: 2, breakLength: Infinity });
  } catch {
    try {
      return String(err);
    } catch {
      return '(an error that cannot be shown)';
    }
  }
}

/**
 * Install the kernel's handlers for stray errors; `write` receives one text per error. Unhandled
 * rejections are labelled as such; one that another listener rethrows is not reported a second time.
 */
export function installStrayErrorHandlers(write: (text: string) => void, proc: NodeJS.Process = process): StrayErrorHandlers {
  const NONE = Symbol('none');
  /** The rejection just reported: another 'unhandledRejection' listener may rethrow it right away. */
  let justReported: unknown = NONE;

  const report = (what: string, err: unknown): void => {
    try {
      write(`${what} (in background work): ${describe(err)}\n`);
    } catch {
      // the report must never throw: a throw here is exactly what ends a process with code 7
    }
  };
  const onRejection = (reason: unknown): void => {
    report('Unhandled promise rejection', reason);
    justReported = reason;
    setImmediate(() => { justReported = NONE; }).unref();
  };
  const onUncaught = (err: unknown): void => {
    if (err === justReported) {
      justReported = NONE; // the rejection above, rethrown by a foreign listener: already reported
      return;
    }
    report('Uncaught exception', err);
  };

  proc.setUncaughtExceptionCaptureCallback(onUncaught);
  proc.prependListener('unhandledRejection', onRejection);
  return { report };
}
